import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../browser/support/browser';
import {
  kitStats,
  openPlayground,
  type PageLog,
  paintsOf,
  pull,
  recordPaints,
  reloadPlayground,
  startPlaygroundDevServer,
  TOKEN_SHAPES,
} from './support/playground';

// What `npm start` serves: Vite's dev server, React in development with StrictMode (double mounts), the mock
// server's SharedWorker compiled on the fly. The production build's suite (playground.test.ts) takes every path;
// this one proves the newcomer's first run works.
describe.runIf(hasChromium())('the playground on the dev server (npm start)', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    server = await startPlaygroundDevServer();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, refreshes once for a burst of 20 expired requests, and replays them all', async () => {
    const context = await browser.newContext();
    const log: PageLog = { errors: [], console: [] };
    try {
      const page = await context.newPage();
      await openPlayground(page, server.url, log);
      // The newcomer's way in: a demo user's button fills the form.
      await page.getByRole('button', { name: 'Bob — user + admin' }).click();
      expect(await page.locator('.sign-in').getByLabel('Password').inputValue()).toBe('builder');
      await page.locator('.sign-in').getByRole('button', { name: 'Sign in' }).click();
      await page.locator('[data-testid="card-audit"][data-state="ready"]').waitFor({ timeout: 15_000 });
      await pull(page, 'Expire access token');
      await page.getByRole('button', { name: 'Fire 20 requests' }).click();
      await expect
        .poll(() => page.getByTestId('burst-result').textContent(), { timeout: 15_000 })
        .toBe('20 / 20 succeeded');
      expect(await kitStats(page)).toMatchObject({ logins: 1, refreshes: 1, reuseDetected: 0 });
      expect(await page.content()).not.toMatch(TOKEN_SHAPES);
    } finally {
      await context.close();
    }
    expect(log.errors).toEqual([]);
    expect(log.console.filter((line) => TOKEN_SHAPES.test(line))).toEqual([]);
  }, 60_000);

  it('with a refresh cookie, restores the session on reload (StrictMode, the worker compiled on the fly)', async () => {
    const context = await browser.newContext();
    const log: PageLog = { errors: [], console: [] };
    try {
      await recordPaints(context);
      const page = await context.newPage();
      await openPlayground(page, `${server.url}?model=refresh`, log);
      await page.getByRole('button', { name: 'Alice — user' }).click();
      await page.locator('.sign-in').getByRole('button', { name: 'Sign in' }).click();
      await page.locator('[data-testid="card-profile"][data-state="ready"]').waitFor({ timeout: 15_000 });
      await page.getByTestId('kit-cookies').and(page.locator('[data-names="reauth_refresh"]')).waitFor();

      await reloadPlayground(page);
      await page.locator('[data-testid="card-profile"][data-state="ready"]').waitFor({ timeout: 15_000 });
      const paints = await paintsOf(page);
      expect(paints.statuses.at(-1)).toBe('signedIn');
      expect(paints).toMatchObject({ sawSignInForm: false, sawLoginModal: false });
      const stats = await kitStats(page);
      // The first load's restore had no cookie yet; the reload's presented the login's.
      expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['malformed', 'ok']);
      expect(stats).toMatchObject({ logins: 1, reuseDetected: 0 });
      expect(await page.content()).not.toMatch(TOKEN_SHAPES);
    } finally {
      await context.close();
    }
    expect(log.errors).toEqual([]);
    expect(log.console.filter((line) => TOKEN_SHAPES.test(line))).toEqual([]);
  }, 60_000);
});
