import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../browser/support/browser';
import {
  buildPlayground,
  kitStats,
  openPlayground,
  serveStatic,
  signIn,
  statusesByPath,
} from './support/playground';

// The playground (examples/playground) as a person uses it, in Chromium: built by Vite, its API the msw kit
// in a service worker + SharedWorker, nothing else behind it. Each test gets a fresh browser context, so a
// fresh mock server.
describe.runIf(hasChromium())('the playground in Chromium', () => {
  let browser: Browser;
  let app: { url: string; close(): Promise<void> };
  let removeBuild: () => Promise<void>;
  let context: BrowserContext;
  let pageErrors: string[];

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
    pageErrors = [];
  });
  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  async function open(): Promise<Page> {
    const page = await context.newPage();
    const { errors } = await openPlayground(page, app.url);
    pageErrors = errors;
    return page;
  }

  // Loaded, and not fetching any more (a card keeps its data while it refetches).
  const cardsReady = async (page: Page, names: string[]) => {
    for (const name of names) {
      await page.locator(`[data-testid="card-${name}"][data-state="ready"][aria-busy="false"]`).waitFor();
    }
  };
  const burstResult = (page: Page) => page.getByTestId('burst-result');

  it('refreshes once for 20 expired requests and replays every one of them, silently', async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile', 'projects', 'notifications']);
    // Alice is not an admin: the gated panel is the fallback, and its request is never made.
    await page.getByTestId('card-audit-locked').waitFor();

    await page.getByRole('button', { name: 'Expire access token' }).click();
    await page.getByText('Done: expire access token.').waitFor();
    await page.getByRole('button', { name: 'Fire 20 requests' }).click();
    await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');

    const stats = await kitStats(page);
    expect(stats).toMatchObject({ logins: 1, refreshes: 1, reuseDetected: 0 });
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    const byPath = statusesByPath(stats);
    for (let n = 1; n <= 20; n++) expect(byPath[`/api/pulse/${n}`]).toEqual([401, 200]);
    expect(byPath['/api/admin/audit']).toBeUndefined();
    // What the page shows: signed in all along, no modal, the counters, the timeline's picture.
    await expect.poll(() => page.getByTestId('session-status').getAttribute('data-status')).toBe('signedIn');
    expect(await page.locator('dialog[open]').count()).toBe(0);
    await expect.poll(() => page.getByTestId('kit-refreshes').getAttribute('data-value')).toBe('1');
    const pulseRows = page.locator('[data-testid="timeline-request"][data-path^="/api/pulse/"]');
    await expect.poll(() => pulseRows.count()).toBe(20);
    expect(
      await pulseRows.evaluateAll((rows) =>
        rows.map((row) => `${row.dataset.sends} ${row.dataset.outcome} ${row.dataset.status}`),
      ),
    ).toEqual(Array(20).fill('2 ok 200'));
    expect(await page.locator('[data-testid="timeline-refresh"][data-outcome="ok"]').count()).toBe(1);
    expect(
      await page
        .locator('[data-testid="timeline-diagnosis"][data-cause="expired_token"]')
        .getAttribute('data-count'),
    ).toBe('20');
    // No token on the page: not in the text, not in an attribute.
    const token = await page.evaluate(() =>
      (
        window as unknown as { playground: { session: { getAccessToken(): Promise<string | null> } } }
      ).playground.session.getAccessToken(),
    );
    expect(token).toBeTruthy();
    expect(await page.content()).not.toContain(token);
  });

  it('opens the login modal when the refresh is refused, and resumes the waiting queries after the sign-in', async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile', 'projects', 'notifications']);

    await page.getByRole('button', { name: 'Revoke refresh token' }).click();
    await page.getByText('Done: revoke refresh token.').waitFor();
    await page.getByRole('button', { name: 'Expire access token' }).click();
    await page.getByText('Done: expire access token.').waitFor();
    await page.getByRole('button', { name: 'Refetch dashboard' }).click();

    const modal = page.locator('dialog[open]');
    await modal.getByRole('heading', { name: 'Sign in to continue' }).waitFor();
    expect(await page.getByTestId('session-status').getAttribute('data-status')).toBe('reauthRequired');
    // The page behind the modal stays, with its data: a known user re-authenticating is still authenticated.
    expect(await page.locator('[data-testid="card-projects"]').textContent()).toContain('Checkout rewrite');
    // The username is filled in for the user who was signed in; a wrong password keeps the modal open.
    expect(await modal.getByLabel('Username').inputValue()).toBe('alice');
    await modal.getByLabel('Password').fill('not-it');
    await modal.getByRole('button', { name: 'Sign in and resume' }).click();
    await modal.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();

    await modal.getByLabel('Password').fill('wonderland');
    await modal.getByRole('button', { name: 'Sign in and resume' }).click();
    await page
      .locator('dialog[open]')
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
    await expect.poll(() => page.getByTestId('session-status').getAttribute('data-status')).toBe('signedIn');
    await cardsReady(page, ['profile', 'projects', 'notifications']);

    const stats = await kitStats(page);
    expect(stats).toMatchObject({ logins: 2, failedLogins: 1, refreshes: 1, reuseDetected: 0 });
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['revoked']);
    // Each query: loaded, refused with the expired token, replayed once after the sign-in — never sent a 4th time.
    const byPath = statusesByPath(stats);
    for (const path of ['/api/profile', '/api/projects', '/api/notifications']) {
      expect(byPath[path]).toEqual([200, 401, 200]);
    }
    expect(await page.locator('[data-testid="card-projects"] [role="alert"]').count()).toBe(0);
    expect(await page.locator('[data-testid="timeline-refresh"][data-outcome="failed"]').count()).toBe(1);
    expect(await page.locator('[data-testid="timeline-prompt"][data-outcome="resolved"]').count()).toBe(1);
  });

  it('fails the waiting requests cleanly and signs out when the login modal is dismissed', async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile', 'projects', 'notifications']);

    await page.getByRole('button', { name: 'Revoke refresh token' }).click();
    await page.getByText('Done: revoke refresh token.').waitFor();
    await page.getByRole('button', { name: 'Expire access token' }).click();
    await page.getByText('Done: expire access token.').waitFor();
    await page.getByRole('button', { name: 'Fire 20 requests' }).click();
    const modal = page.locator('dialog[open]');
    await modal.getByRole('heading', { name: 'Sign in to continue' }).waitFor();
    await modal.getByRole('button', { name: 'Cancel' }).click();

    await expect
      .poll(() => burstResult(page).textContent(), { timeout: 15_000 })
      .toBe('0 / 20 succeeded · 20 × REAUTH_CANCELLED');
    await expect.poll(() => page.getByTestId('session-status').getAttribute('data-status')).toBe('signedOut');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.locator('dialog[open]').count()).toBe(0);

    const stats = await kitStats(page);
    expect(stats).toMatchObject({ logins: 1, refreshes: 1, reuseDetected: 0 });
    // Each request of the burst was sent once: its 401 waited for the modal, and was never replayed.
    const byPath = statusesByPath(stats);
    for (let n = 1; n <= 20; n++) expect(byPath[`/api/pulse/${n}`]).toEqual([401]);
    expect(await page.locator('[data-testid="timeline-prompt"][data-outcome="cancelled"]').count()).toBe(1);
    const rows = page.locator('[data-testid="timeline-request"][data-path^="/api/pulse/"]');
    expect(
      await rows.evaluateAll((all) => all.map((row) => `${row.dataset.sends} ${row.dataset.outcome}`)),
    ).toEqual(Array(20).fill('1 failed'));
  });

  it('shares one session between two tabs: one refresh for both, and a sign-out in one reaches the other', async () => {
    const first = await open();
    await signIn(first, 'bob', 'builder');
    // Bob is an admin: the gated panel loads.
    await cardsReady(first, ['profile', 'projects', 'notifications', 'audit']);

    // The second tab asks the first for the session (memory storage): signed in without a login.
    const second = await open();
    await expect
      .poll(() => second.getByTestId('session-status').getAttribute('data-status'))
      .toBe('signedIn');
    await cardsReady(second, ['profile', 'audit']);
    expect((await kitStats(second)).logins).toBe(1);

    await first.getByRole('button', { name: 'Expire access token' }).click();
    await first.getByText('Done: expire access token.').waitFor();
    await Promise.all([
      first.getByRole('button', { name: 'Fire 20 requests' }).click(),
      second.getByRole('button', { name: 'Fire 20 requests' }).click(),
    ]);
    for (const page of [first, second]) {
      await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');
    }
    const stats = await kitStats(first);
    // One server for both tabs, one refresh between them; the rotated refresh token never sent twice.
    expect(stats).toMatchObject({ logins: 1, refreshes: 1, reuseDetected: 0 });
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    await expect.poll(() => second.getByTestId('kit-refreshes').getAttribute('data-value')).toBe('1');

    await second.getByRole('button', { name: 'Sign out' }).click();
    for (const page of [second, first]) {
      await expect
        .poll(() => page.getByTestId('session-status').getAttribute('data-status'))
        .toBe('signedOut');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    }
    // Signed out everywhere: the dashboard's data is gone from both tabs.
    expect(await first.getByTestId('card-projects').count()).toBe(0);
  });

  it('fails the waiting requests with REFRESH_TIMEOUT when the refresh hangs, and keeps the refresh token', async () => {
    const page = await open();
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile']);

    await page.getByRole('button', { name: 'Next refresh hangs' }).click();
    await page.getByText('Done: next refresh hangs.').waitFor();
    await page.getByRole('button', { name: 'Expire access token' }).click();
    await page.getByText('Done: expire access token.').waitFor();
    await page.getByRole('button', { name: 'Fire 20 requests' }).click();
    await expect
      .poll(() => burstResult(page).textContent(), { timeout: 15_000 })
      .toBe('0 / 20 succeeded · 20 × REFRESH_TIMEOUT');
    // A transient fault: still signed in, no modal.
    expect(await page.getByTestId('session-status').getAttribute('data-status')).not.toBe('signedOut');
    expect(await page.locator('dialog[open]').count()).toBe(0);

    // The hung call gets as long again to land, then is abandoned (its bar ends failed); only then may the
    // same refresh token be sent again — and it works: the server never redeemed it.
    await page
      .locator('[data-testid="timeline-refresh"][data-outcome="failed"]')
      .waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Fire 20 requests' }).click();
    await expect.poll(() => burstResult(page).textContent(), { timeout: 20_000 }).toBe('20 / 20 succeeded');
    const stats = await kitStats(page);
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['forced', 'ok']);
    expect(stats).toMatchObject({ logins: 1, refreshes: 2, reuseDetected: 0 });
  }, 40_000);
});
