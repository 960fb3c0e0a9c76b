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
  paintsOf,
  pull,
  recordPaints,
  reloadPlayground,
  requestsWithAuthorization,
  serveStatic,
  signIn,
  status,
  statusesByPath,
  TOKEN_SHAPES,
  timelineRows,
} from './support/playground';

type Model = 'tokens' | 'refresh' | 'session';

// The playground's three session models (its "Where the credentials live" switch, `?model=`), in Chromium: the
// production build, the msw kit in a SharedWorker per model behind msw's service worker, the browser's cookies
// kept beside the server. Each test gets a fresh browser context, so fresh servers and no cookies.
describe.runIf(hasChromium())("the playground's session models in Chromium", () => {
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
    // Every tab of the test: no uncaught error, and no token in the page, its storage or anything it logged.
    for (const page of context.pages()) {
      expect(await page.content()).not.toMatch(TOKEN_SHAPES);
      expect(await readableByScripts(page)).not.toMatch(TOKEN_SHAPES);
    }
    await context.close();
    expect(log.errors).toEqual([]);
    expect(log.console.filter((line) => TOKEN_SHAPES.test(line))).toEqual([]);
  });

  const urlOf = (model: Model) => (model === 'tokens' ? app.url : `${app.url}?model=${model}`);
  async function open(model: Model, page?: Page): Promise<Page> {
    const tab = page ?? (await context.newPage());
    await openPlayground(tab, urlOf(model), log);
    expect(await modelOf(tab)).toBe(model);
    return tab;
  }
  const modelOf = (page: Page) =>
    page.evaluate(() => (window as unknown as { playground: { model: string } }).playground.model);
  // What any script of the page could read: its storage and its cookies.
  const readableByScripts = (page: Page) =>
    page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage, cookie: document.cookie }));
  const signedIn = (page: Page) =>
    page.getByTestId('session-status').and(page.locator('[data-status="signedIn"]')).waitFor();
  // The switch's segment, as a person clicks it (the radio inside is hidden behind its label).
  const choose = (page: Page, label: string) =>
    page.locator('.model-switch .segmented label').filter({ hasText: label }).click();
  const cookieNames = (page: Page) => page.getByTestId('kit-cookies').getAttribute('data-names');
  const refreshOutcomes = async (page: Page) =>
    (await kitStats(page)).refreshCalls.map((call) => call.outcome);

  // The lever that expires the credential the API checks, in each model's words.
  const EXPIRE: Record<Model, string> = {
    tokens: 'Expire access token',
    refresh: 'Expire access token',
    session: 'Expire session',
  };
  // The cookie the browser holds for the API once signed in.
  const COOKIE: Record<Model, string> = { tokens: '', refresh: 'reauth_refresh', session: 'reauth_session' };

  for (const model of ['tokens', 'refresh', 'session'] as const) {
    it(`${model}: refreshes once for 20 expired requests and replays every one of them`, async () => {
      const page = await open(model);
      // Never signed in here: a refresh cookie's restore finds no cookie, and the sign-in form shows.
      await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
      expect(await page.locator('.model-switch input:checked').getAttribute('value')).toBe(model);
      await signIn(page, 'alice', 'wonderland');
      await cardsReady(page, ['profile', 'projects', 'notifications']);
      // The server knew who asked: by the bearer token, or by the session cookie alone.
      expect(await page.getByTestId('card-profile').textContent()).toContain('the server knows you as alice');
      await expect.poll(() => cookieNames(page)).toBe(COOKIE[model]);
      if (model === 'session') {
        expect(await page.getByTestId('session-cookie').textContent()).toBe('session cookie');
        expect(await page.getByTestId('expires-in').count()).toBe(0);
      } else {
        expect(await page.getByTestId('expires-in').textContent()).toMatch(/^token expires in [45]:\d\d$/);
      }

      await pull(page, EXPIRE[model]);
      await fire(page);
      await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');

      const stats = await kitStats(page);
      expect(stats).toMatchObject({ logins: 1, reuseDetected: 0 });
      // One refresh for the burst; with a refresh cookie, after the page load's restore, which had no cookie yet.
      expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(
        model === 'refresh' ? ['malformed', 'ok'] : ['ok'],
      );
      // Every protected request carried the credential: the bearer token, or the session cookie.
      expect(stats.requests.every((request) => request.hadToken)).toBe(true);
      const byPath = statusesByPath(stats);
      for (let n = 1; n <= 20; n++) expect(byPath[`/api/pulse/${n}`]).toEqual([401, 200]);
      expect(await status(page)).toBe('signedIn');
      expect(await modal(page).count()).toBe(0);
      await expect.poll(() => timelineRows(page, '/api/pulse/')).toEqual(Array(20).fill('2 ok 200'));
      // Rotated, still one cookie (a Max-Age=0 clear or a second Path would show as another).
      await expect.poll(() => cookieNames(page)).toBe(COOKIE[model]);
    });
  }

  it('refresh: a reload restores the session by one silent refresh, and never shows a login form', async () => {
    await recordPaints(context);
    const page = await open('refresh');
    await signIn(page, 'bob', 'builder');
    await cardsReady(page, ['profile', 'audit']);
    expect(await page.getByTestId('reload-outcome').textContent()).toMatch(/restoring…”, then signed in/);

    // The "Reload the page" button: the page loads anew, the access token (memory) is gone, the cookie is not.
    await page.getByRole('button', { name: 'Reload the page' }).click();
    await page.waitForFunction(() => 'playground' in window, null, { timeout: 30_000 });
    await signedIn(page);
    await cardsReady(page, ['profile', 'audit']);
    let paints = await paintsOf(page);
    expect(paints.statuses.at(-1)).toBe('signedIn');
    expect(paints.statuses).not.toContain('signedOut');
    expect(paints.sawSignInForm).toBe(false);
    expect(paints.sawLoginModal).toBe(false);
    expect(await refreshOutcomes(page)).toEqual(['malformed', 'ok']);

    // Once more with the refresh held: what the page shows while it restores, then signed in.
    await kitControl(page, 'holdRefresh');
    await reloadPlayground(page);
    await page.getByTestId('restoring').waitFor();
    expect(await status(page)).toBe('restoring');
    expect(await page.getByTestId('session-status').textContent()).toBe('restoring…');
    await kitControl(page, 'releaseRefresh');
    await signedIn(page);
    await cardsReady(page, ['profile', 'audit']);
    paints = await paintsOf(page);
    expect(paints).toEqual({
      statuses: ['restoring', 'signedIn'],
      sawSignInForm: false,
      sawLoginModal: false,
    });
    const stats = await kitStats(page);
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['malformed', 'ok', 'ok']);
    expect(stats).toMatchObject({ logins: 1, reuseDetected: 0 });
  }, 60_000);

  it('refresh: two tabs share the cookie — one refresh for both, and the next from the other tab presents the rotated one', async () => {
    const first = await open('refresh');
    await signIn(first, 'alice', 'wonderland');
    await cardsReady(first, ['profile']);
    // The second tab asks the first for the access token: signed in without a login or a refresh.
    const second = await open('refresh');
    await expect.poll(() => status(second), { timeout: 10_000 }).toBe('signedIn');
    await cardsReady(second, ['profile']);

    // Held until both bursts met it: one tab refreshes, the other waits on the lock and takes the result.
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
    }
    expect(await refreshOutcomes(first)).toEqual(['malformed', 'ok']);

    // The cookie rotated; the other tab's next refresh sends the new one (a stale copy would be reuse, and
    // would revoke the whole family).
    await pull(second, 'Expire access token');
    await fire(second);
    await expect.poll(() => burstResult(second).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');
    const stats = await kitStats(second);
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['malformed', 'ok', 'ok']);
    expect(stats).toMatchObject({ logins: 1, reuseDetected: 0 });
  }, 60_000);

  it('session: no Authorization header ever; an ended session opens the login modal, and the sign-in resumes the burst', async () => {
    await recordPaints(context);
    const page = await context.newPage();
    const sent = requestsWithAuthorization(page);
    await open('session', page);
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile', 'projects', 'notifications']);
    // sessionStorage holds who signed in, and nothing else (no token exists in this model).
    const stored = await page.evaluate(() => sessionStorage.getItem('reauth-playground-session'));
    expect(stored).toContain('alice');
    expect(stored).not.toMatch(/token/i);

    await pull(page, 'End session');
    await fire(page);
    await modal(page).getByRole('heading', { name: 'Sign in to continue' }).waitFor({ timeout: 10_000 });
    expect(await modal(page).textContent()).toContain('Your session expired and could not be renewed.');
    expect(await status(page)).toBe('reauthRequired');
    expect(await modal(page).getByLabel('Username').inputValue()).toBe('alice');
    await modal(page).getByLabel('Password').fill('wonderland');
    await modal(page).getByRole('button', { name: 'Sign in and resume' }).click();
    await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');
    expect(await modal(page).count()).toBe(0);
    expect(await status(page)).toBe('signedIn');

    const stats = await kitStats(page);
    expect(stats).toMatchObject({ logins: 2, reuseDetected: 0 });
    // The sliding refresh was refused (the session was ended), then the modal's sign-in set a new cookie.
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['revoked']);
    const byPath = statusesByPath(stats);
    for (let n = 1; n <= 20; n++) expect(byPath[`/api/pulse/${n}`]).toEqual([401, 200]);
    // The session cookie went with every protected request (hadToken: "had the session cookie")…
    expect(stats.requests.every((request) => request.hadToken)).toBe(true);
    // …and no request of the page carried an Authorization header.
    expect(sent.all.length).toBeGreaterThanOrEqual(45);
    expect(sent.withAuthorization).toEqual([]);

    // A reload starts signed in at once (sessionStorage), and the browser's cookie still opens the API.
    await reloadPlayground(page);
    await cardsReady(page, ['profile', 'projects', 'notifications']);
    expect(await paintsOf(page)).toEqual({
      statuses: ['signedIn'],
      sawSignInForm: false,
      sawLoginModal: false,
    });
    // Another tab (its sessionStorage empty) asks this one who is signed in, and shares the cookie.
    const second = await open('session');
    await expect.poll(() => status(second), { timeout: 10_000 }).toBe('signedIn');
    await cardsReady(second, ['profile']);
    expect(await second.getByTestId('user').textContent()).toBe('alice (user)');
    expect(sent.withAuthorization).toEqual([]);
  }, 60_000);

  it('switches models by reloading into the new one, signed out, and ends the session of the old one on its server', async () => {
    const page = await open('tokens');
    await signIn(page, 'alice', 'wonderland');
    await cardsReady(page, ['profile']);

    await choose(page, 'Refresh cookie');
    await page.waitForURL(/\?model=refresh$/);
    await page.waitForFunction(() => 'playground' in window, null, { timeout: 30_000 });
    expect(await modelOf(page)).toBe('refresh');
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    expect(await status(page)).toBe('signedOut');
    expect(await page.locator('.model-lines li[aria-current="true"]').getAttribute('data-model')).toBe(
      'refresh',
    );
    await signIn(page, 'bob', 'builder');
    await expect.poll(() => cookieNames(page)).toBe('reauth_refresh');

    await choose(page, 'Cookie session');
    await page.waitForURL(/\?model=session$/);
    await page.waitForFunction(() => 'playground' in window, null, { timeout: 30_000 });
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    expect(await modelOf(page)).toBe('session');
    expect(await cookieNames(page)).toBe('');

    // Back to the refresh cookie: the switch logged out there, so there is no cookie left to restore with.
    await choose(page, 'Refresh cookie');
    await page.waitForURL(/\?model=refresh$/);
    await page.waitForFunction(() => 'playground' in window, null, { timeout: 30_000 });
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    expect(await status(page)).toBe('signedOut');
    expect(await cookieNames(page)).toBe('');
    // The same server (it outlives its pages for a while): it saw bob's login and the switch's logout, and this
    // page's restore presented no cookie.
    const stats = await kitStats(page);
    expect(stats).toMatchObject({ logins: 1, logouts: 1 });
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['malformed', 'malformed']);

    await choose(page, 'Tokens in JS');
    await page.waitForURL((url) => url.search === '');
    await page.waitForFunction(() => 'playground' in window, null, { timeout: 30_000 });
    expect(await modelOf(page)).toBe('tokens');
  }, 60_000);

  for (const model of ['refresh', 'session'] as const) {
    it(`${model}: runs with the browser's cookies in the tab too, where there is no SharedWorker`, async () => {
      await context.addInitScript(() => {
        Reflect.deleteProperty(window, 'SharedWorker');
      });
      const page = await context.newPage();
      await openPlayground(page, urlOf(model), log, 'tab');
      expect(await modelOf(page)).toBe(model);
      await signIn(page, 'alice', 'wonderland');
      await cardsReady(page, ['profile']);
      await expect.poll(() => cookieNames(page)).toBe(COOKIE[model]);
      await pull(page, EXPIRE[model]);
      await fire(page);
      await expect.poll(() => burstResult(page).textContent(), { timeout: 15_000 }).toBe('20 / 20 succeeded');
      const stats = await kitStats(page);
      expect(stats).toMatchObject({ logins: 1, reuseDetected: 0 });
      expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(
        model === 'refresh' ? ['malformed', 'ok'] : ['ok'],
      );
    }, 40_000);
  }

  // What a reload of the only tab sometimes meets (about once in 20 on a loaded machine): msw's worker unregisters
  // itself when its last page goes, and the new page loads uncontrolled, so its requests would reach the network
  // unmocked. Made certain here: the worker is unregistered while a page still uses it, and a new page loads.
  it('gets its mock API even when the page loads while msw’s worker is unregistering (one reload more)', async () => {
    const first = await open('refresh');
    await first.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.unregister();
    });
    const second = await context.newPage();
    const loads: string[] = [];
    second.on('load', () => loads.push(second.url()));
    await open('refresh', second);
    // Controlled by msw's worker: the requests below are the mock's (the static server would answer index.html).
    expect(await second.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    await signIn(second, 'alice', 'wonderland');
    await cardsReady(second, ['profile']);
    // At most one reload more than the page's own load.
    expect(loads.length).toBeLessThanOrEqual(2);
  });
});
