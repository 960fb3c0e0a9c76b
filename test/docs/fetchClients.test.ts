// The fetch page's samples run as written (docs/guide/fetch.md): "Set it up" signs in and fetches, then the ky and
// openapi-fetch samples use its `authFetch` through an expired token — against the msw kit serving
// https://api.example.com, read from the page itself so the two cannot drift apart.
import * as core from '@reauth/core';
import * as reauthFetch from '@reauth/fetch';
import { createMockAuthServer } from '@reauth/msw';
import ky from 'ky';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import createClient from 'openapi-fetch';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSamples } from './markdownSamples';

const PAGE = 'docs/guide/fetch.md';
const samples = readSamples(PAGE);
/** The page's block that imports `module` (each of the three imports its own client). */
function blockImporting(module: string): string {
  const found = samples.filter((sample) => sample.code.includes(`from '${module}'`));
  if (found.length !== 1)
    throw new Error(`expected one block of ${PAGE} importing ${module}, found ${found.length}`);
  return found[0]?.code ?? '';
}

const esm = (namespace: object) => ({ __esModule: true, ...namespace });
const AsyncFunction = (async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

/**
 * Runs a block as a module body: its imports answered by `modules`, the shared names of docs/samples.d.ts given
 * as `globals`; answers the values of `names`, as the block left them.
 */
async function run(
  code: string,
  modules: Record<string, object>,
  globals: Record<string, unknown>,
  names: string[],
): Promise<Record<string, unknown>> {
  const { outputText } = ts.transpileModule(code, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
  });
  const require = (name: string) => {
    const found = modules[name];
    if (!found) throw new Error(`the sample imports ${name}, which this test does not provide`);
    return found;
  };
  const body = `${outputText}\nreturn { ${names.join(', ')} };`;
  const module = new AsyncFunction('require', 'exports', ...Object.keys(globals), body);
  return (await module(require, {}, ...Object.values(globals))) as Record<string, unknown>;
}

const API = 'https://api.example.com';
const items = [{ id: 1, name: 'Teapot' }];
const auth = createMockAuthServer({ baseUrl: API });
const server = setupServer(
  ...auth.handlers,
  auth.protect(http.get(`${API}/items`, () => HttpResponse.json(items))),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => auth.controls.reset());
afterAll(() => server.close());

/** "Set it up", run as written: signed in as alice, its first request answered. */
async function setUp() {
  const setup = await run(
    blockImporting('@reauth/fetch'),
    { '@reauth/core': esm(core), '@reauth/fetch': esm(reauthFetch) },
    { username: 'alice', password: 'wonderland' },
    ['session', 'authFetch', 'response'],
  );
  return setup as { session: core.Session; authFetch: reauthFetch.AuthFetch; response: Response };
}

describe('docs/guide/fetch.md, run as written', () => {
  it('"Set it up" signs in with the login answer and its request goes out with the token', async () => {
    const { session, response } = await setUp();

    expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
    expect(response.status).toBe(200);
    expect(auth.stats.requests.map((request) => [request.status, request.hadToken])).toEqual([[200, true]]);
  });

  it('ky on authFetch: an expired token is refreshed once and the request replayed under ky', async () => {
    const { authFetch } = await setUp();
    auth.controls.expireAccessTokens();

    const sample = await run(blockImporting('ky'), { ky: esm({ default: ky }) }, { API, authFetch }, [
      'items',
    ]);

    expect(sample.items).toEqual(items);
    expect(auth.stats.refreshes).toBe(1);
  });

  it('openapi-fetch on authFetch: its Request is replayed after the refresh and the data arrives', async () => {
    const { authFetch } = await setUp();
    auth.controls.expireAccessTokens();

    const sample = await run(
      blockImporting('openapi-fetch'),
      { 'openapi-fetch': esm({ default: createClient }) },
      { API, authFetch },
      ['data', 'error', 'response'],
    );

    expect(sample.data).toEqual(items);
    expect(sample.error).toBeUndefined();
    expect((sample.response as Response).status).toBe(200);
    expect(auth.stats.refreshes).toBe(1);
    expect(auth.stats.requests.map((request) => request.status)).toEqual([200, 401, 200]);
  });
});
