import { attachAuth } from '@reauth/axios';
import {
  type AuthEvent,
  type AuthEventOf,
  type AuthEventType,
  type CookieMode,
  createSession,
  type Session,
} from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import type { AccessTokenResponse } from '@reauth/msw';
import axios, { isAxiosError } from 'axios';
import { wrapper } from 'axios-cookiejar-support';
import type { CookieJar } from 'tough-cookie';
import { onTestFinished } from 'vitest';
import { type AuthServer, type AuthServerOptions, startAuthServer } from '../support/authServer';
import { cookieFetch } from '../support/cookieFetch';
import { type HeaderTap, startHeaderTap } from '../support/headerTap';

/** The two adapters every scenario runs on. */
export const ADAPTERS = ['axios', 'fetch'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

/** An HTTP answer as the app reads it: a 401 or 500 is an answer too (axios's error turned back into one). */
export interface Answer {
  status: number;
  body: unknown;
}

/** Per request: what the app passes to its transport. */
export interface RequestOptions {
  method?: string;
  body?: unknown;
  skipAuth?: boolean;
  signal?: AbortSignal;
}

/**
 * The body of a login or sliding refresh with `cookies: 'session'`, as the app reads it. The kit's own
 * `SessionResponse` has the same shape, but its `user` is an interface (no index signature), which TypeScript
 * does not take as core's `Claims`: an app would declare its own type like this one.
 */
export type SessionBody = { user: { sub: string; roles: string[] } };

/** What the app passes as a request's auth options: only those given (`exactOptionalPropertyTypes`). */
function given({ skipAuth, signal }: { skipAuth?: boolean | undefined; signal?: AbortSignal | undefined }) {
  return { ...(skipAuth === undefined ? {} : { skipAuth }), ...(signal === undefined ? {} : { signal }) };
}

/** One adapter over one cookie jar: how the app talks to its API. */
export interface Wire {
  /** A request through reauth; an HTTP error status resolves as an {@link Answer}, anything else rejects. */
  request(url: string, options?: RequestOptions): Promise<Answer>;
  /**
   * A `skipAuth` POST as an app writes its login or refresh call: the JSON of a 2xx, else a throw of the
   * transport's own kind (axios's error, fetch's `Response`), whose status `isRefreshRejected` reads.
   */
  call<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T>;
}

/** A session of one cookie model with one adapter attached, its events recorded. */
export interface CookieClient {
  session: Session;
  wire: Wire;
  events: AuthEvent[];
  eventsOf<T extends AuthEventType>(type: T): AuthEventOf<T>[];
}

/**
 * The adapter under test on `baseUrl`, with the jar as the browser's cookie store: axios through
 * axios-cookiejar-support (http-cookie-agent: the jar at the socket's agent), fetch through {@link cookieFetch}.
 */
export function createWire(adapter: AdapterName, session: Session, baseUrl: string, jar: CookieJar): Wire {
  if (adapter === 'axios') {
    const api = wrapper(axios.create({ baseURL: baseUrl, jar }));
    attachAuth(api, session);
    return {
      async request(url, { method = 'GET', body, skipAuth, signal } = {}) {
        try {
          const response = await api.request({ url, method, data: body, ...given({ skipAuth, signal }) });
          return { status: response.status, body: response.data };
        } catch (error) {
          if (isAxiosError(error) && error.response) {
            return { status: error.response.status, body: error.response.data };
          }
          throw error;
        }
      },
      call: async <T>(path: string, body: unknown, signal?: AbortSignal) =>
        (await api.post<T>(path, body, given({ skipAuth: true, signal }))).data,
    };
  }
  const authFetch = createAuthFetch(session, { fetch: cookieFetch(jar), allowedOrigins: [baseUrl] });
  const json = { 'content-type': 'application/json' };
  return {
    async request(url, { method = 'GET', body, skipAuth, signal } = {}) {
      const init = { method, headers: json, ...given({ skipAuth, signal }) };
      const response = await authFetch(
        new URL(url, baseUrl),
        body === undefined ? init : { ...init, body: JSON.stringify(body) },
      );
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async call<T>(path: string, body: unknown, signal?: AbortSignal) {
      const response = await authFetch(new URL(path, baseUrl), {
        method: 'POST',
        body: JSON.stringify(body),
        headers: json,
        ...given({ skipAuth: true, signal }),
      });
      if (!response.ok) throw response;
      return (await response.json()) as T;
    },
  };
}

function recordEvents(session: Session): Pick<CookieClient, 'events' | 'eventsOf'> {
  const events: AuthEvent[] = [];
  session.on('*', (event) => events.push(event));
  return {
    events,
    eventsOf: <T extends AuthEventType>(type: T) =>
      events.filter((event): event is AuthEventOf<T> => event.type === type),
  };
}

/**
 * `cookies: 'refresh'`: the access token in memory, the refresh token in the jar's httpOnly cookie; `refresh`
 * POSTs `/auth/refresh` with no body (the cookie is the credential), as an app does.
 */
export function refreshCookieClient(adapter: AdapterName, baseUrl: string, jar: CookieJar): CookieClient {
  const session = createSession({
    cookies: 'refresh',
    refresh: ({ signal }) => wire.call<AccessTokenResponse>('/auth/refresh', null, signal),
  });
  const wire = createWire(adapter, session, baseUrl, jar);
  return { session, wire, ...recordEvents(session) };
}

/**
 * `cookies: 'session'`: no token in JS, the jar's session cookie is the credential. With `slide`, `refresh`
 * POSTs `/auth/refresh` (a sliding session); without it, a 401 prompts.
 */
export function sessionCookieClient(
  adapter: AdapterName,
  baseUrl: string,
  jar: CookieJar,
  { slide }: { slide: boolean },
): CookieClient {
  const session = createSession({
    cookies: 'session',
    refresh: slide ? ({ signal }) => wire.call<SessionBody>('/auth/refresh', null, signal) : undefined,
  });
  const wire = createWire(adapter, session, baseUrl, jar);
  return { session, wire, ...recordEvents(session) };
}

/** `POST /auth/login` through the client's own transport with `skipAuth`; the server's JSON, unchanged. */
export function login<T>(client: CookieClient, username = 'alice'): Promise<T> {
  const password = username === 'bob' ? 'builder' : 'wonderland';
  return client.wire.call<T>('/auth/login', { username, password });
}

/** A real server of the cookie model, closed when the test finishes. */
export async function startCookieServer<Model extends CookieMode>(
  cookies: Model,
  options: Omit<AuthServerOptions<Model>, 'cookies'> = {},
): Promise<AuthServer<Model>> {
  const server = await startAuthServer<Model>({ ...options, cookies });
  onTestFinished(() => server.close());
  return server;
}

/** A header tap in front of `target`, closed when the test finishes. */
export async function startTap(target: string): Promise<HeaderTap> {
  const tap = await startHeaderTap(target);
  onTestFinished(() => tap.close());
  return tap;
}

/** The statuses the server answered on `path`, in order: one entry per time the request was sent. */
export function statusesOf(server: AuthServer<CookieMode>, path: string): number[] {
  return server.stats.requests.filter((record) => record.path === path).map((record) => record.status);
}

/** The server's protected records grouped by path, for paths answered more than twice: `{}` when none was. */
export function sentMoreThanTwice(server: AuthServer<CookieMode>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { path } of server.stats.requests) counts[path] = (counts[path] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 2));
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * How each promise settled, in order; rejects naming how many are still pending if they have not all settled
 * within `ms` (a hung request fails the test with a reason instead of timing it out).
 */
export async function settleAll<T>(promises: Promise<T>[], ms = 10_000): Promise<Settled<T>[]> {
  let pending = promises.length;
  const all = Promise.all(
    promises.map((promise) =>
      promise
        .then(
          (value): Settled<T> => ({ ok: true, value }),
          (error: unknown): Settled<T> => ({ ok: false, error }),
        )
        .finally(() => {
          pending -= 1;
        }),
    ),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`settleAll: ${pending} request(s) never settled`)), ms);
  });
  try {
    return await Promise.race([all, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error codes of rejected results (`undefined` for a rejection that has none), fulfilled ones as 'ok'. */
export function outcomes(results: Settled<unknown>[]): unknown[] {
  return results.map((result) => (result.ok ? 'ok' : (result.error as { code?: unknown } | null)?.code));
}
