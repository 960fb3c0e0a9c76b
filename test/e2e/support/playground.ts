import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MockAuthStats } from '@reauth/msw';
import type { BrowserContext, Page } from 'playwright-core';
import { build, createServer as createViteServer } from 'vite';
import { expect } from 'vitest';

const playgroundRoot = fileURLToPath(new URL('../../../examples/playground', import.meta.url));
const packages = ['core', 'axios', 'fetch', 'msw', 'react', 'react-query', 'devtools'];
const aliases = () => Object.fromEntries(packages.map((name) => [`@reauth/${name}`, source(name)]));
const source = (name: string) =>
  fileURLToPath(new URL(`../../../packages/${name}/src/index.ts`, import.meta.url));

/**
 * Builds the playground as `vite build` does (production mode), from the packages' sources, as every other
 * test uses them: `npm test` runs before the packages are built.
 */
export async function buildPlayground(): Promise<{ outDir: string; remove(): Promise<void> }> {
  const outDir = await mkdtemp(join(tmpdir(), 'reauth-playground-'));
  // Vite builds for production unless NODE_ENV says otherwise, and vitest sets it to 'test'.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  await build({
    root: playgroundRoot,
    configFile: join(playgroundRoot, 'vite.config.ts'),
    logLevel: 'error',
    resolve: { alias: aliases() },
    build: { outDir, emptyOutDir: true },
  }).finally(() => {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  });
  return { outDir, remove: () => rm(outDir, { recursive: true, force: true }) };
}

/**
 * Starts the playground's Vite dev server, what `npm start` runs (development mode, StrictMode, the SharedWorker
 * served from its TypeScript source), on a free port of 127.0.0.1, from the packages' sources.
 */
