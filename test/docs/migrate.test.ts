// The migration guides (docs/migrate/*.md): their samples read from the pages, type-checked against the real
// packages and run against a real auth API on 127.0.0.1 — the "before" code with the real axios-auth-refresh 5.0.2
// and axios-jwt 4.0.3, the "after" code with reauth, side by side on the same server. Each "what changes" claim of
// the pages is one test here. The only changes made to a sample when it runs: the example origin
// (https://api.example.com) becomes the test's; where a test says so, one option is added (deduplicateRefresh) or
// axios-jwt's storage key names this process's NODE_ENV instead of a production build's.
//
// A header tap (test/support/headerTap.ts) sits between the samples and the server: it records whether each
// request carried an Authorization header, and holds the answers of a path until the test releases them — a
// refresh "still running" or a 401 "still on the network" is decided by the test, not by a timer.
import * as reauthAxios from '@reauth/axios';
import * as core from '@reauth/core';
import { type AuthError, decodeJwt, isAuthError, type Session } from '@reauth/core';
import * as axiosModule from 'axios';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import * as authRefreshModule from 'axios-auth-refresh';
import * as axiosJwtModule from 'axios-jwt';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { AuthServer } from '../support/authServer';
import { type HeaderTap, startHeaderTap } from '../support/headerTap';
import { createMapStorage, requestsTo, settle, startServer } from '../support/setup';
import { esm, moduleLoader, readSamples, type Samples, typeErrors } from './migrate/samples';

const EXAMPLE_ORIGIN = 'https://api.example.com';
const alice = { username: 'alice', password: 'wonderland' };

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** The server, the tap the samples call it through, and another origin (a second tap) that records the same. */
interface World {
  server: AuthServer;
  tap: HeaderTap;
  other: HeaderTap;
  storage: ReturnType<typeof createMapStorage>;
}

/** A server and its taps, closed after the test; a fresh `localStorage` (and `window.localStorage`). */
async function world(): Promise<World> {
  const server = await startServer();
  const tap = await startHeaderTap(server.url);
  const other = await startHeaderTap(server.url);
  onTestFinished(() => Promise.all([tap.close(), other.close()]).then(() => undefined));
  const storage = createMapStorage();
  vi.stubGlobal('localStorage', storage);
  // axios-jwt's getBrowserLocalStorage reads window.localStorage. No `document`: reauth and axios stay in their
  // Node mode (no cross-tab channel, no background refresh), as in every integration test here.
  vi.stubGlobal('window', { localStorage: storage });
  // reauth's development hints ("401 on GET …: expired_token") are expected here; they would only be noise.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  return { server, tap, other, storage };
}

const modules = {
  axios: esm(axiosModule),
  'axios-auth-refresh': esm(authRefreshModule),
  'axios-jwt': esm(axiosJwtModule),
  '@reauth/core': esm(core),
  '@reauth/axios': esm(reauthAxios),
};

/** Loads a page's samples against the tap: a fresh copy of each module (a fresh instance, session). */
function samplesOf(samples: Samples, w: World, rewrite: Record<string, string> = {}): Load {
  return moduleLoader(samples, modules, { [EXAMPLE_ORIGIN]: w.tap.url, ...rewrite });
}

/** Counts how many of the promises have settled, live. */
function settledCount(promises: Promise<unknown>[]): () => number {
  let count = 0;
  for (const promise of promises) void promise.then(() => count++);
  return () => count;
}

function statusOf(error: unknown): number | undefined {
  return axios.isAxiosError(error) ? error.response?.status : undefined;
}

const itemsPath = (record: { path: string }) => record.path.startsWith('/api/items/');

/** The error of a settled request, or undefined if it succeeded. */
const errorOf = (result: { ok: true } | { ok: false; error: unknown }) =>
  result.ok ? undefined : result.error;

type Load = (file: string, shared?: Record<string, unknown>) => Record<string, unknown>;

/** Expects `from` in a sample and replaces it: a slip the type-check must catch. */
function slip(source: string | undefined, from: string, to: string): string {
  expect(source).toContain(from);
  return String(source).replaceAll(from, to);
}

