// The documentation's cookie recipes (docs/guide/session-models.md, "The two cookie models, step by step"), read
// from the page itself so the two cannot drift apart:
// - type-checked as an app's browser code (the repository's compiler options, DOM included);
// - run as written in real Chromium against the msw kit served over node:http on 127.0.0.1, with the browser's
//   own cookie jar: the httpOnly cookies are set, sent and rotated by Chromium, never seen by the page.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, html, launchChromium } from '../browser/support/browser';
import { type AuthServer, startAuthServer } from '../support/authServer';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = 'docs/guide/session-models.md';
const SECTION = '## The two cookie models, step by step';

/** The section's two TypeScript blocks: the refresh cookie with axios, the cookie session with fetch. */
function readmeRecipes(): { refreshCookie: string; cookieSession: string } {
  const readme = readFileSync(`${root}${PAGE}`, 'utf8');
  const start = readme.indexOf(SECTION);
  if (start === -1) throw new Error(`${PAGE} has no section "${SECTION}"`);
  const end = readme.indexOf('\n#', start + SECTION.length);
  const blocks = [...readme.slice(start, end).matchAll(/```ts\n([\s\S]*?)```/g)].map(
    (match) => match[1] ?? '',
  );
  const [refreshCookie, cookieSession] = blocks;
  if (blocks.length !== 2 || refreshCookie === undefined || cookieSession === undefined) {
    throw new Error(`expected 2 ts blocks in the section of ${PAGE}, found ${blocks.length}`);
  }
  return { refreshCookie, cookieSession };
}

const recipes = readmeRecipes();
// For the compiler and the bundler, the recipes live in this folder under these names.
const appDir = fileURLToPath(new URL('./cookie-app/', import.meta.url));
// Where the bundler resolves the recipes' imports from: the test package, which has axios.
const here = fileURLToPath(new URL('./', import.meta.url));
const packages = ['core', 'axios', 'fetch'];
const sourceOf = (name: string) => `${root}packages/${name}/src/index.ts`;

