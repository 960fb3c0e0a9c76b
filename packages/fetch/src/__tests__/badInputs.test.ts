import { createSession, type Session } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectMisuse, outcomeOf, recordConsole, shown } from '#test-support/exposure';

// A demanding user's view of createAuthFetch: misuse is a TypeError at createAuthFetch naming the option; a
// misbehaving transport or callback never hangs a request, and no token reaches a message or the console.

const API = 'https://api.review.test';
const SECRET = 'at-SECRET-f00d1234';
const NEW_SECRET = 'at-SECRET-NEW-beef5678';

const output = recordConsole();
const consoleText = output.text;
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

function signedIn(create: typeof createSession = createSession): Session {
  const session = create({
    crossTab: false,
    autoRefresh: false,
    refreshTimeoutMs: 1_000,
    refresh: async () => ({ accessToken: NEW_SECRET, refreshToken: 'rt-2', expiresIn: 3600 }),
  });
  session.signIn({ accessToken: SECRET, refreshToken: 'rt-1', expiresIn: 3600 });
  return session;
}

/** 401 for any token but NEW_SECRET. */
const api = vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) => {
  const auth = new Headers(init?.headers).get('authorization');
  return new Response(null, { status: auth === `Bearer ${NEW_SECRET}` ? 200 : 401 });
});

describe('createAuthFetch options: misuse is a TypeError naming the option', () => {
  const session = () => signedIn();
  it("allowedOrigins: 'https://x' (a string, not an array)", () => {
    expectMisuse(
      () => createAuthFetch(session(), { allowedOrigins: API as never, fetch: api }),
      /allowedOrigins/,
    );
  });
  it("allowedOrigins: ['https://x/api'] (a path, not an origin)", () => {
    expectMisuse(
      () => createAuthFetch(session(), { allowedOrigins: [`${API}/api`], fetch: api }),
      /allowedOrigins/,
    );
  });
  it('maxRetries: 1.5', () => {
    expectMisuse(() => createAuthFetch(session(), { maxRetries: 1.5, fetch: api }), /maxRetries/);
  });
  it("maxRetries: '1'", () => {
    expectMisuse(() => createAuthFetch(session(), { maxRetries: '1' as never, fetch: api }), /maxRetries/);
  });
  it('maxRetries: -1', () => {
    expectMisuse(() => createAuthFetch(session(), { maxRetries: -1, fetch: api }), /maxRetries/);
  });
  it("header: ''", () => {
    expectMisuse(() => createAuthFetch(session(), { header: '', fetch: api }), /header/);
  });
  it("header: 'X Auth' (not a header name)", () => {
    expectMisuse(() => createAuthFetch(session(), { header: 'X Auth', fetch: api }), /header/);
  });
  it('scheme: 5 (not a string)', () => {
    expectMisuse(() => createAuthFetch(session(), { scheme: 5 as never, fetch: api }), /scheme/);
  });
  it("scheme: 'Bearer\\n' (not a header value)", () => {
    expectMisuse(() => createAuthFetch(session(), { scheme: 'Bearer\n', fetch: api }), /scheme/);
  });
  it("fetch: 'https://x' (not a function)", () => {
    expectMisuse(() => createAuthFetch(session(), { fetch: API as never }), /fetch/);
  });
  it('shouldRefresh: true (not a function)', () => {
    expectMisuse(
      () => createAuthFetch(session(), { shouldRefresh: true as never, fetch: api }),
      /shouldRefresh/,
    );
  });
  it('createAuthFetch({}) (not a session)', () => {
    expectMisuse(() => createAuthFetch({} as never, { fetch: api }), /session/);
  });
  it('createAuthFetch(session, null) is a reauth TypeError, not a destructuring crash', () => {
    expectMisuse(() => createAuthFetch(session(), null as never), /createAuthFetch/);
  });
});

describe('no token in an error a bad option causes', () => {
  // Whatever the adapter sends with a bad scheme, the token must not come back inside an error's text
  // (undici quotes an invalid header value in its TypeError).
  it("scheme 'Bearer\\n' with headers of the caller's own: the rejection does not quote the token", async () => {
    vi.useFakeTimers();
    let authFetch: ReturnType<typeof createAuthFetch>;
    try {
      authFetch = createAuthFetch(signedIn(), {
        scheme: 'Bearer\n',
        allowedOrigins: [API],
        fetch: api,
      });
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError); // refused at the call: fine
      return;
    }
    const outcome = await outcomeOf(authFetch(`${API}/items`, { headers: { 'x-request-id': '1' } }));
    expect(outcome).not.toBe('pending');
    expect(shown(outcome)).not.toContain(SECRET);
    expect(consoleText()).not.toContain(SECRET);
  });
});

