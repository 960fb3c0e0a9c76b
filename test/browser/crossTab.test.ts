import type { SessionState } from '@reauth/core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from '../support/authServer';
import { bundlePage, hasChromium, html, launchChromium } from './support/browser';

interface TabApp {
  hasWebLocks: boolean;
  state(): SessionState;
  events(): string[];
  refreshes(): number;
  warnings(): string[];
  holdLockForever(): void;
  signIn(username: string, password: string): Promise<void>;
  signOut(): void;
  burst(count: number): Promise<(number | string)[]>;
}
declare const app: TabApp;

// Real tabs of one origin in real Chromium: BroadcastChannel and Web Locks as browsers have them, the session
// in memory (nothing in storage), against the real server with rotating refresh tokens and reuse detection.
describe.runIf(hasChromium())('many tabs, one session, in Chromium', () => {
  let server: AuthServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    server = await startAuthServer({
      files: {
        '/': { type: 'text/html', body: html('/tab.js') },
        '/tab.js': { type: 'text/javascript', body: await bundlePage('tab.ts') },
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openTab(query = ''): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(`${server.url}${query}`);
    await page.waitForFunction(() => document.title === 'ready');
    return page;
  }

  it('bursts in three tabs at once after an expiry: one refresh for all, no refresh token reused', async () => {
    context = await browser.newContext();
    const first = await openTab();
    expect(await first.evaluate(() => app.hasWebLocks)).toBe(true);
    await first.evaluate(() => app.signIn('alice', 'wonderland'));
    // Opened later, with memory storage: they ask the open tab for the session.
    const others = [await openTab(), await openTab()];
    for (const tab of others) {
      await tab.waitForFunction(() => app.state().status === 'signedIn');
      expect(await tab.evaluate(() => app.state().user?.sub)).toBe('alice');
    }
    const tabs = [first, ...others];
    server.controls.clearStats();
    server.controls.expireAccessTokens();

    const results = await Promise.all(tabs.map((tab) => tab.evaluate(() => app.burst(10))));

    expect(results.flat()).toEqual(Array(30).fill(200));
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.reuseDetected).toBe(0);
    const refreshCalls = await Promise.all(tabs.map((tab) => tab.evaluate(() => app.refreshes())));
    expect(refreshCalls.reduce((a, b) => a + b, 0)).toBe(1);
    // Every 401 was replayed once: 30 requests, each sent at most twice.
    expect(server.stats.requests.length).toBeLessThanOrEqual(60);
    await context.close();
  });

  it('a sign-out in one tab signs out the others, and their next request carries no token', async () => {
    context = await browser.newContext();
    const [a, b] = [await openTab(), await openTab()];
    await a.evaluate(() => app.signIn('bob', 'builder'));
    await b.waitForFunction(() => app.state().status === 'signedIn');

    await b.evaluate(() => app.signOut());

    await a.waitForFunction(() => app.state().status === 'signedOut');
    expect(await a.evaluate(() => app.events().at(-1))).toBe('signedOut');
    server.controls.clearStats();
    expect(await a.evaluate(() => app.burst(1))).toEqual([401]);
    expect(server.stats.requests.map((request) => request.hadToken)).toEqual([false]);
    await context.close();
  });

  it('a Web Lock that another page never releases is taken over: refreshes resume, the refresh token sent once', async () => {
    context = await browser.newContext();
    const orphan = await openTab();
    await orphan.evaluate(() => app.holdLockForever());
    // refreshTimeoutMs 250: the lock is taken over after 2 × 250 ms + 5 s of waiting for it.
    const tab = await openTab('?timeout=250');
    await tab.evaluate(() => app.signIn('alice', 'wonderland'));
    server.controls.clearStats();
    server.controls.expireAccessTokens();

    const outcomes: (number | string)[] = [];
    for (let attempt = 0; attempt < 30 && outcomes.at(-1) !== 200; attempt++) {
      outcomes.push(...(await tab.evaluate(() => app.burst(1))));
      await tab.waitForTimeout(250);
    }

    expect(outcomes.at(-1)).toBe(200);
    expect(new Set(outcomes.slice(0, -1))).toEqual(new Set(['REFRESH_TIMEOUT']));
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.reuseDetected).toBe(0);
    const warnings = await tab.evaluate(() => app.warnings());
    expect(warnings.filter((line) => line.includes('taken over'))).toHaveLength(1);
    await context.close();
  });
});
