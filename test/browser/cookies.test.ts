import type { SessionState } from '@reauth/core';
import type { Browser, BrowserContext, Page, Request, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from '../support/authServer';
import { bundlePage, hasChromium, html, launchChromium } from './support/browser';

interface CookieTabApp {
  model: 'refresh' | 'session';
  state(): SessionState;
  statuses(): SessionState['status'][];
  shown(): string[];
  screen(): string | null;
  events(): string[];
  prompts(): { reason: string; isAborted: boolean }[];
  refreshes(): number;
  accessToken(): Promise<string | null>;
  signIn(username: string, password: string): Promise<number>;
  burst(count: number): Promise<(number | string)[]>;
}
declare const app: CookieTabApp;

// Generous for a loaded 2-core machine, and finite: a condition that never comes fails the test.
const WAIT_MS = 15_000;
const TEST_MS = 45_000;

// The real browser's cookie jar: pages and API on one origin (the cookies are SameSite=Strict), the msw kit
// behind a node:http server that sets real httpOnly cookies, tabs of one context sharing them.
describe.runIf(hasChromium())('cookie sessions in Chromium, with its own cookie jar', () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  let pageErrors: Error[] = [];
  let files: Record<string, { type: string; body: string }>;

  beforeAll(async () => {
    files = {
      '/': { type: 'text/html', body: html('/cookieTab.js') },
      '/cookieTab.js': { type: 'text/javascript', body: await bundlePage('cookieTab.ts') },
      // A page under the refresh cookie's Path: there `document.cookie` would list it, were it not httpOnly.
      '/auth/probe': { type: 'text/html', body: '<!doctype html><title>probe</title>' },
    };
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    const errors = pageErrors;
    pageErrors = [];
    expect(errors).toEqual([]);
  });

  async function newContext(): Promise<BrowserContext> {
    context = await browser.newContext();
    context.setDefaultTimeout(WAIT_MS);
    return context;
  }

  /** A tab of the app, once its session knows whether it is signed in (restoring ended). */
  async function openTab(server: { url: string }, query = ''): Promise<Page> {
    const page = await (context ?? (await newContext())).newPage();
    page.on('pageerror', (error) => void pageErrors.push(error));
    await page.goto(`${server.url}/${query}`);
    await settled(page);
    return page;
  }

  /** Waits for the page's script to run and its session to leave 'restoring'. */
  async function settled(page: Page): Promise<void> {
    await page.waitForFunction(() => document.title === 'ready');
    await page.waitForFunction(() => app.state().status !== 'restoring');
  }

  /** Signs in as a user would: through the login form on screen. */
  async function signInWithForm(page: Page, username: string, password: string): Promise<void> {
    await page.fill('#login-form input[name=username]', username);
    await page.fill('#login-form input[name=password]', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => app.state().status === 'signedIn');
  }

  async function cookieNamed(name: string) {
    return (await context!.cookies()).find((cookie) => cookie.name === name);
  }

  /** Every Set-Cookie of `name` the browser receives from now on, with the path of the response that carried it. */
  function watchSetCookies(name: string) {
    const paths: string[] = [];
    const received: Promise<{ path: string; setCookie: string[] }>[] = [];
    context!.on('response', (response: Response) => {
      const path = new URL(response.url()).pathname;
      paths.push(path);
      received.push(
        response.headerValues('set-cookie').then((values) => ({
          path,
          setCookie: values.filter((value) => value.startsWith(`${name}=`)),
        })),
      );
    });
    return {
      /** Responses from `path` seen so far (the browser reports them a moment after the page has read them). */
      countFrom: (path: string) => paths.filter((seen) => seen === path).length,
      /** The responses that carried a Set-Cookie of `name`. */
      all: async () => (await Promise.all(received)).filter((response) => response.setCookie.length > 0),
    };
  }

  describe("cookies: 'refresh' (an httpOnly refresh cookie, the access token in memory)", () => {
    let server: AuthServer<'refresh'>;
    beforeAll(async () => {
      server = await startAuthServer({ cookies: 'refresh', files });
    });
    afterAll(async () => {
      await server?.close();
    });

    it(
      'two tabs: JS never sees the cookie; after an expiry, bursts in both at once make one refresh and the cookie rotates once',
      async () => {
        await newContext();
        const [a, b] = [await openTab(server), await openTab(server)];
        // No cookie yet: each tab's start-up refresh was refused, quietly.
        expect(await a.evaluate(() => [app.screen(), app.state().error])).toEqual(['login-form', null]);
        await signInWithForm(a, 'alice', 'wonderland');
        await b.waitForFunction(() => app.state().status === 'signedIn');
        expect(await b.evaluate(() => app.state().user?.sub)).toBe('alice');

        const before = await cookieNamed('reauth_refresh');
        expect(before).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/auth' });
        expect(await a.evaluate(() => document.cookie)).not.toContain('reauth_refresh');
        // Under the cookie's own Path, where a script-visible cookie would show: only the probe's own.
        const probe = await context!.newPage();
        await probe.goto(`${server.url}/auth/probe`);
        const probeSees = await probe.evaluate(() => {
          // biome-ignore lint/suspicious/noDocumentCookie: what document.cookie shows is the point of the probe
          document.cookie = 'probe=1; Path=/auth';
          return document.cookie;
        });
        expect(probeSees).toContain('probe=1');
        expect(probeSees).not.toContain('reauth_refresh');
        await probe.close();

        const tabs = [a, b];
        const refreshesBefore = await Promise.all(tabs.map((tab) => tab.evaluate(() => app.refreshes())));
        server.controls.clearStats();
        server.controls.expireAccessTokens();
        const setCookies = watchSetCookies('reauth_refresh');

        const results = await Promise.all(tabs.map((tab) => tab.evaluate(() => app.burst(10))));

        expect(results.flat()).toEqual(Array(20).fill(200));
        expect(server.stats.refreshes).toBe(1);
        expect(server.stats.reuseDetected).toBe(0);
        expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
        const refreshesAfter = await Promise.all(tabs.map((tab) => tab.evaluate(() => app.refreshes())));
        expect(refreshesAfter.reduce((sum, n, i) => sum + n - refreshesBefore[i]!, 0)).toBe(1);
        // Every request carried a bearer token; every 401 was replayed once.
        expect(server.stats.requests.every((request) => request.hadToken)).toBe(true);
        expect(server.stats.requests.length).toBeLessThanOrEqual(40);
        // The jar's cookie changed, once: one Set-Cookie, from the one refresh, and it is what the jar holds.
        const after = await cookieNamed('reauth_refresh');
        expect(after).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/auth' });
        expect(after?.value).not.toBe(before?.value);
        await expect.poll(() => setCookies.countFrom('/auth/refresh'), { timeout: WAIT_MS }).toBe(1);
        const rotations = await setCookies.all();
        expect(rotations.map((response) => response.path)).toEqual(['/auth/refresh']);
        expect(rotations[0]?.setCookie).toHaveLength(1);
        expect(rotations[0]?.setCookie[0]?.startsWith(`reauth_refresh=${after?.value};`)).toBe(true);
      },
      TEST_MS,
    );

    it(
      'a reload restores the session by one silent refresh: "loading", then the app — the login form never rendered',
      async () => {
        await newContext();
        const tab = await openTab(server);
        await signInWithForm(tab, 'alice', 'wonderland');
        server.controls.clearStats();

        await tab.reload();
        await settled(tab);

        expect(await tab.evaluate(() => app.statuses())).toEqual(['restoring', 'signedIn']);
        expect(await tab.evaluate(() => app.shown())).toEqual(['loading', 'app']);
        expect(await tab.evaluate(() => [app.state().user?.sub, app.state().error])).toEqual(['alice', null]);
        expect(server.stats.refreshes).toBe(1);
        expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
        expect(await tab.evaluate(() => app.refreshes())).toBe(1);
        // The restored access token is a real one: the API takes it, with no further refresh.
        expect(await tab.evaluate(() => app.burst(3))).toEqual([200, 200, 200]);
        expect(server.stats.refreshes).toBe(1);
        expect(server.stats.reuseDetected).toBe(0);
        expect(await tab.evaluate(() => app.prompts())).toEqual([]);
      },
      TEST_MS,
    );

    it(
      'a reload while another tab is open: that tab hands the session over, no refresh at all, no login form',
      async () => {
        await newContext();
        const a = await openTab(server);
        await signInWithForm(a, 'alice', 'wonderland');
        server.controls.clearStats();
        // A tab opened now is handed the session by the open one, too.
        const b = await openTab(server);
        expect(await b.evaluate(() => app.statuses())).toEqual(['restoring', 'signedIn']);
        expect(await b.evaluate(() => app.shown())).toEqual(['loading', 'app']);

        await a.reload();
        await settled(a);

        expect(await a.evaluate(() => app.statuses())).toEqual(['restoring', 'signedIn']);
        expect(await a.evaluate(() => app.shown())).toEqual(['loading', 'app']);
        expect(await a.evaluate(() => app.state().user?.sub)).toBe('alice');
        expect(server.stats.refreshes).toBe(0);
        expect(await Promise.all([a, b].map((tab) => tab.evaluate(() => app.refreshes())))).toEqual([0, 0]);
        expect(await a.evaluate(() => app.burst(3))).toEqual([200, 200, 200]);
        expect(server.stats.refreshes).toBe(0);
      },
      TEST_MS,
    );

    it(
      'a reload with a refused cookie: signed out quietly (error null), the login form shown, no prompt opened',
      async () => {
        await newContext();
        const tab = await openTab(server);
        await signInWithForm(tab, 'bob', 'builder');
        expect(await cookieNamed('reauth_refresh')).toBeDefined();
        server.controls.revokeRefreshTokens();
        server.controls.clearStats();

        await tab.reload();
        await settled(tab);

        expect(await tab.evaluate(() => app.statuses())).toEqual(['restoring', 'signedOut']);
        expect(await tab.evaluate(() => app.shown())).toEqual(['loading', 'login-form']);
        expect(await tab.evaluate(() => [app.screen(), app.state().error])).toEqual(['login-form', null]);
        expect(await tab.evaluate(() => app.prompts())).toEqual([]);
        expect(await tab.evaluate(() => app.events())).not.toContain('reauthRequired');
        expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['rejected']);
        // The refusal cleared the cookie; the login form signs in again and sets a new one.
        expect(await cookieNamed('reauth_refresh')).toBeUndefined();
        await signInWithForm(tab, 'bob', 'builder');
        expect(await cookieNamed('reauth_refresh')).toMatchObject({ httpOnly: true });
        expect(await tab.evaluate(() => app.burst(1))).toEqual([200]);
      },
      TEST_MS,
    );
  });

  describe("cookies: 'session' (a session cookie, no token in JS)", () => {
    let server: AuthServer<'session'>;
    beforeAll(async () => {
      server = await startAuthServer({ cookies: 'session', files });
    });
    afterAll(async () => {
      await server?.close();
    });

    /** The headers Chromium sent (as it sent them: cookies included) with each request to the test API. */
    function watchApiRequests() {
      const sent: Promise<Record<string, string>>[] = [];
      context!.on('request', (request: Request) => {
        if (new URL(request.url()).pathname.startsWith('/api/')) sent.push(request.allHeaders());
      });
      return { count: () => sent.length, all: () => Promise.all(sent) };
    }

    it(
      'signed in by the cookie alone: no token in JS, no Authorization header, the browser sends the cookie',
      async () => {
        await newContext();
        const sent = watchApiRequests();
        const tab = await openTab(server, '?cookies=session');
        expect(await tab.evaluate(() => [app.model, app.screen()])).toEqual(['session', 'login-form']);
        await signInWithForm(tab, 'alice', 'wonderland');

        expect(await tab.evaluate(() => app.state().user?.sub)).toBe('alice');
        expect(await cookieNamed('reauth_session')).toMatchObject({
          httpOnly: true,
          sameSite: 'Strict',
          path: '/',
        });
        // Path=/ reaches this page: only httpOnly keeps it out of document.cookie.
        expect(await tab.evaluate(() => document.cookie)).not.toContain('reauth_session');
        expect(await tab.evaluate(() => app.accessToken())).toBeNull();
        server.controls.clearStats();

        expect(await tab.evaluate(() => app.burst(3))).toEqual([200, 200, 200]);

        expect(server.stats.requests.map(({ status, hadToken }) => ({ status, hadToken }))).toEqual(
          Array(3).fill({ status: 200, hadToken: true }),
        );
        await expect.poll(() => sent.count(), { timeout: WAIT_MS }).toBe(3);
        for (const headers of await sent.all()) {
          expect(headers.authorization).toBeUndefined();
          expect(headers.cookie).toMatch(/(^|; )reauth_session=[^;]+/);
        }
      },
      TEST_MS,
    );

    it(
      "a sign-in in one tab resolves the prompt open in another: that tab's waiting request completes with the cookie",
      async () => {
        await newContext();
        const [a, b] = [await openTab(server, '?cookies=session'), await openTab(server, '?cookies=session')];
        server.controls.clearStats();

        const waiting = b.evaluate(() => app.burst(1));
        await b.waitForFunction(() => app.state().status === 'reauthRequired');
        expect(await b.evaluate(() => app.prompts())).toEqual([
          { reason: 'unauthenticated', isAborted: false },
        ]);
        expect(await b.evaluate(() => app.screen())).toBe('reauth');
        expect(await a.evaluate(() => app.prompts())).toEqual([]);

        await signInWithForm(a, 'bob', 'builder');

        expect(await waiting).toEqual([200]);
        expect(await b.evaluate(() => [app.state().status, app.state().user?.sub])).toEqual([
          'signedIn',
          'bob',
        ]);
        // The sign-in elsewhere closed B's prompt, which never answered by itself.
        expect(await b.evaluate(() => app.prompts())).toEqual([
          { reason: 'unauthenticated', isAborted: true },
        ]);
        expect(server.stats.requests.map(({ status, hadToken }) => ({ status, hadToken }))).toEqual([
          { status: 401, hadToken: false },
          { status: 200, hadToken: true },
        ]);
        expect(server.stats.logins).toBe(1);
      },
      TEST_MS,
    );
  });
});