describe('every request settles under a misbehaving transport or callback', () => {
  it('a custom fetch that throws synchronously: a rejected promise with that very error', async () => {
    vi.useFakeTimers();
    const boom = new TypeError('polyfill crashed');
    const authFetch = createAuthFetch(signedIn(), {
      allowedOrigins: [API],
      fetch: () => {
        throw boom;
      },
    });
    let result: Promise<Response> | undefined;
    expect(() => {
      result = authFetch(`${API}/items`);
    }).not.toThrow();
    const outcome = await outcomeOf(result as Promise<Response>);
    expect(outcome).toEqual({ error: boom });
  });
  it('a custom fetch that resolves with undefined (not a Response): settles', async () => {
    vi.useFakeTimers();
    const authFetch = createAuthFetch(signedIn(), {
      allowedOrigins: [API],
      fetch: (async () => undefined) as never,
    });
    const outcome = await outcomeOf(authFetch(`${API}/items`), 1_000);
    expect(outcome).not.toBe('pending');
  });
  it('a shouldRefresh that throws: the 401 request settles', async () => {
    vi.useFakeTimers();
    const authFetch = createAuthFetch(signedIn(), {
      allowedOrigins: [API],
      fetch: api,
      shouldRefresh: () => {
        throw new Error('policy bug');
      },
    });
    const outcome = await outcomeOf(authFetch(`${API}/items`), 3_000);
    expect(outcome).not.toBe('pending');
    expect(shown(outcome)).not.toContain(SECRET);
  });
  it('a refresh that never resolves: the 401 request rejects REFRESH_TIMEOUT', async () => {
    vi.useFakeTimers();
    const session = createSession({
      crossTab: false,
      autoRefresh: false,
      refreshTimeoutMs: 1_000,
      refresh: () => new Promise(() => {}),
    });
    session.signIn({ accessToken: SECRET, refreshToken: 'rt-1', expiresIn: 3600 });
    const authFetch = createAuthFetch(session, { allowedOrigins: [API], fetch: api });
    const outcome = await outcomeOf(authFetch(`${API}/items`), 1_000);
    expect((outcome as { error?: { code?: string } }).error?.code).toBe('REFRESH_TIMEOUT');
    expect(shown(outcome)).not.toContain(SECRET);
    expect(consoleText()).not.toContain(SECRET);
  });
});

describe('a session of another copy of @reauth/core', () => {
  it('works as one of this copy: a 401 refreshes and replays with the new token', async () => {
    vi.useFakeTimers();
    vi.resetModules();
    const other = await import('@reauth/core');
    expect(other.createSession).not.toBe(createSession);
    api.mockClear();
    const authFetch = createAuthFetch(signedIn(other.createSession), { allowedOrigins: [API], fetch: api });
    const outcome = await outcomeOf(authFetch(`${API}/items`));
    expect((outcome as { value?: Response }).value?.status).toBe(200);
    expect(api).toHaveBeenCalledTimes(2);
  });
});

describe('a refresh that goes through the authFetch it serves (skipAuth forgotten)', () => {
  it('settles, and a development warning says to mark the refresh call skipAuth', async () => {
    vi.useFakeTimers();
    let authFetch!: ReturnType<typeof createAuthFetch>;
    const session = createSession({
      crossTab: false,
      autoRefresh: false,
      refreshTimeoutMs: 1_000,
      refresh: async () => {
        const response = await authFetch(`${API}/auth/refresh`, { method: 'POST' });
        return response.json();
      },
    });
    session.signIn({ accessToken: SECRET, refreshToken: 'rt-1', expiresIn: 3600 });
    authFetch = createAuthFetch(session, {
      allowedOrigins: [API],
      fetch: async (input, init) =>
        String(input).endsWith('/auth/refresh')
          ? Response.json({ accessToken: NEW_SECRET, refreshToken: 'rt-2', expiresIn: 3600 })
          : api(input, init),
    });
    const outcome = await outcomeOf(authFetch(`${API}/items`), 1_000);
    expect(outcome).not.toBe('pending');
    expect(consoleText()).toMatch(/skipAuth/);
    expect(consoleText()).not.toContain(SECRET);
  });
});