describe('docs/migrate/axios-auth-refresh.md', () => {
  const page = readSamples('docs/migrate/axios-auth-refresh.md');
  interface Before {
    api: AxiosInstance;
    login(username: string, password: string): Promise<void>;
    logout(): void;
  }
  interface After extends Before {
    session: Session;
  }
  const before = (load: Load) => load('before.ts') as unknown as Before;
  const after = (load: Load) => load('after.ts') as unknown as After;
  /** Signs alice in with the page's `before.ts` or `after.ts`, against a fresh world. */
  async function signedIn<T extends Before>(pick: (load: Load) => T, rewrite: Record<string, string> = {}) {
    const w = await world();
    const load = samplesOf(page, w, rewrite);
    const client = pick(load);
    await client.login(alice.username, alice.password);
    return { w, load, ...client };
  }

  describe('the samples', () => {
    it('every sample type-checks against the real packages (axios-auth-refresh 5.0.2, reauth, axios)', () => {
      expect(Object.keys(page)).toEqual([
        'before.ts',
        'after.ts',
        'adopt.ts',
        'options.ts',
        'prompt.ts',
        'errors.ts',
      ]);
      const errors = typeErrors('axios-auth-refresh', page);
      for (const name of Object.keys(page)) expect(errors[name]?.text, name).toBe('');
    });

    it('a slip is a type error: the old per-request flag in the new code, an option reauth does not have', () => {
      const errors = typeErrors('axios-auth-refresh-slips', {
        ...page,
        'slipFlag.ts': slip(page['after.ts'], '{ skipAuth: true }', '{ skipAuthRefresh: true }'),
        'slipOption.ts': slip(page['options.ts'], 'maxRetries: 1', 'statusCodes: [401]'),
      });
      // 2353: an object literal may only specify known properties.
      expect(errors['slipFlag.ts']?.codes).toEqual([2353]);
      expect(errors['slipOption.ts']?.codes).toEqual([2353]);
    });

    it('adopt.ts: a user signed in with the old code stays signed in, and the old keys are gone', async () => {
      const w = await world();
      await before(samplesOf(page, w)).login(alice.username, alice.password);
      expect([...w.storage.items.keys()].sort()).toEqual(['accessToken', 'refreshToken']);

      const load = samplesOf(page, w);
      const { api, session } = after(load);
      (load('adopt.ts', { session }) as { adoptOldSession: () => void }).adoptOldSession();

      expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
      expect([...w.storage.items.keys()]).toEqual(['reauth']);
      w.server.controls.expireAccessTokens(); // the adopted refresh token works too
      expect((await api.get('/api/items/1')).data).toEqual({ id: '1', user: 'alice' });
      expect(w.server.stats).toMatchObject({ logins: 1, refreshes: 1 });
    });
  });

  describe('requests that fail together all succeed', () => {
    it('before (defaults): a 401 that arrives while the refresh runs rejects at once with that 401 — 1 of 3 succeeds', async () => {
      const { w, api } = await signedIn(before);
      w.server.controls.expireAccessTokens();
      const release = w.tap.hold('/auth/refresh');

      const outcomes = [1, 2, 3].map((id) => settle(api.get(`/api/items/${id}`)));
      // The refresh is held: the two requests that are not replayed settle without waiting for it.
      await expect.poll(settledCount(outcomes), { timeout: 10_000 }).toBe(2);
      expect(w.server.stats.refreshes).toBe(1);
      release();
      const results = await Promise.all(outcomes);

      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok).map((result) => statusOf(errorOf(result)))).toEqual([
        401, 401,
      ]);
      expect(w.server.stats.refreshes).toBe(1);
    });

    it('before (deduplicateRefresh: false): the 401s that arrive while the refresh runs wait for it and are replayed', async () => {
      expect(page['before.ts']).toContain('{ statusCodes: [401] }');
      const { w, api } = await signedIn(before, {
        '{ statusCodes: [401] }': '{ statusCodes: [401], deduplicateRefresh: false }',
      });
      w.server.controls.expireAccessTokens();
      const release = w.tap.hold('/auth/refresh');

      const outcomes = [1, 2, 3].map((id) => settle(api.get(`/api/items/${id}`)));
      await expect.poll(() => w.tap.requests.filter((r) => itemsPath(r) && r.status === 401).length).toBe(3);
      await expect.poll(() => w.server.stats.refreshes).toBe(1);
      release();
      const results = await Promise.all(outcomes);

      expect(results.map((result) => result.ok)).toEqual([true, true, true]);
      expect(w.server.stats.refreshes).toBe(1);
    });

    it('after: the three requests wait for the one refresh and all succeed', async () => {
      const { w, api } = await signedIn(after);
      w.server.controls.expireAccessTokens();
      const release = w.tap.hold('/auth/refresh');

      const outcomes = [1, 2, 3].map((id) => settle(api.get(`/api/items/${id}`)));
      const settled = settledCount(outcomes);
      await expect.poll(() => w.tap.requests.filter((r) => itemsPath(r) && r.status === 401).length).toBe(3);
      await expect.poll(() => w.server.stats.refreshes).toBe(1);
      expect(settled()).toBe(0);
      release();
      const results = await Promise.all(outcomes);

      expect(results.map((result) => result.ok)).toEqual([true, true, true]);
      expect(w.server.stats.refreshes).toBe(1);
    });
  });

  describe('a late 401 no longer starts a second refresh', () => {
    /** Item 2's 401 is held on the network while item 1 goes through 401, refresh and replay; then it arrives. */
    async function lateUnauthorized(w: World, api: AxiosInstance) {
      w.server.controls.expireAccessTokens();
      const releaseLate = w.tap.hold('/api/items/2');
      const late = settle(api.get('/api/items/2'));
      await expect
        .poll(() => w.tap.requests.some((r) => r.path === '/api/items/2' && r.status === 401))
        .toBe(true);
      expect((await api.get('/api/items/1')).status).toBe(200);
      expect(w.server.stats.refreshes).toBe(1);
      releaseLate();
      return late;
    }

    it('before: a second refresh', async () => {
      const { w, api } = await signedIn(before);

      const late = await lateUnauthorized(w, api);

      expect(late.ok).toBe(true);
      expect(w.server.stats.refreshes).toBe(2);
    });

    it('after: replayed at once with the current token, no refresh', async () => {
      const { w, api } = await signedIn(after);

      const late = await lateUnauthorized(w, api);

      expect(late.ok).toBe(true);
      expect(w.server.stats.refreshes).toBe(1);
    });
  });

  it('requests made while the refresh runs, unchanged: before and after, it waits and is sent once, with the new token', async () => {
    for (const pick of [before, after]) {
      const { w, api } = await signedIn(pick);
      w.server.controls.expireAccessTokens();
      const release = w.tap.hold('/auth/refresh');
      const first = api.get('/api/items/1');
      await expect.poll(() => w.server.stats.refreshes).toBe(1);

      const meanwhile = api.get('/api/items/2');
      release();

      expect((await first).status).toBe(200);
      expect((await meanwhile).status).toBe(200);
      expect(requestsTo(w.server, '/api/items/2').map((r) => r.status)).toEqual([200]);
      expect(w.server.stats.refreshes).toBe(1);
    }
  });

  describe('a refused refresh ends the session cleanly', () => {
    /** A request starts the refresh, which the server refuses; another is made while it runs; then a third. */
    async function refused(w: World, api: AxiosInstance) {
      w.server.controls.expireAccessTokens();
      w.server.controls.revokeRefreshTokens();
      const release = w.tap.hold('/auth/refresh');
      const first = settle(api.get('/api/items/1'));
      await expect.poll(() => w.server.stats.refreshes).toBe(1);
      const meanwhile = settle(api.get('/api/items/2'));
      release();
      const results = { first: await first, meanwhile: await meanwhile };
      return { ...results, next: await settle(api.get('/api/items/3')) };
    }

    it("before: the refresh call's own 400 for the request that started it, a bare CanceledError for the one made meanwhile; the tokens stay, and the next request sends the refused refresh token again", async () => {
      const { w, api } = await signedIn(before);

      const { first, meanwhile, next } = await refused(w, api);

      const firstError = errorOf(first);
      expect(statusOf(firstError)).toBe(400);
      expect(axios.isAxiosError(firstError) && firstError.config?.url).toBe(`${w.tap.url}/auth/refresh`);
      const canceled = errorOf(meanwhile);
      expect(axios.isCancel(canceled)).toBe(true);
      expect((canceled as Error).message).toBe('Request call failed');
      expect((canceled as Error).cause).toBeUndefined();
      expect(requestsTo(w.server, '/api/items/2')).toEqual([]);
      expect(w.storage.items.has('refreshToken')).toBe(true);
      expect(statusOf(errorOf(next))).toBe(400);
      expect(w.server.stats.refreshCalls.map((call) => [call.outcome, call.tokenId])).toEqual([
        ['rejected', w.server.stats.refreshCalls[0]?.tokenId],
        ['rejected', w.server.stats.refreshCalls[0]?.tokenId],
      ]);
    });

    it('after: SESSION_EXPIRED for both, with the cause; signed out, storage cleared, and no second refresh', async () => {
      const { w, api, session } = await signedIn(after);

      const { first, meanwhile, next } = await refused(w, api);

      const errors = [errorOf(first), errorOf(meanwhile)];
      expect(errors.map((error) => isAuthError(error) && error.code)).toEqual([
        'SESSION_EXPIRED',
        'SESSION_EXPIRED',
      ]);
      expect(statusOf((errors[0] as AuthError).cause)).toBe(400);
      expect(requestsTo(w.server, '/api/items/2')).toEqual([]);
      expect(session.getState().status).toBe('signedOut');
      expect(w.storage.items.size).toBe(0);
      // Signed out, the next request goes without a token; its 401 comes back as it is.
      expect(statusOf(errorOf(next))).toBe(401);
      expect(requestsTo(w.server, '/api/items/3').map((r) => r.hadToken)).toEqual([false]);
      expect(w.server.stats.refreshes).toBe(1);
    });

    it('after, prompt.ts: the login modal opens once for all the waiting requests, which resume when it signs in', async () => {
      const w = await world();
      const openLoginModal = vi.fn(async () => alice);
      const load = samplesOf(page, w);
      const { api, login, session } = after(load);
      load('prompt.ts', { api, session, openLoginModal });
      await login(alice.username, alice.password);
      w.server.controls.expireAccessTokens();
      w.server.controls.revokeRefreshTokens();

      const responses = await Promise.all([1, 2, 3].map((id) => api.get(`/api/items/${id}`)));

      expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
      expect(openLoginModal).toHaveBeenCalledTimes(1);
      expect(w.server.stats).toMatchObject({ logins: 2, refreshes: 1 });
    });

    it('after, errors.ts: "try again later" for a 500, the session kept; "sign in again" for a refused refresh', async () => {
      const { w, load, api, session } = await signedIn(after);
      const { loadItems } = load('errors.ts', { api }) as { loadItems: () => Promise<unknown> };
      w.server.controls.expireAccessTokens();

      w.server.controls.failNextRefresh(1, 'server');
      expect(await loadItems()).toBe('try again later');
      expect(session.getState().status).toBe('signedIn');
      w.server.controls.failNextRefresh(1, 'rejected');
      expect(await loadItems()).toBe('sign in again');
      expect(session.getState().status).toBe('signedOut');
    });
  });

  describe('a 401 that a new token cannot fix is handed back; retries: still one replay per request', () => {
    // alice is not an admin: /api/scoped answers her 401 with error="insufficient_scope", whatever her token.
    it('before: a refresh and a replay, then the 401 — 2 sends, although maxRetries is 3 by default', async () => {
      const { w, api } = await signedIn(before);

      const result = await settle(api.get('/api/scoped'));

      expect(statusOf(errorOf(result))).toBe(401);
      expect(requestsTo(w.server, '/api/scoped').map((r) => r.status)).toEqual([401, 401]);
      expect(w.server.stats.refreshes).toBe(1);
    });

    it('after: the 401 at once, no refresh', async () => {
      const { w, api } = await signedIn(after);

      const result = await settle(api.get('/api/scoped'));

      expect(statusOf(errorOf(result))).toBe(401);
      expect(requestsTo(w.server, '/api/scoped').map((r) => r.status)).toEqual([401]);
      expect(w.server.stats.refreshes).toBe(0);
    });

    it('after, options.ts (refresh on every 401, maxRetries: 1): a refresh and a replay, then the 401; skipAuth sends no token', async () => {
      const { w, load, session } = await signedIn(after);
      const { legacyApi, loadPublic } = load('options.ts', { session }) as {
        legacyApi: AxiosInstance;
        loadPublic: () => Promise<AxiosResponse>;
      };

      const result = await settle(legacyApi.get('/api/scoped'));

      expect(statusOf(errorOf(result))).toBe(401);
      expect(requestsTo(w.server, '/api/scoped').map((r) => r.status)).toEqual([401, 401]);
      expect(w.server.stats.refreshes).toBe(1);
      expect((await loadPublic()).status).toBe(200);
      expect(w.tap.requests.filter((r) => r.path === '/api/public').map((r) => r.hadAuthorization)).toEqual([
        false,
      ]);
    });
  });

  it('the token goes only to your API: before, to any URL the instance calls; after, to the API origin only', async () => {
    const seen: boolean[][] = [];
    for (const pick of [before, after]) {
      const { w, api } = await signedIn(pick);

      await api.get('/api/items/1');
      await api.get(`${w.other.url}/api/public`);

      seen.push([...w.tap.requests.filter(itemsPath), ...w.other.requests].map((r) => r.hadAuthorization));
    }
    expect(seen).toEqual([
      [true, true],
      [true, false],
    ]);
  });

  it('an expired token is refreshed before the request is sent: before, the API answers 401 first; after, no 401', async () => {
    const unauthorized: number[] = [];
    for (const pick of [before, after]) {
      vi.useFakeTimers({ toFake: ['Date'] }); // before the session reads its clock
      const { w, api } = await signedIn(pick);
      vi.setSystemTime(Date.now() + 61_000); // the 60 s token has expired, for the server and the client

      expect((await api.get('/api/items/1')).status).toBe(200);

      expect(w.server.stats.refreshes).toBe(1);
      unauthorized.push(requestsTo(w.server, '/api/items/1').filter((r) => r.status === 401).length);
      vi.useRealTimers();
    }
    expect(unauthorized).toEqual([1, 0]);
  });

  it('nothing is written onto your request config: before, skipAuthRefresh and __authRefreshRetryCount on the replayed response.config; after, nothing', async () => {
    const configs: Record<string, unknown>[] = [];
    for (const pick of [before, after]) {
      const { w, api } = await signedIn(pick);
      w.server.controls.expireAccessTokens();

      const { config } = await api.get('/api/items/1');

      expect(requestsTo(w.server, '/api/items/1').map((r) => r.status)).toEqual([401, 200]);
      configs.push(Object.fromEntries(Object.entries(config).filter(([key]) => /auth/i.test(key))));
    }
    expect(configs).toEqual([{ skipAuthRefresh: true, __authRefreshRetryCount: 1 }, {}]);
  });
});

