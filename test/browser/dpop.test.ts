import { createHash, createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, html, launchChromium } from './support/browser';

interface Made {
  thumbprint: string;
  proof: string | undefined;
}
interface DPoPKeysApp {
  signer(name?: string): Promise<Made>;
  stolenKey(name?: string): Promise<{
    extractable: boolean;
    exported: string;
    algorithm: KeyAlgorithm & { namedCurve?: string };
  } | null>;
  holdKeyGeneration(): void;
  releaseKeys(): void;
  keysMade(): number;
  pending: Promise<Made> | undefined;
  start(name?: string): void;
}
declare const app: DPoPKeysApp;

// Generous for a loaded 2-core machine, and finite: a condition that never comes fails the test.
const WAIT_MS = 15_000;
const TEST_MS = 45_000;

const source = (name: string) =>
  fileURLToPath(new URL(`../../packages/${name}/src/index.ts`, import.meta.url));

/** The page script with @reauth/oauth and @reauth/core from their sources (development mode). */
async function bundleDPoPPage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./pages/dpopKeys.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"development"' },
    alias: { '@reauth/core': source('core'), '@reauth/oauth': source('oauth') },
  });
  return result.outputFiles[0]?.text ?? '';
}

/**
 * The JWK thumbprint (RFC 7638) of the key a DPoP proof embeds, after checking the proof's ES256 signature with
 * that key (node:crypto: this workspace package has no JOSE library).
 */
function signedBy(proof: string | undefined): string {
  const [header = '', payload = '', signature = ''] = (proof ?? '').split('.');
  const { alg, typ, jwk } = JSON.parse(Buffer.from(header, 'base64url').toString()) as {
    alg: string;
    typ: string;
    jwk: JsonWebKey & { crv: string; kty: string; x: string; y: string };
  };
  expect({ alg, typ, hasPrivatePart: 'd' in jwk }).toEqual({
    alg: 'ES256',
    typ: 'dpop+jwt',
    hasPrivatePart: false,
  });
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${header}.${payload}`);
  const isValid = verify(
    'sha256',
    data,
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  expect(isValid).toBe(true);
  const { crv, kty, x, y } = jwk;
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

// dpop() in real Chromium: its key kept in the origin's IndexedDB across reloads and tabs, and a private key
// that a script in the page can reach but never export. Each test has a browser context of its own (an empty
// IndexedDB); the page is served from 127.0.0.1.
describe.runIf(hasChromium())('dpop() in Chromium: the key in IndexedDB', () => {
  let browser: Browser;
  let server: Server;
  let origin: string;
  let context: BrowserContext | undefined;
  let pageErrors: Error[] = [];

  beforeAll(async () => {
    const files: Record<string, { type: string; body: string }> = {
      '/': { type: 'text/html', body: html('/dpopKeys.js') },
      '/dpopKeys.js': { type: 'text/javascript', body: await bundleDPoPPage() },
    };
    server = createServer((req, res) => {
      const file = files[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
      if (file) res.writeHead(200, { 'content-type': file.type }).end(file.body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    const errors = pageErrors;
    pageErrors = [];
    expect(errors).toEqual([]);
  });

  async function openTab(): Promise<Page> {
    if (!context) {
      context = await browser.newContext();
      context.setDefaultTimeout(WAIT_MS);
    }
    const page = await context.newPage();
    page.on('pageerror', (error) => void pageErrors.push(error));
    // A warning of reauth's would mean the key could not be kept in IndexedDB.
    page.on('console', (message) => {
      if (message.text().startsWith('[reauth]')) pageErrors.push(new Error(message.text()));
    });
    await page.goto(origin);
    await page.waitForFunction(() => document.title === 'ready');
    return page;
  }

  it(
    'keeps its key across a reload: the same thumbprint, no new key made, proofs still signed by it',
    async () => {
      const page = await openTab();
      const made = await page.evaluate(() => app.signer());
      expect(await page.evaluate(() => app.keysMade())).toBe(1);
      expect(signedBy(made.proof)).toBe(made.thumbprint);

      await page.reload();
      await page.waitForFunction(() => document.title === 'ready');
      const reloaded = await page.evaluate(() => app.signer());

      expect(reloaded.thumbprint).toBe(made.thumbprint);
      expect(await page.evaluate(() => app.keysMade())).toBe(0); // a new document: it loaded the key
      expect(signedBy(reloaded.proof)).toBe(made.thumbprint);
    },
    TEST_MS,
  );

  it(
    'the private key a script in the page can read from IndexedDB is not extractable: exportKey rejects',
    async () => {
      const page = await openTab();
      await page.evaluate(() => app.signer());

      const stolen = await page.evaluate(() => app.stolenKey());

      expect(stolen).toEqual({
        extractable: false,
        exported: 'refused: InvalidAccessError',
        algorithm: { name: 'ECDSA', namedCurve: 'P-256' },
      });
    },
    TEST_MS,
  );

  it(
    'two tabs making the key at the same moment end with one key: both sign with it, and it is the one kept',
    async () => {
      const [first, second] = [await openTab(), await openTab()];
      for (const tab of [first, second]) await tab.evaluate(() => app.holdKeyGeneration());

      // Both find no key and start making one; neither can store it before the other has looked.
      for (const tab of [first, second]) await tab.evaluate(() => app.start());
      for (const tab of [first, second]) await tab.waitForFunction(() => app.keysMade() === 1);
      for (const tab of [first, second]) await tab.evaluate(() => app.releaseKeys());
      const [a, b] = await Promise.all([first, second].map((tab) => tab.evaluate(() => app.pending)));

      expect(a?.thumbprint).toEqual(expect.any(String));
      expect(b?.thumbprint).toBe(a?.thumbprint);
      expect(signedBy(a?.proof)).toBe(a?.thumbprint);
      expect(signedBy(b?.proof)).toBe(a?.thumbprint);
      const third = await openTab();
      expect((await third.evaluate(() => app.signer())).thumbprint).toBe(a?.thumbprint);
      expect(await third.evaluate(() => app.keysMade())).toBe(0);
    },
    TEST_MS,
  );

  it(
    'a name chooses the database: each name keeps a key of its own',
    async () => {
      const page = await openTab();
      const main = await page.evaluate(() => app.signer());
      const admin = await page.evaluate(() => app.signer('admin-dpop'));

      await page.reload();
      await page.waitForFunction(() => document.title === 'ready');

      expect(admin.thumbprint).not.toBe(main.thumbprint);
      expect((await page.evaluate(() => app.signer('admin-dpop'))).thumbprint).toBe(admin.thumbprint);
      expect((await page.evaluate(() => app.signer())).thumbprint).toBe(main.thumbprint);
    },
    TEST_MS,
  );
});
