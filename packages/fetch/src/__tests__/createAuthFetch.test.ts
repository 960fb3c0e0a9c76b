import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { API, createFakeFetch } from './support/fakeFetch';
import { bearer, codeOf, finish, setup, url } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('createAuthFetch', () => {
  it('sends the current token to an allowed origin and resolves with the response', async () => {
    const { api, authFetch, tokens } = setup();
    const response = await finish(authFetch(url('/items')));

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ url: url('/items'), method: 'GET' });
    expect(api.sends.map((s) => s.authorization)).toEqual([bearer(tokens.accessToken)]);
  });

  it('calls fetch in the same turn when nothing waits (the hot path is synchronous)', () => {
    const { api, authFetch } = setup();
    void authFetch(url('/items'));
    expect(api.fetch).toHaveBeenCalledTimes(1);
  });

  it('passes a GET without a body on as given: the same URL string, a copy of init with the header', async () => {
    const { api, authFetch, tokens } = setup();
    const init = { headers: { 'x-custom': 'kept' }, cache: 'no-store' as const };
    await finish(authFetch(url('/items'), init));

    const [input, sentInit] = api.fetch.mock.calls[0] ?? [];
    expect(input).toBe(url('/items'));
    expect(sentInit).not.toBe(init);
    expect(sentInit).toMatchObject({ cache: 'no-store' });
    expect(new Headers(sentInit?.headers).get('authorization')).toBe(bearer(tokens.accessToken));
    expect(new Headers(sentInit?.headers).get('x-custom')).toBe('kept');
    expect(init).toEqual({ headers: { 'x-custom': 'kept' }, cache: 'no-store' });
  });

  it('accepts a URL object as input', async () => {
    const { api, authFetch, tokens } = setup();
    await finish(authFetch(new URL('/items?q=1', API)));
    expect(api.sends.map((s) => [s.url, s.authorization])).toEqual([
      [url('/items'), bearer(tokens.accessToken)],
    ]);
  });

  it('uses globalThis.fetch as it is at call time, so patches installed later are used', async () => {
    const session = createSession();
    const authFetch = createAuthFetch(session, { allowedOrigins: [API] });
    const api = createFakeFetch();
    const { accessToken } = api.issueTokens();
    session.signIn({ accessToken });
    vi.stubGlobal('fetch', api.fetch);

    const response = await finish(authFetch(url('/items')));

    expect(response.status).toBe(200);
    expect(api.sends.map((s) => s.authorization)).toEqual([bearer(accessToken)]);
  });

  it('puts the token in a custom header, with a custom scheme or none', async () => {
    const { api, authFetch, tokens } = setup({ auth: { header: 'X-Api-Token', scheme: '' } });
    await finish(authFetch(url('/custom')));
    expect(api.sends[0]?.headers['x-api-token']).toBe(tokens.accessToken);
    expect(api.sends[0]?.authorization).toBeNull();

    const other = setup({ auth: { scheme: 'Token' } });
    await finish(other.authFetch(url('/custom')));
    expect(other.api.sends[0]?.authorization).toBe(`Token ${other.tokens.accessToken}`);
  });

  it('replaces an Authorization header the caller set, for an allowed origin', async () => {
    const { api, authFetch, tokens } = setup();
    await finish(authFetch(url('/items'), { headers: [['Authorization', 'Bearer stale']] }));
    expect(api.sends[0]?.authorization).toBe(bearer(tokens.accessToken));
  });

  it('sends no token with skipAuth, and passes the caller’s input and init on untouched', async () => {
    const { api, authFetch } = setup();
    const init = { method: 'POST', body: '{"username":"alice"}', skipAuth: true };
    await finish(authFetch(url('/auth/login'), init));

    expect(api.sends[0]?.authorization).toBeNull();
    expect(api.fetch.mock.calls[0]).toEqual([url('/auth/login'), init]);
    expect(api.fetch.mock.calls[0]?.[1]).toBe(init);
  });
});

