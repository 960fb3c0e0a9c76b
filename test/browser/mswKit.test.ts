import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthServer, startAuthServer } from '../support/authServer';
import { bundlePage, hasChromium, html, launchChromium } from './support/browser';

const workerScript = readFileSync(createRequire(import.meta.url).resolve('msw/mockServiceWorker.js'), 'utf8');

// @reauth/msw where the playground runs it: in Chromium's service worker, through msw/browser, with fetch.
describe.runIf(hasChromium())('the msw kit in a browser service worker', () => {
  let server: AuthServer;

  beforeAll(async () => {
    // The real server only serves the page and msw's worker script here: the API is the kit's.
    server = await startAuthServer({
      files: {
        '/': { type: 'text/html', body: html('/mswKit.js') },
        '/mswKit.js': { type: 'text/javascript', body: await bundlePage('mswKit.ts') },
        '/mockServiceWorker.js': { type: 'text/javascript', body: workerScript },
      },
    });
  });
  afterAll(() => server?.close());

  it('answers login, refresh with rotation, protect() by role and a refused refresh, from the worker', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      const handle = await page.waitForFunction(() => (window as { result?: unknown }).result);
      const result = (await handle.jsonValue()) as Record<string, unknown> & {
        stats: {
          logins: number;
          refreshes: number;
          reuseDetected: number;
          refreshCalls: { outcome: string }[];
          requests: { status: number; hadToken: boolean }[];
        };
      };

      expect(result).toMatchObject({
        wrongPassword: 401,
        first: 200,
        afterExpiry: [200, 200, 200],
        admin: 403,
        afterRefusal: 'SESSION_EXPIRED',
        status: 'signedOut',
      });
      // One refresh for the three 401s (rotated), then the one the kit was told to refuse.
      expect(result.stats).toMatchObject({ logins: 1, refreshes: 2, reuseDetected: 0 });
      expect(result.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok', 'forced']);
      // 1 + 3 × (401, 200) + the admin 403 + the last 401: every protected request is the kit's.
      expect(result.stats.requests.map((request) => request.status)).toEqual([
        200, 401, 401, 401, 200, 200, 200, 403, 401,
      ]);
      // Nothing reached the real server but the page and its scripts.
      expect(server.stats.logins + server.stats.refreshes + server.stats.requests.length).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