describe('docs/migrate/axios-jwt.md', () => {
  const page = readSamples('docs/migrate/axios-jwt.md');
  interface Before {
    api: AxiosInstance;
    login(params: { username: string; password: string }): Promise<void>;
    logout(): Promise<void> | void;
  }
  interface After extends Before {
    session: Session;
  }
  interface Calls {
    isLoggedIn(): boolean;
    getAccessToken(): Promise<string | null>;
  }
  const before = (load: Load) => load('before.ts') as unknown as Before;
  const after = (load: Load) => load('after.ts') as unknown as After;
  /** axios-jwt's storage key, `auth-tokens-${process.env.NODE_ENV}`, fixed when it is imported. */
  const axiosJwtKey = `auth-tokens-${process.env.NODE_ENV}`;
  async function signedIn<T extends Before>(pick: (load: Load) => T) {
    const w = await world();
    const load = samplesOf(page, w);
    const client = pick(load);
    await client.login(alice);
    return { w, load, ...client };
  }
  /** Three requests at once, each settled. */
  const three = (api: AxiosInstance) =>
    Promise.all([1, 2, 3].map((id) => settle(api.get(`/api/items/${id}`))));

  describe('the samples', () => {
    it('every sample type-checks against the real packages (axios-jwt 4.0.3, reauth, axios)', () => {
      expect(Object.keys(page)).toEqual(['before.ts', 'after.ts', 'adopt.ts', 'calls.ts', 'errors.ts']);
      const errors = typeErrors('axios-jwt', page);
      for (const name of Object.keys(page)) expect(errors[name]?.text, name).toBe('');
    });

    it("a slip is a type error: axios-jwt's option names given to reauth", () => {
      const errors = typeErrors('axios-jwt-slips', {
        ...page,
        'slipPrefix.ts': slip(page['after.ts'], "scheme: 'Bearer'", "headerPrefix: 'Bearer '"),
        'slipFudge.ts': slip(page['after.ts'], 'refreshLeewayMs: 10_000', "tokenExpireFudge: '10s'"),
      });
      // 2353: an object literal may only specify known properties; 2769: no overload of createSession takes it.
      expect(errors['slipPrefix.ts']?.codes).toEqual([2353]);
      expect(errors['slipFudge.ts']?.codes).toEqual([2769]);
      expect(errors['slipFudge.ts']?.text).toContain("'tokenExpireFudge' does not exist");
    });

    it('adopt.ts: a user signed in with axios-jwt stays signed in, and its key is gone', async () => {
      const w = await world();
      await before(samplesOf(page, w)).login(alice);
      expect([...w.storage.items.keys()]).toEqual([axiosJwtKey]);

      // The page names the key of a production build; this process runs with NODE_ENV=test.
      expect(page['adopt.ts']).toContain("'auth-tokens-production'");
      const load = samplesOf(page, w, { "'auth-tokens-production'": JSON.stringify(axiosJwtKey) });
      const { api, session } = after(load);
      (load('adopt.ts', { session }) as { adoptAxiosJwtSession: () => void }).adoptAxiosJwtSession();

      expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
      expect([...w.storage.items.keys()]).toEqual(['reauth']);
      w.server.controls.expireAccessTokens(); // the adopted refresh token works too
      expect((await api.get('/api/items/1')).data).toEqual({ id: '1', user: 'alice' });
      expect(w.server.stats).toMatchObject({ logins: 1, refreshes: 1 });
    });

    it('calls.ts: isLoggedIn, and getAccessToken that refreshes a token past its exp first; logout', async () => {
      vi.useFakeTimers({ toFake: ['Date'] }); // before the session reads its clock
      const w = await world();
      const load = samplesOf(page, w);
      const { login, logout, session } = after(load);
      const { isLoggedIn, getAccessToken } = load('calls.ts', { session }) as unknown as Calls;
      expect(isLoggedIn()).toBe(false);
      await login(alice);
      expect(isLoggedIn()).toBe(true);
      const first = await getAccessToken();

      vi.setSystemTime(Date.now() + 61_000);
      const renewed = await getAccessToken();

      expect(w.server.stats.refreshes).toBe(1);
      expect(renewed).not.toBe(first);
      expect(decodeJwt(String(renewed))).toMatchObject({ sub: 'alice' });
      await logout();
      expect([isLoggedIn(), await getAccessToken()]).toEqual([false, null]);
    });
  });

  it('a 401 from the API is handled: before, the three requests and the next one fail with it, no refresh; after, one refresh and all succeed', async () => {
    const outcomes: unknown[] = [];
    for (const pick of [before, after]) {
      const { w, api } = await signedIn(pick);
      w.server.controls.expireAccessTokens(); // the server refuses the tokens; their exp says they are valid

      const results = [...(await three(api)), await settle(api.get('/api/items/4'))];

      outcomes.push({
        statuses: results.map((result) => (result.ok ? result.value.status : statusOf(result.error))),
        refreshes: w.server.stats.refreshes,
      });
    }
    expect(outcomes).toEqual([
      { statuses: [401, 401, 401, 401], refreshes: 0 },
      { statuses: [200, 200, 200, 200], refreshes: 1 },
    ]);
  });

  it('a token past its exp, unchanged: before and after, one refresh before sending, and the API sees no 401', async () => {
    for (const pick of [before, after]) {
      vi.useFakeTimers({ toFake: ['Date'] }); // before the session reads its clock
      const { w, api } = await signedIn(pick);
      vi.setSystemTime(Date.now() + 61_000); // the 60 s token has expired, for the server and the client

      const results = await three(api);

      expect(results.map((result) => result.ok)).toEqual([true, true, true]);
      expect(w.server.stats.refreshes).toBe(1);
      expect(w.server.stats.requests.filter(itemsPath).map((r) => r.status)).toEqual([200, 200, 200]);
      vi.useRealTimers();
    }
  });

  describe('a refused refresh ends the session cleanly (400 invalid_grant, the token past its exp)', () => {
    async function refused(w: World, api: AxiosInstance) {
      vi.setSystemTime(Date.now() + 61_000);
      w.server.controls.revokeRefreshTokens();
      const first = await settle(api.get('/api/items/1'));
      return { first, next: await settle(api.get('/api/items/2')) };
    }

    it('before: a plain Error (no response), the request never sent; the tokens stay, and the next request sends the refused refresh token again', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const { w, api } = await signedIn(before);

      const { first, next } = await refused(w, api);

      const error = errorOf(first);
      expect(error).toBeInstanceOf(Error);
      expect(axios.isAxiosError(error)).toBe(false);
      expect((error as Error).message).toBe(
        'Unable to refresh access token for request due to token refresh error: Failed to refresh auth token: Request failed with status code 400',
      );
      expect((errorOf(next) as Error).message).toBe((error as Error).message);
      expect(w.server.stats.requests.filter(itemsPath)).toEqual([]);
      expect(await axiosJwtModule.isLoggedIn()).toBe(true);
      expect(w.storage.items.has(axiosJwtKey)).toBe(true);
      expect(w.server.stats.refreshCalls.map((call) => [call.outcome, call.tokenId])).toEqual([
        ['rejected', w.server.stats.refreshCalls[0]?.tokenId],
        ['rejected', w.server.stats.refreshCalls[0]?.tokenId],
      ]);
    });

    it('after: SESSION_EXPIRED with the cause, signed out with storage cleared, and no second refresh', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const { w, load, api, session } = await signedIn(after);
      const { isLoggedIn } = load('calls.ts', { session }) as unknown as Calls;

      const { first, next } = await refused(w, api);

      const error = errorOf(first);
      expect(isAuthError(error) && error.code).toBe('SESSION_EXPIRED');
      expect(statusOf((error as AuthError).cause)).toBe(400);
      expect(isLoggedIn()).toBe(false);
      expect(w.storage.items.size).toBe(0);
      // Signed out, the next request goes without a token; its 401 comes back as it is.
      expect(statusOf(errorOf(next))).toBe(401);
      expect(w.server.stats.requests.filter(itemsPath).map((r) => [r.path, r.hadToken])).toEqual([
        ['/api/items/2', false],
      ]);
      expect(w.server.stats.refreshes).toBe(1);
    });

    it('after, errors.ts: "try again later" for a 500, the session kept; "sign in again" for a refused refresh', async () => {
      const { w, load, api, session } = await signedIn(after);
      const { loadItems } = load('errors.ts', { api }) as { loadItems: () => Promise<unknown> };
      w.server.controls.expireAccessTokens();

      w.server.controls.failNextRefresh(1, 'server');
      expect(await loadItems()).toBe('try again later');
      expect(session.getState().status).toBe('signedIn');
      w.server.controls.failNextRefresh(1, 'rejected');
      expect(await loadItems()).toBe('sign in again');
      expect(session.getState().status).toBe('signedOut');
    });
  });

  it('the token goes only to your API: before, to any URL the instance calls; after, to the API origin only', async () => {
    const seen: boolean[][] = [];
    for (const pick of [before, after]) {
      const { w, api } = await signedIn(pick);

      await api.get('/api/items/1');
      await api.get(`${w.other.url}/api/public`);

      seen.push([...w.tap.requests.filter(itemsPath), ...w.other.requests].map((r) => r.hadAuthorization));
    }
    expect(seen).toEqual([
      [true, true],
      [true, false],
    ]);
  });

  it('the refresh can go through your instance: after, the refresh is a request of the instance, sent without a token', async () => {
    const { w, api } = await signedIn(after);
    w.server.controls.expireAccessTokens();

    expect((await api.get('/api/items/1')).status).toBe(200);

    expect(w.tap.requests.filter((r) => r.path === '/auth/refresh').map((r) => r.hadAuthorization)).toEqual([
      false,
    ]);
  });
});
