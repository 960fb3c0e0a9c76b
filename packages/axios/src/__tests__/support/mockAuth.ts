import { type AttachAuthOptions, attachAuth } from '@reauth/axios';
import {
  type AuthEvent,
  type AuthEventOf,
  type AuthEventType,
  createSession,
  decodeJwt,
  type RefreshContext,
  type SessionOptions,
  type StorageLike,
  type TokensInput,
} from '@reauth/core';
import { createMockAuthServer, type MockAuthServerOptions, type TokenResponse } from '@reauth/msw';
import axios, { type CreateAxiosDefaults } from 'axios';
import { HttpResponse, type HttpResponseResolver, http } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';

// The user-story tests on axios's real http adapter, msw/node and the @reauth/msw kit, with real timers:
// a test waits for what it expects to happen (`eventually`), and a request that must be in flight while
// something else happens is held at a gate the test opens, not by a delay.

export const BASE_URL = 'https://api.test';

/** One request as it left axios (every one but the session's own refresh calls). */
export interface Send {
  method: string;
  /** The path, without the query string. */
  url: string;
  authorization: string | null;
  /** The status answered, 0 for a network error, undefined while in flight. */
  status?: number;
}

/** The msw server of a test file: listening for the whole file, handlers and listeners reset per test. */
export function useMswServer(): SetupServer {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    server.events.removeAllListeners();
  });
  afterAll(() => server.close());
  return server;
}

export interface MockSetupOptions {
  session?: SessionOptions;
  attach?: AttachAuthOptions;
  kit?: Omit<MockAuthServerOptions, 'baseUrl' | 'now'>;
  /** Defaults of the instance under test (`adapter: 'fetch'` fails a network error as browsers do). */
  axios?: CreateAxiosDefaults;
  /** Sign in as alice with tokens the kit issued. Default true. */
  signedIn?: boolean;
  /** Give the session a refresh on the kit. Default true; false: every 401 goes to re-authentication. */
  silentRefresh?: boolean;
}

/**
 * A fresh kit on `server` (its token lifetime an hour, as the fake API's), every other path of
 * {@link BASE_URL} a protected resource answering `{ url, method, sendNo }`, an axios instance with reauth
 * attached, and a session (signed in as alice by default) sharing one manual clock with the kit.
 */
export async function setupMockAuth(server: SetupServer, options: MockSetupOptions = {}) {
  const { signedIn = true, silentRefresh = true } = options;
  const clock = { ms: Date.parse('2026-01-01T00:00:00Z') };
  const now = () => clock.ms;
  const auth = createMockAuthServer({ accessTokenTtlMs: 3_600_000, ...options.kit, baseUrl: BASE_URL, now });
  const sendCounts = new Map<string, number>();
  const resource = http.all(`${BASE_URL}/*`, ({ request }) => {
    const { pathname } = new URL(request.url);
    const sendNo = (sendCounts.get(`${request.method} ${pathname}`) ?? 0) + 1;
    sendCounts.set(`${request.method} ${pathname}`, sendNo);
    return HttpResponse.json({ url: pathname, method: request.method, sendNo });
  });
  server.use(...auth.handlers, auth.protect(resource));

  const sends: Send[] = [];
  const byRequestId = new Map<string, Send>();
  server.events.on('request:start', ({ request, requestId }) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/auth/refresh') return;
    const send = {
      method: request.method,
      url: pathname,
      authorization: request.headers.get('authorization'),
    };
    sends.push(send);
    byRequestId.set(requestId, send);
  });
  // msw ends a request before it reports the mocked response, and reports none for a network error: 0
  // until a response says otherwise.
  server.events.on('request:end', ({ requestId }) => {
    const send = byRequestId.get(requestId);
    if (send) send.status ??= 0;
  });
  server.events.on('response:mocked', ({ response, requestId }) => {
    const send = byRequestId.get(requestId);
    if (send) send.status = response.status;
  });

  const issued: TokenResponse[] = [];
  const refreshTokensPresented: string[] = [];
  const refreshClient = axios.create({ baseURL: BASE_URL });
  const refresh = vi.fn(async ({ refreshToken, signal }: RefreshContext): Promise<TokensInput> => {
    refreshTokensPresented.push(refreshToken);
    const { data } = await refreshClient.post<TokenResponse>('/auth/refresh', { refreshToken }, { signal });
    issued.push(data);
    return data;
  });

  const http$ = axios.create({ ...options.axios, baseURL: BASE_URL });
  // Installed before attachAuth, so it sees each error as axios made it, before reauth handles it.
  const thrown: unknown[] = [];
  http$.interceptors.response.use(undefined, (error: unknown) => {
    thrown.push(error);
    return Promise.reject(error);
  });
  const items = new Map<string, string>();
  const storage: StorageLike = {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
  const session = createSession({ ...(silentRefresh && { refresh }), storage, now, ...options.session });
  const events: AuthEvent[] = [];
  session.on('*', (event) => events.push(event));
  attachAuth(http$, session, options.attach);

  const issueTokens = async (username = 'alice') => {
    const tokens = await auth.controls.issueTokens(username);
    issued.push(tokens);
    return tokens;
  };
  const tokens = signedIn ? await issueTokens() : null;
  if (tokens) session.signIn(tokens);

  return {
    auth,
    http: http$,
    session,
    events,
    eventsOf: <T extends AuthEventType>(type: T) =>
      events.filter((event): event is AuthEventOf<T> => event.type === type),
    storage: items,
    tokens: tokens as TokenResponse,
    refresh,
    refreshTokensPresented,
    sends,
    sendsOf: (url: string) => sends.filter((send) => send.url === url),
    thrown,
    issueTokens,
    lastIssued: (): TokenResponse => {
      const last = issued.at(-1);
      if (!last) throw new Error('no tokens issued yet');
      return last;
    },
    /** Move the clock the kit and the session share. */
    advanceClock: (ms: number) => {
      clock.ms += ms;
    },
    /** Answer `path` (any method) with `resolver` instead of the protected resource. */
    route: (path: string, resolver: HttpResponseResolver) =>
      server.use(http.all(`${BASE_URL}${path}`, resolver)),
    /**
     * Hold every request to `path` until `open()`, then let it through to the protected resource, which
     * checks its token only then: a token expired or ended meanwhile gets its 401 late.
     */
    gate(path: string) {
      let open = () => {};
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      server.use(http.all(`${BASE_URL}${path}`, () => opened.then(() => undefined)));
      return { open: () => open() };
    },
  };
}

/** Waits until `assertion` passes (real timers; the machine may be slow, so the bound is generous). */
export const eventually = (assertion: () => unknown) =>
  vi.waitFor(assertion, { timeout: 5_000, interval: 2 });

export const jtiOf = (token: string) => decodeJwt(token)?.jti;