describe('the 401s it does not hand back', () => {
  /** A setup whose fetch keeps every Response it returned. */
  function recording(options: Parameters<typeof setup>[0] = {}) {
    const responses: Response[] = [];
    const context = setup({
      ...options,
      auth: {
        ...options.auth,
        fetch: async (...args) => {
          const response = await context.api.fetch(...args);
          responses.push(response);
          return response;
        },
      },
    });
    return { ...context, responses };
  }

  it('frees the connection of a 401 it replays', async () => {
    const { api, authFetch, responses } = recording();
    api.expireAccessTokens();

    const response = await finish(authFetch(url('/items')));

    expect(responses.map((r) => [r.status, r.bodyUsed])).toEqual([
      [401, true],
      [200, false],
    ]);
    expect(response).toBe(responses[1]);
  });

  it('frees the connection of a 401 whose refresh is refused (the request rejects)', async () => {
    const { api, authFetch, responses } = recording();
    api.expireAccessTokens();
    api.revokeRefreshTokens();

    const outcome = await finish(authFetch(url('/items'))).catch((error: unknown) => error);

    expect(codeOf(outcome)).toBe('SESSION_EXPIRED');
    expect(responses.map((r) => [r.status, r.bodyUsed])).toEqual([[401, true]]);
  });

  it('leaves the body of a 401 it hands back unread', async () => {
    const { api, authFetch, responses } = recording({ auth: { maxRetries: 0 } });
    api.expireAccessTokens();

    const response = await finish(authFetch(url('/items')));

    expect(response).toBe(responses[0]);
    expect(await response.json()).toEqual({ error: 'expired' });
  });
});

/** The redirect mode a send went with. */
const redirectOf = ([input, init]: unknown[]) =>
  (init as RequestInit | undefined)?.redirect ?? (input as Partial<Request>).redirect ?? 'follow';

describe('redirects', () => {
  it('sends a token in a custom header with redirect: error, unless the caller chose a mode', async () => {
    const { api, authFetch } = setup({ auth: { header: 'X-Api-Token' } });
    for (const path of ['/a', '/b', '/c', '/d']) api.route(path, () => ({ status: 200 }));
    await finish(authFetch(url('/a')));
    await finish(authFetch(url('/b'), { redirect: 'manual' }));
    await finish(authFetch(new Request(url('/c'), { method: 'PUT', body: 'x' })));
    await finish(authFetch(new Request(url('/d'), { redirect: 'manual' })));

    expect(api.sends.map((s) => redirectOf(s.args))).toEqual(['error', 'manual', 'error', 'manual']);
  });

  it('leaves redirects to fetch with Authorization, which fetch drops on a redirect to another origin', async () => {
    const { api, authFetch } = setup();
    await finish(authFetch(url('/a')));
    expect(api.sends.map((s) => redirectOf(s.args))).toEqual(['follow']);
  });
});

describe('misuse', () => {
  it.each([
    ['no session', () => createAuthFetch(undefined as never), /expected a session from createSession\(\)/],
    ['a session that is not one', () => createAuthFetch({} as never), /expected a session/],
    [
      'a fetch that is not a function',
      () => createAuthFetch(createSession(), { fetch: 'fetch' as never, allowedOrigins: [API] }),
      /expected options\.fetch to be a function/,
    ],
    [
      'a shouldRefresh that is not a function',
      () => createAuthFetch(createSession(), { shouldRefresh: true as never, allowedOrigins: [API] }),
      /expected options\.shouldRefresh to be a function \(response\) => boolean/,
    ],
    [
      'a negative maxRetries',
      () => createAuthFetch(createSession(), { maxRetries: -1, allowedOrigins: [API] }),
      /createAuthFetch: `maxRetries` must be a whole number/,
    ],
    [
      'an allowedOrigins entry with a path',
      () => createAuthFetch(createSession(), { allowedOrigins: ['https://api.test/v1'] }),
      /createAuthFetch: allowedOrigins entry "https:\/\/api.test\/v1" is not an origin/,
    ],
  ])('%s is a TypeError saying what was expected', (_, call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/^\[reauth\] createAuthFetch/);
    expect(call).toThrow(message);
  });
});