export async function startPlaygroundDevServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = await createViteServer({
    root: playgroundRoot,
    configFile: join(playgroundRoot, 'vite.config.ts'),
    logLevel: 'error',
    mode: 'development',
    resolve: { alias: aliases() },
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the dev server has no local URL');
  return { url, close: () => server.close() };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Serves a built app on 127.0.0.1 (a secure context: service workers and SharedWorkers run there). */
export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    let file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory())
      file = join(dir, 'index.html');
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface PlaygroundWindow {
  playground: {
    mockApi: { getStats(): Promise<MockAuthStats>; mode: string };
    session: { getAccessToken(): Promise<string | null> };
  };
}

/** The mock server's counters, asked from the page (the same numbers the page shows). */
export const kitStats = (page: Page): Promise<MockAuthStats> =>
  page.evaluate(() => (window as unknown as PlaygroundWindow).playground.mockApi.getStats());

/** What a page said while a test ran: uncaught errors, and every console line (to look for secrets in). */
export interface PageLog {
  errors: string[];
  console: string[];
}

/** Opens the playground and waits until its mock API answers; records the page's errors and console. */
export async function openPlayground(
  page: Page,
  url: string,
  log: PageLog,
  expectedMode: 'shared' | 'tab' = 'shared',
): Promise<void> {
  page.on('pageerror', (error) => log.errors.push(error.message));
  page.on('console', (message) => log.console.push(message.text()));
  await page.goto(url);
  await page.waitForFunction(() => 'playground' in window, null, { timeout: 30_000 });
  // Chromium has SharedWorker: the API must be the one server every tab shares, not a per-tab fallback.
  const mode = await page.evaluate(() => (window as unknown as PlaygroundWindow).playground.mockApi.mode);
  if (mode !== expectedMode) {
    throw new Error(`the playground's mock API runs in mode "${mode}", not "${expectedMode}"`);
  }
}

/** Pulls a lever of the Controls card and waits until the mock server has done it. */
export async function pull(page: Page, lever: string): Promise<void> {
  const done = page.getByTestId('lever-done');
  const count = Number(await done.getAttribute('data-count'));
  await page.getByRole('button', { name: lever, exact: true }).click();
  await page.locator(`[data-testid="lever-done"][data-count="${count + 1}"]`).waitFor();
  expect(await done.textContent()).toBe(`Done: ${lever.toLowerCase()}.`);
}

/** The timeline's rows for requests whose path starts with `prefix`: "<sends> <outcome> <final status>". */
export const timelineRows = (page: Page, prefix: string): Promise<string[]> =>
  page
    .locator(`[data-testid="timeline-request"][data-path^="${prefix}"]`)
    .evaluateAll((rows) =>
      rows.map(
        (row) =>
          `${row.getAttribute('data-sends')} ${row.getAttribute('data-outcome')} ${row.getAttribute('data-status')}`,
      ),
    );

/** Token-shaped strings: a JWT (the kit's access tokens) or 64 hex digits (its refresh tokens). */
export const TOKEN_SHAPES = /eyJ[\w-]{10,}\.[\w-]{10,}|\b[0-9a-f]{64}\b/;

/** Signs in through the form on the signed-out page. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  const form = page.locator('.sign-in');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('session-status').and(page.locator('[data-status="signedIn"]')).waitFor();
}

/** The statuses the kit answered, per protected URL path, in order. */
export function statusesByPath(stats: MockAuthStats): Record<string, number[]> {
  const byPath: Record<string, number[]> = {};
  for (const request of stats.requests) {
    const path = new URL(request.url).pathname;
    byPath[path] = [...(byPath[path] ?? []), request.status];
  }
  return byPath;
}

/** What a page showed from its first paint on (see `recordPaints`). */
export interface Paints {
  /** The session statuses the header showed, in order, each change once. */
  statuses: string[];
  /** Whether the sign-in page's form was ever in the document. */
  sawSignInForm: boolean;
  /** Whether the login modal was ever open. */
  sawLoginModal: boolean;
}

/**
 * From now on, every page of `context` records from its first paint what it shows (every DOM mutation, before any
 * script of the page runs): the header's statuses, and whether a sign-in form or the login modal ever appeared,
 * however briefly. Read it with `paintsOf`.
 */
export async function recordPaints(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const paints = { statuses: [] as string[], sawSignInForm: false, sawLoginModal: false };
    Object.assign(window, { __paints: paints });
    const look = (node: Node) => {
      if (!(node instanceof Element)) return;
      if (node.matches('.sign-in') || node.querySelector('.sign-in')) paints.sawSignInForm = true;
      if (node.matches('dialog[open]') || node.querySelector('dialog[open]')) paints.sawLoginModal = true;
    };
    const lookAtStatus = () => {
      const status = document.querySelector('[data-testid="session-status"]')?.getAttribute('data-status');
      if (status && paints.statuses.at(-1) !== status) paints.statuses.push(status);
    };
    new MutationObserver((records) => {
      for (const record of records) {
        look(record.target);
        for (const node of record.addedNodes) look(node);
      }
      lookAtStatus();
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
}

/** What the page recorded since its first paint (`recordPaints` must have been called before it loaded). */
export const paintsOf = (page: Page): Promise<Paints> =>
  page.evaluate(() => (window as unknown as { __paints: Paints }).__paints);

/** Reloads a playground page and waits until its mock API answers again. */
export async function reloadPlayground(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => 'playground' in window, null, { timeout: 30_000 });
}

/** Every API request the page sends that carries an Authorization header (recorded from now on). */
export function requestsWithAuthorization(page: Page): { all: string[]; withAuthorization: string[] } {
  const seen = { all: [] as string[], withAuthorization: [] as string[] };
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (!pathname.startsWith('/api/')) return;
    seen.all.push(`${request.method()} ${pathname}`);
    if (request.headers().authorization !== undefined) seen.withAuthorization.push(pathname);
  });
  return seen;
}

/** Loaded, and not fetching any more (a card keeps its data while it refetches). */
export async function cardsReady(page: Page, names: string[]): Promise<void> {
  for (const name of names) {
    await page.locator(`[data-testid="card-${name}"][data-state="ready"][aria-busy="false"]`).waitFor();
  }
}

/** What the burst of 20 came to. */
export const burstResult = (page: Page) => page.getByTestId('burst-result');
/** The session's status, as the header shows it. */
export const status = (page: Page) => page.getByTestId('session-status').getAttribute('data-status');
/** Fires the burst of 20 requests. */
export const fire = (page: Page) => page.getByRole('button', { name: 'Fire 20 requests' }).click();
/** The open login modal. */
export const modal = (page: Page) => page.locator('dialog[open]');

/** Not levers of the page: the kit's own controls, for tests that need a refresh held while they act. */
export const kitControl = (page: Page, name: string, ...args: unknown[]) =>
  page.evaluate(
    ([control, values]) =>
      (
        window as unknown as {
          playground: { mockApi: { control(name: string, ...args: unknown[]): Promise<void> } };
        }
      ).playground.mockApi.control(control, ...values),
    [name, args] as const,
  );
