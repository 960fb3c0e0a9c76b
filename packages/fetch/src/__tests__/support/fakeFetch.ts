import { decodeJwt, type RefreshContext, type TokensInput } from '@reauth/core';
import { vi } from 'vitest';

/** One send as the fake API received it. */
export interface Send {
  method: string;
  /** Origin and path, without the query string. */
  url: string;
  authorization: string | null;
  contentType: string | null;
  /** Every header but Authorization, names lower-cased. */
  headers: Record<string, string>;
  /** The body's bytes, read when the send arrives (await it). */
  bytes: Promise<Uint8Array | null>;
  /** What the fake fetch was called with: a Request, or a URL and an init. */
  args: unknown[];
  /** The status answered, 0 for a network error; undefined while in flight or when aborted. */
  status?: number;
}

export interface Reply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export type TokenCheck = 'valid' | 'missing' | 'expired' | 'invalid';
export type Route = (request: { send: Send; token: TokenCheck; sendNo: number }) => Reply | 'network';
export type RefreshFailure = 'rejected' | 'server' | 'network' | 'hang';
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export const API = 'https://api.test';

export const challenges = {
  missing: 'Bearer realm="api"',
  invalid: 'Bearer realm="api", error="invalid_token"',
  expired: 'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
  insufficientScope: 'Bearer realm="api", error="insufficient_scope"',
} as const;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned-looking JWT with the given claims (the fake API does not verify signatures). */
export function makeJwt(claims: Record<string, unknown>, signature = 'c2lnbmF0dXJl'): string {
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.${signature}`;
}

/** Rejects as Node's fetch does on an aborted signal: with its reason. */
const aborted = (signal: AbortSignal) =>
  signal.reason ?? new DOMException('This operation was aborted', 'AbortError');

/**
 * An API behind a fake `fetch`: it builds a Request from its arguments as fetch does, records every send,
 * answers after a delay (setTimeout, so fake timers drive it), rejects on abort with the signal's reason and
 * with a TypeError on a network error, as Node's fetch does.
 */
export function createFakeFetch({ latencyMs = 10, accessTtlS = 3600 } = {}) {
  const sends: Send[] = [];
  const routes = new Map<string, Route>();
  const delays = new Map<string, number>();
  const accessTokens = new Set<string>();
  const expiredTokens = new Set<string>();
  const refreshTokens = new Set<string>();
  const issued: IssuedTokens[] = [];
  const refreshFailures: RefreshFailure[] = [];
  let serial = 0;
  let refreshDelayMs = 20;

  function check(token: string | null): TokenCheck {
    if (!token) return 'missing';
    if (expiredTokens.has(token)) return 'expired';
    if (!accessTokens.has(token)) return 'invalid';
    const exp = decodeJwt(token)?.exp;
    return typeof exp === 'number' && exp * 1000 <= Date.now() ? 'expired' : 'valid';
  }

  const protectedResource: Route = ({ send, token, sendNo }) => {
    if (token === 'valid') return { status: 200, json: { url: send.url, method: send.method, sendNo } };
    return { status: 401, json: { error: token }, headers: { 'www-authenticate': challenges[token] } };
  };

  function issueTokens(ttlS = accessTtlS): IssuedTokens {
    serial += 1;
    const iat = Math.floor(Date.now() / 1000);
    const accessToken = makeJwt(
      { sub: 'alice', roles: ['user'], iat, exp: iat + ttlS, jti: `access-${serial}` },
      `sig-${serial}-${Math.random().toString(36).slice(2)}`,
    );
    const refreshToken = `refresh-${serial}-${Math.random().toString(36).slice(2)}`;
    accessTokens.add(accessToken);
    refreshTokens.add(refreshToken);
    const tokens = { accessToken, refreshToken, expiresIn: ttlS };
    issued.push(tokens);
    return tokens;
  }

  const fetch = vi.fn(async (...args: [RequestInfo | URL, RequestInit?]): Promise<Response> => {
    const request = new Request(...args);
    const url = request.url.split('?')[0] ?? '';
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      if (name !== 'authorization') headers[name] = value;
    });
    const send: Send = {
      method: request.method,
      url,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      headers,
      bytes: request.body
        ? request.arrayBuffer().then((buffer) => new Uint8Array(buffer))
        : Promise.resolve(null),
      args,
    };
    sends.push(send);
    const sendNo = sends.filter((s) => s.url === url && s.method === send.method).length;
    const { signal } = request;
    if (signal.aborted) throw aborted(signal);
    await send.bytes;
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(aborted(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () => {
          signal.removeEventListener('abort', onAbort);
          const route = routes.get(url) ?? routes.get(new URL(url).pathname) ?? protectedResource;
          const token = send.authorization?.replace(/^Bearer /, '') ?? null;
          const reply = route({ send, token: check(token), sendNo });
          if (reply === 'network') {
            send.status = 0;
            return reject(new TypeError('fetch failed'));
          }
          send.status = reply.status;
          const body = reply.json === undefined ? null : JSON.stringify(reply.json);
          resolve(new Response(body, { status: reply.status, headers: reply.headers ?? {} }));
        },
        delays.get(new URL(url).pathname) ?? latencyMs,
      );
    });
  });

  /** The `refresh` for `createSession`: rotating refresh tokens, a reused or unknown one is refused (400). */
  const refresh = vi.fn(async ({ refreshToken }: RefreshContext): Promise<TokensInput> => {
    const failure = refreshFailures.shift();
    if (failure === 'hang') return new Promise<never>(() => {});
    await new Promise((resolve) => setTimeout(resolve, refreshDelayMs));
    if (failure === 'network') throw new TypeError('fetch failed');
    if (failure === 'server') throw Object.assign(new Error('503'), { status: 503 });
    if (failure === 'rejected' || !refreshTokens.delete(refreshToken)) {
      throw Object.assign(new Error('400 invalid_grant'), { status: 400 });
    }
    return issueTokens();
  });

  return {
    fetch,
    refresh,
    issueTokens,
    sends,
    sendsOf: (path: string) => sends.filter((s) => new URL(s.url).pathname === path),
    lastIssued: (): IssuedTokens => {
      const last = issued.at(-1);
      if (!last) throw new Error('no tokens issued yet');
      return last;
    },
    /** Every token string issued so far: none may appear in an event, error or log. */
    secrets: () => issued.flatMap((t) => [t.accessToken, t.refreshToken]),
    /** Answers `path` (a pathname, or a full URL for another origin) with `handler`. */
    route(path: string, handler: Route) {
      routes.set(path, handler);
    },
    /** Answers `path` after `ms` instead of the default latency. */
    delay(path: string, ms: number) {
      delays.set(path, ms);
    },
    expireAccessTokens() {
      for (const token of accessTokens) expiredTokens.add(token);
    },
    revokeRefreshTokens() {
      refreshTokens.clear();
    },
    failNextRefresh(kind: RefreshFailure, count = 1) {
      for (let i = 0; i < count; i++) refreshFailures.push(kind);
    },
    setRefreshDelay(ms: number) {
      refreshDelayMs = ms;
    },
  };
}

export type FakeFetch = ReturnType<typeof createFakeFetch>;