/** Type-checks the files as one browser app with the repository's own compiler options; answers the errors. */
function typeErrors(files: Record<string, string>): string[] {
  const paths = Object.fromEntries(Object.entries(files).map(([name, text]) => [`${appDir}${name}`, text]));
  const configFile = ts.readConfigFile(`${root}tsconfig.json`, ts.sys.readFile);
  const config = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const options: ts.CompilerOptions = {
    ...config.options,
    noEmit: true,
    paths: Object.fromEntries(packages.map((name) => [`@reauth/${name}`, [sourceOf(name)]])),
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => name in paths || ts.sys.fileExists(name);
  host.readFile = (name) => paths[name] ?? ts.sys.readFile(name);
  host.getSourceFile = (name, language, ...rest) => {
    const text = paths[name];
    return text === undefined
      ? getSourceFile(name, language, ...rest)
      : ts.createSourceFile(name, text, language);
  };
  const program = ts.createProgram(Object.keys(paths), options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file?.fileName.startsWith(appDir))
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

/** Bundles `driver` (which imports the recipe as './app') for the browser, the packages from their sources. */
async function bundle(recipe: string, driver: string): Promise<string> {
  const result = await build({
    stdin: { contents: driver, resolveDir: here, sourcefile: 'driver.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"development"' },
    alias: Object.fromEntries(packages.map((name) => [`@reauth/${name}`, sourceOf(name)])),
    plugins: [
      {
        name: 'recipe',
        setup(builder) {
          builder.onResolve({ filter: /^\.\/app$/ }, () => ({ path: 'app.ts', namespace: 'recipe' }));
          builder.onLoad({ filter: /.*/, namespace: 'recipe' }, () => ({
            contents: recipe,
            loader: 'ts',
            resolveDir: here,
          }));
        },
      },
    ],
  });
  return result.outputFiles[0]?.text ?? '';
}

describe('the cookie recipes of docs/guide/session-models.md type-check as browser code', () => {
  it('has no type error in either recipe', () => {
    expect(
      typeErrors({ 'refreshCookie.ts': recipes.refreshCookie, 'cookieSession.ts': recipes.cookieSession }),
    ).toEqual([]);
  });

  it('is really checked: a slip in a recipe is an error', () => {
    const slipped = recipes.refreshCookie.replace("cookies: 'refresh'", "cookies: 'refresh-token'");
    expect(slipped).not.toBe(recipes.refreshCookie);
    expect(typeErrors({ 'refreshCookie.ts': slipped }).length).toBeGreaterThan(0);
  });
});

// What the page exposes to the test: the recipe's session, and what it saw.
const DRIVER_STATE = `
const statuses: string[] = [];
session.subscribe((state) => state.status !== statuses.at(-1) && statuses.push(state.status));
statuses.push(session.getState().status);
const prompts: string[] = [];
session.on('reauthRequired', (event) => prompts.push(event.reason));
`;

interface RecipePage {
  statuses: string[];
  prompts: string[];
}
declare const app: RecipePage & {
  status(): string;
  user(): string | null;
  logIn(username: string, password: string): Promise<void>;
  get(count: number): Promise<number[]>;
  documentCookie(): string;
};

describe.runIf(hasChromium())(
  'the cookie recipes of docs/guide/session-models.md, run in Chromium with its own cookies',
  () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    async function open(server: AuthServer<'refresh' | 'session'>, page?: Page): Promise<Page> {
      const tab = page ?? (await (await browser.newContext()).newPage());
      tab.on('pageerror', (error) => {
        throw error;
      });
      await tab.goto(server.url);
      await tab.waitForFunction(() => document.title === 'ready');
      return tab;
    }

    describe("cookies: 'refresh' with axios", () => {
      let server: AuthServer<'refresh'>;
      beforeAll(async () => {
        const driver = `
import { api, logIn, session } from './app';
${DRIVER_STATE}
Object.assign(window, { app: {
  statuses, prompts,
  status: () => session.getState().status,
  user: () => (session.getState().user?.sub as string | undefined) ?? null,
  logIn,
  get: (count: number) => Promise.all(Array.from({ length: count }, () => api.get('/api/items').then((r) => r.status, (e) => e.response?.status ?? 0))),
  documentCookie: () => document.cookie,
} });
session.ready().then(() => { document.title = 'ready'; });
`;
        server = await startAuthServer({
          cookies: 'refresh',
          files: {
            '/': { type: 'text/html', body: html('/app.js') },
            '/app.js': { type: 'text/javascript', body: await bundle(recipes.refreshCookie, driver) },
          },
        });
      });
      afterAll(async () => {
        await server?.close();
      });

      it('signs in with the cookie out of reach, refreshes once for a burst, and a reload restores the session', async () => {
        const page = await open(server);
        // No cookie yet: the start-up refresh is refused, quietly.
        expect(await page.evaluate(() => [app.status(), app.prompts])).toEqual(['signedOut', []]);
        await page.evaluate(() => app.logIn('alice', 'wonderland'));
        expect(await page.evaluate(() => app.user())).toBe('alice');
        expect(await page.evaluate(() => app.documentCookie())).not.toContain('reauth_refresh');
        const [cookie] = await page.context().cookies();
        expect(cookie).toMatchObject({ name: 'reauth_refresh', httpOnly: true, path: '/auth' });

        server.controls.expireAccessTokens();
        const before = server.stats.refreshes;
        expect(await page.evaluate(() => app.get(5))).toEqual([200, 200, 200, 200, 200]);
        expect(server.stats.refreshes - before).toBe(1);
        const [rotated] = await page.context().cookies();
        expect(rotated?.value).not.toBe(cookie?.value);

        await page.reload();
        await page.waitForFunction(() => document.title === 'ready');
        expect(await page.evaluate(() => [app.statuses, app.user()])).toEqual([
          ['restoring', 'signedIn'],
          'alice',
        ]);
        expect(server.stats.refreshes - before).toBe(2);
        expect(server.stats.reuseDetected).toBe(0);
        await page.context().close();
      });
    });

    describe("cookies: 'session' with fetch", () => {
      let server: AuthServer<'session'>;
      beforeAll(async () => {
        const driver = `
import { authFetch, session } from './app';
${DRIVER_STATE}
Object.assign(window, {
  askForCredentials: async () => ({ username: 'alice', password: 'wonderland' }),
  app: {
    statuses, prompts,
    status: () => session.getState().status,
    user: () => (session.getState().user?.sub as string | undefined) ?? null,
    get: (count: number) => Promise.all(Array.from({ length: count }, () => authFetch('/api/items').then((r) => r.status))),
    documentCookie: () => document.cookie,
  },
});
session.ready().then(() => { document.title = 'ready'; });
`;
        server = await startAuthServer({
          cookies: 'session',
          files: {
            '/': { type: 'text/html', body: html('/app.js') },
            '/app.js': { type: 'text/javascript', body: await bundle(recipes.cookieSession, driver) },
          },
        });
      });
      afterAll(async () => {
        await server?.close();
      });

      it('a burst of 401s opens one login prompt, replays them all with the cookie and no header; a reload keeps the user', async () => {
        const page = await (await browser.newContext()).newPage();
        const headers: (string | undefined)[] = [];
        page.on('request', (request) => headers.push(request.headers().authorization));
        await open(server, page);
        expect(await page.evaluate(() => app.status())).toBe('signedOut');
        expect(await page.evaluate(() => app.get(3))).toEqual([200, 200, 200]);
        expect(await page.evaluate(() => [app.prompts, app.user()])).toEqual([['unauthenticated'], 'alice']);
        expect(server.stats.logins).toBe(1);
        const sent = server.stats.requests.filter((request) => request.path === '/api/items');
        // Three refused without a cookie, three replayed with it; no Authorization header on any of them.
        expect(sent.map((request) => [request.status, request.hadToken])).toEqual(
          expect.arrayContaining([
            [401, false],
            [200, true],
          ]),
        );
        expect(sent).toHaveLength(6);
        expect(await page.evaluate(() => app.documentCookie())).not.toContain('reauth_session');

        await page.reload();
        await page.waitForFunction(() => document.title === 'ready');
        expect(await page.evaluate(() => [app.statuses, app.user()])).toEqual([['signedIn'], 'alice']);
        expect(await page.evaluate(() => app.get(1))).toEqual([200]);
        expect(server.stats.logins).toBe(1);
        expect(headers.length).toBeGreaterThan(8);
        expect(headers.filter(Boolean)).toEqual([]);
        await page.context().close();
      });
    });
  },
);
