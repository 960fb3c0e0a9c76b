import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../browser/support/browser';
import {
  buildPlayground,
  burstResult,
  cardsReady,
  fire,
  kitControl,
  kitStats,
  modal,
  openPlayground,
  type PageLog,
  pull,
  serveStatic,
  signIn,
  status,
  statusesByPath,
  TOKEN_SHAPES,
  timelineRows,
} from './support/playground';

// The playground (examples/playground) as a person uses it, in Chromium: built by Vite, its API the msw kit
// in a service worker + SharedWorker, nothing else behind it. Each test gets a fresh browser context, so a
// fresh mock server.
describe.runIf(hasChromium())('the playground in Chromium', () => {
  let browser: Browser;
  let app: { url: string; close(): Promise<void> };
  let removeBuild: () => Promise<void>;
  let context: BrowserContext;
  let log: PageLog;

  beforeAll(async () => {
    const built = await buildPlayground();
    removeBuild = built.remove;
    app = await serveStatic(built.outDir);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await removeBuild?.();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    log = { errors: [], console: [] };
  });
  afterEach(async () => {
    // Every tab of the test: no uncaught error, and no token in anything the page logged.
    for (const page of context.pages()) expect(await page.content()).not.toMatch(TOKEN_SHAPES);
    await context.close();
    expect(log.errors).toEqual([]);
    expect(log.console.filter((line) => TOKEN_SHAPES.test(line))).toEqual([]);
  });

  async function open(): Promise<Page> {
    const page = await context.newPage();
    await openPlayground(page, app.url, log);
    return page;
  }

  it('refreshes once for 20 expired requests and replays every one of them, silently', async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile', 'projects', 'notifications']);
    // Alice is not an admin: the gated panel is the fallback, and its request is never made.
    await page.getByTestId('card-audit-locked').waitFor();

    await pull(page, 'Expire access token');
    await fire(page);
    await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');

    const stats = await kitStats(page);
    expect(stats).toMatchObject({ logins: 1, refreshes: 1, reuseDetected: 0 });
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    const byPath = statusesByPath(stats);
    for (let n = 1; n <= 20; n++) expect(byPath[`/api/pulse/${n}`]).toEqual([401, 200]);
    expect(byPath['/api/admin/audit']).toBeUndefined();
    // What the page shows: signed in all along, no modal, the counters, the timeline's picture.
    expect(await status(page)).toBe('signedIn');
    expect(await modal(page).count()).toBe(0);
    await expect.poll(() => page.getByTestId('kit-refreshes').getAttribute('data-value')).toBe('1');
    await expect.poll(() => timelineRows(page, '/api/pulse/')).toEqual(Array(20).fill('2 ok 200'));
    expect(await page.locator('[data-testid="timeline-refresh"][data-outcome="ok"]').count()).toBe(1);
    const diagnosis = page.locator('[data-testid="timeline-diagnosis"][data-cause="expired_token"]');
    expect(await diagnosis.getAttribute('data-count')).toBe('20');
    // A click on a row tells that request's story, with its 401's diagnosis.
    await page.locator('[data-testid="timeline-request"][data-path="/api/pulse/7"] .tl-row-label').click();
    const steps = await page.locator('.timeline-steps li').allTextContents();
    expect(steps[0]).toMatch(/sent → 401 in \d+ ms — expired_token: The token expired/);
    expect(steps.at(-1)).toMatch(/settled: ✓ 200$/);
  });

  it('opens the login modal when the refresh is refused, and resumes the waiting requests after the sign-in', async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile', 'projects', 'notifications']);

    await pull(page, 'Revoke refresh token');
    await pull(page, 'Expire access token');
    // The refusal is held back until both are done, since the modal makes the page behind it inert: the burst
    // gets its 20 × 401 and waits for the refresh; the dashboard's queries, started during it, wait before they
    // are sent. Held until released, not delayed: no deadline for a loaded machine to miss.
    await kitControl(page, 'holdRefresh');
    await fire(page);
    await expect.poll(() => page.getByTestId('kit-unauthorized').getAttribute('data-value')).toBe('20');
    await page.getByRole('button', { name: 'Refetch dashboard' }).click();
    await kitControl(page, 'releaseRefresh');
    await modal(page).getByRole('heading', { name: 'Sign in to continue' }).waitFor();
    expect(await status(page)).toBe('reauthRequired');
    // The page behind the modal stays, with its data: a known user re-authenticating is still authenticated.
    expect(await page.getByTestId('card-projects').textContent()).toContain('Checkout rewrite');
    // The username is filled in for the user who was signed in; the password has the focus.
    expect(await modal(page).getByLabel('Username').inputValue()).toBe('alice');
    expect(
      await modal(page)
        .getByLabel('Password')
        .evaluate((input) => input === document.activeElement),
    ).toBe(true);
    // A wrong password keeps the modal open, and says so.
    await modal(page).getByLabel('Password').fill('not-it');
    await modal(page).getByRole('button', { name: 'Sign in and resume' }).click();
    await modal(page).getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();

    await modal(page).getByLabel('Password').fill('wonderland');
    await modal(page).getByRole('button', { name: 'Sign in and resume' }).click();
    await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');
    expect(await modal(page).count()).toBe(0);
    expect(await status(page)).toBe('signedIn');
    await cardsReady(page, ['profile', 'projects', 'notifications']);

    const stats = await kitStats(page);
    expect(stats).toMatchObject({ logins: 2, failedLogins: 1, refreshes: 1, reuseDetected: 0 });
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['revoked']);
    const byPath = statusesByPath(stats);
    for (const path of ['/api/profile', '/api/projects', '/api/notifications']) {
      // Loaded, then the refetch: it waited behind the refresh and the modal, and was sent once, after the
      // sign-in (not failed and then fetched anew: that would be a third row).
      expect(byPath[path]).toEqual([200, 200]);
      await expect.poll(() => timelineRows(page, path)).toEqual(['1 ok 200', '1 ok 200']);
    }
    // The burst: each request refused once, waited behind the modal, replayed once — never sent a third time.
    for (let n = 1; n <= 20; n++) expect(byPath[`/api/pulse/${n}`]).toEqual([401, 200]);
    await expect.poll(() => timelineRows(page, '/api/pulse/')).toEqual(Array(20).fill('2 ok 200'));
    expect(await page.locator('[data-testid="card-projects"] [role="alert"]').count()).toBe(0);
    expect(await page.locator('[data-testid="timeline-refresh"][data-outcome="failed"]').count()).toBe(1);
    expect(await page.locator('[data-testid="timeline-prompt"][data-outcome="resolved"]').count()).toBe(1);
  });

  it('fails the waiting requests cleanly and signs out when the login modal is dismissed', async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile', 'projects', 'notifications']);

    await pull(page, 'Revoke refresh token');
    await pull(page, 'Expire access token');
    await fire(page);
    await modal(page).getByRole('heading', { name: 'Sign in to continue' }).waitFor();
    await modal(page).getByRole('button', { name: 'Cancel' }).click();

    await expect
      .poll(() => burstResult(page).textContent(), { timeout: 15_000 })
      .toBe('0 / 20 succeeded · 20 × REAUTH_CANCELLED');
    expect(await status(page)).toBe('signedOut');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await modal(page).count()).toBe(0);
    // Signed out: the dashboard and its data are gone.
    expect(await page.getByTestId('card-projects').count()).toBe(0);

    const stats = await kitStats(page);
    expect(stats).toMatchObject({ logins: 1, refreshes: 1, reuseDetected: 0 });
    // Each request of the burst was sent once: its 401 waited for the modal, and was never replayed.
    const byPath = statusesByPath(stats);
    for (let n = 1; n <= 20; n++) expect(byPath[`/api/pulse/${n}`]).toEqual([401]);
    expect(await page.locator('[data-testid="timeline-prompt"][data-outcome="cancelled"]').count()).toBe(1);
    await expect
      .poll(() => timelineRows(page, '/api/pulse/'))
      .toEqual(Array(20).fill('1 failed REAUTH_CANCELLED'));
  });

  it('takes Escape in the login modal as a dismissal', async () => {
    const page = await open();
    await signIn(page, 'bob', 'builder');
    await cardsReady(page, ['profile', 'audit']);
    await pull(page, 'Revoke refresh token');
    await pull(page, 'Expire access token');
    await fire(page);
    await modal(page).getByRole('heading', { name: 'Sign in to continue' }).waitFor();
    await page.keyboard.press('Escape');
    await expect
      .poll(() => burstResult(page).textContent(), { timeout: 15_000 })
      .toBe('0 / 20 succeeded · 20 × REAUTH_CANCELLED');
    expect(await status(page)).toBe('signedOut');
  });

  it('shares one session between two tabs: one refresh for both, and a sign-out in one reaches the other', async () => {
    const first = await open();
    await signIn(first, 'bob', 'builder');
    // Bob is an admin: the gated panel loads.
    await cardsReady(first, ['profile', 'projects', 'notifications', 'audit']);

    // The second tab asks the first for the session (memory storage): signed in without a login.
    const second = await open();
    await expect.poll(() => status(second), { timeout: 10_000 }).toBe('signedIn');
    await cardsReady(second, ['profile', 'audit']);
    expect((await kitStats(second)).logins).toBe(1);

    // The refresh held until both tabs' bursts met it: both get their 401s, one tab refreshes, the other waits
    // on the lock and takes the result. Held until released, not delayed: no deadline for a loaded machine.
    await kitControl(first, 'holdRefresh');
    await pull(first, 'Expire access token');
    await Promise.all([fire(first), fire(second)]);
    const refusedPulses = async () =>
      (await kitStats(first)).requests.filter((r) => r.url.includes('/api/pulse/') && r.status === 401)
        .length;
    await expect.poll(refusedPulses, { timeout: 15_000 }).toBe(40);
    await kitControl(first, 'releaseRefresh');
    for (const page of [first, second]) {
      await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');
      await expect.poll(() => timelineRows(page, '/api/pulse/')).toEqual(Array(20).fill('2 ok 200'));
    }
    const stats = await kitStats(first);
    // One server for both tabs, one refresh between them; the rotated refresh token never sent twice.
    expect(stats).toMatchObject({ logins: 1, refreshes: 1, reuseDetected: 0 });
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    const byPath = statusesByPath(stats);
    for (let n = 1; n <= 20; n++) expect(byPath[`/api/pulse/${n}`]?.sort()).toEqual([200, 200, 401, 401]);
    await expect.poll(() => second.getByTestId('kit-refreshes').getAttribute('data-value')).toBe('1');

    await second.getByRole('button', { name: 'Sign out' }).click();
    for (const page of [second, first]) {
      await expect.poll(() => status(page), { timeout: 10_000 }).toBe('signedOut');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // Signed out everywhere: the dashboard's data is gone from both tabs.
      expect(await page.getByTestId('card-projects').count()).toBe(0);
    }
  });

  it('closes the login modal in every tab when it is cancelled in one', async () => {
    const first = await open();
    await signIn(first, 'alice', 'wonderland');
    const second = await open();
    await expect.poll(() => status(second), { timeout: 10_000 }).toBe('signedIn');
    await cardsReady(second, ['profile']);

    await pull(first, 'Revoke refresh token');
    await pull(first, 'Expire access token');
    await fire(first);
    // The refusal reaches the other tab: both ask to sign in again.
    for (const page of [first, second]) {
      await modal(page).getByRole('heading', { name: 'Sign in to continue' }).waitFor({ timeout: 10_000 });
    }
    await modal(first).getByRole('button', { name: 'Cancel' }).click();
    for (const page of [first, second]) {
      await expect.poll(() => status(page), { timeout: 10_000 }).toBe('signedOut');
      expect(await modal(page).count()).toBe(0);
    }
    expect((await kitStats(first)).refreshes).toBe(1);
  });

  it('runs its own mock server in a browser without SharedWorker, and then keeps its session to its tab', async () => {
    await context.addInitScript(() => {
      Reflect.deleteProperty(window, 'SharedWorker');
    });
    const page = await context.newPage();
    await openPlayground(page, app.url, log, 'tab');
    await page.getByText('This tab runs its own mock server').waitFor();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile']);
    await pull(page, 'Expire access token');
    await fire(page);
    await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');
    expect(await kitStats(page)).toMatchObject({ logins: 1, refreshes: 1, reuseDetected: 0 });
    // Another tab has another server, which would refuse this tab's tokens: it is not handed the session.
    const other = await context.newPage();
    await openPlayground(other, app.url, log, 'tab');
    await other.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await status(other)).toBe('signedOut');
    // The warning says why (a console line, not an error).
    expect(log.console.some((line) => line.includes('this tab runs its own mock server'))).toBe(true);
  });

  it('fails the waiting requests with REFRESH_TIMEOUT when the refresh hangs, and keeps the refresh token', async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile']);

    await pull(page, 'Next refresh hangs');
    await pull(page, 'Expire access token');
    await fire(page);
    await expect
      .poll(() => burstResult(page).textContent(), { timeout: 15_000 })
      .toBe('0 / 20 succeeded · 20 × REFRESH_TIMEOUT');
    // A transient fault: no modal; the call still has its grace period to land.
    expect(await status(page)).toBe('refreshing');
    expect(await modal(page).count()).toBe(0);

    // Then it is abandoned (its bar ends failed) and the session goes on with the tokens it had. Only then may
    // the same refresh token be sent again — and it works: the server never redeemed it.
    await page
      .locator('[data-testid="timeline-refresh"][data-outcome="failed"]')
      .waitFor({ timeout: 15_000 });
    expect(await status(page)).toBe('signedIn');
    await fire(page);
    await expect.poll(() => burstResult(page).textContent(), { timeout: 20_000 }).toBe('20 / 20 succeeded');
    const stats = await kitStats(page);
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['forced', 'ok']);
    expect(stats).toMatchObject({ logins: 1, refreshes: 2, reuseDetected: 0 });
  }, 40_000);

  // What a newcomer tripped on (issue 17).
  it('"Revoke refresh token" alone is enough: the next burst meets the refusal and the login modal', async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile']);
    const lever = page.locator('.levers li').filter({ hasText: 'Revoke refresh token' });
    expect(await lever.textContent()).toMatch(/stay valid until it expires/);

    await pull(page, 'Revoke refresh token');
    await fire(page);
    await modal(page).getByRole('heading', { name: 'Sign in to continue' }).waitFor({ timeout: 10_000 });
    await modal(page).getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => burstResult(page).textContent(), { timeout: 15_000 })
      .toBe('0 / 20 succeeded · 20 × REAUTH_CANCELLED');
  });

  it('offers no "Sign out" to a user who never signed in, even with the login modal open for a burst', async () => {
    const page = await open();
    const header = page.locator('header.topbar');
    expect(await header.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await fire(page);
    await modal(page).getByRole('heading', { name: 'Sign in to continue' }).waitFor({ timeout: 10_000 });
    expect(await status(page)).toBe('reauthRequired');
    expect(await header.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await modal(page).getByRole('button', { name: 'Cancel' }).click();
    await expect
      .poll(() => burstResult(page).textContent(), { timeout: 15_000 })
      .toBe('0 / 20 succeeded · 20 × REAUTH_CANCELLED');
  });

  it("explains in the header why it still says refreshing… after REFRESH_TIMEOUT (the refresh's grace period)", async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile']);
    const grace = page.getByTestId('refresh-grace');
    expect(await grace.count()).toBe(0);

    await pull(page, 'Next refresh hangs');
    await pull(page, 'Expire access token');
    await fire(page);
    // Shown from the timeout (when the requests fail) until the grace period ends: 4 s of the session's clock.
    await grace.waitFor({ timeout: 15_000 });
    expect(await grace.textContent()).toBe(
      'requests released at 4 s (REFRESH_TIMEOUT); waiting up to 4 s more for a late answer',
    );
    await expect
      .poll(() => burstResult(page).textContent(), { timeout: 15_000 })
      .toBe('0 / 20 succeeded · 20 × REFRESH_TIMEOUT');
    // The refresh abandoned, the session goes on: the explanation goes with the status.
    await page
      .locator('[data-testid="timeline-refresh"][data-outcome="failed"]')
      .waitFor({ timeout: 15_000 });
    await grace.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await status(page)).toBe('signedIn');
  }, 40_000);

  it("keeps the timeline's labels inside the drawing: REFRESH_UNAVAILABLE whole, nothing past an edge", async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile']);
    await pull(page, 'Next refresh fails (500)');
    await pull(page, 'Expire access token');
    // The failing refresh is held until all 20 have their 401: on a loaded machine a request whose 401 came after
    // the failure would rightly start a new refresh (which succeeds) instead of sharing the failed one.
    await kitControl(page, 'holdRefresh');
    await fire(page);
    await expect.poll(() => page.getByTestId('kit-unauthorized').getAttribute('data-value')).toBe('20');
    await kitControl(page, 'releaseRefresh');
    await expect
      .poll(() => burstResult(page).textContent(), { timeout: 15_000 })
      .toBe('0 / 20 succeeded · 20 × REFRESH_UNAVAILABLE');
    await page.locator('[data-testid="timeline-refresh"][data-outcome="failed"]').waitFor();

    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 700, height: 900 },
      { width: 420, height: 900 },
    ]) {
      await page.setViewportSize(viewport);
      // Let the drawing follow its new width (a ResizeObserver, then a frame).
      await expect
        .poll(() =>
          page
            .locator('svg.timeline-chart')
            .evaluate((svg) => Math.abs(svg.getBoundingClientRect().width - svg.parentElement!.clientWidth)),
        )
        .toBeLessThan(2);
      const misplaced = await page.locator('svg.timeline-chart').evaluate((svg) => {
        const chart = svg as SVGSVGElement;
        const width = chart.viewBox.baseVal.width;
        const clip = chart.querySelector('clipPath rect') as SVGRectElement;
        const plot = { left: clip.x.baseVal.value, right: clip.x.baseVal.value + clip.width.baseVal.value };
        const out: string[] = [];
        for (const text of chart.querySelectorAll<SVGTextElement>('text')) {
          const box = text.getBBox();
          if (box.width === 0) continue;
          // Lane labels are clipped to the plot; the others must stay inside the drawing.
          const isClipped = text.closest('[clip-path]') !== null;
          const [left, right] = isClipped ? [plot.left, plot.right] : [0, width];
          if (box.x < left - 0.5 || box.x + box.width > right + 0.5) {
            out.push(
              `${text.textContent} at ${Math.round(box.x)}–${Math.round(box.x + box.width)} (room ${left}–${right})`,
            );
          }
        }
        return out;
      });
      expect(misplaced, `at ${viewport.width} px`).toEqual([]);
      if (viewport.width === 1280) {
        const outcomes = await page.getByTestId('timeline-outcome').allTextContents();
        expect(outcomes.filter((text) => text.startsWith('✗ REFRESH_UNAVAILABLE')).length).toBeGreaterThan(0);
        const label = await page
          .locator('[data-testid="timeline-refresh"][data-outcome="failed"] .tl-bar-label')
          .textContent();
        expect(label).toMatch(/^✗ REFRESH_UNAVAILABLE · /);
      }
    }
  });
});
