import { decodeJwt, type RefreshContext, type TokensInput } from '@reauth/core';
import {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
} from 'axios';
import { vi } from 'vitest';

/** One send as the fake API received it. */
export interface Send {
  method: string;
  /** `config.url` as the caller wrote it, without the query string. */
  url: string;
  authorization: string | null;
  /** `config.params`, as given. */
  params: unknown;
  /** The body after axios's `transformRequest`: what goes on the wire. */
  body: unknown;
  /** Every header but Authorization, names lower-cased. */
  headers: Record<string, string>;
  /** The status answered, 0 for a network error, undefined while in flight or when cancelled. */
  status?: number;
}

export interface Reply {
  status: number;
  data?: unknown;
  headers?: Record<string, string>;
}

export type TokenCheck = 'valid' | 'missing' | 'expired' | 'invalid';

/** A route answers a reply, `'network'` (no answer), or throws what the adapter should reject with. */
export type Route = (request: { send: Send; token: TokenCheck; sendNo: number }) => Reply | 'network';

export type RefreshFailure = 'rejected' | 'server' | 'network' | 'hang';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

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

/**
 * An API behind an axios adapter: it knows which access tokens are valid, records every send, answers
 * after a delay (setTimeout, so fake timers drive it) and fails the way axios's own adapters do.
 */
export function createFakeApi({ latencyMs = 10, accessTtlS = 3600 } = {}) {
  const sends: Send[] = [];
  const thrown: unknown[] = [];
  const routes = new Map<string, Route>();
  const delays = new Map<string, number>();
  const accessTokens = new Set<string>();
  const expiredTokens = new Set<string>();
  const refreshTokens = new Set<string>();
  const issued: IssuedTokens[] = [];
  const refreshFailures: RefreshFailure[] = [];
  const refreshTokensPresented: string[] = [];
  let serial = 0;
  let refreshDelayMs = 20;
  let hide401BehindCors = false;

  function check(token: string | null): TokenCheck {
    if (!token) return 'missing';
    if (expiredTokens.has(token)) return 'expired';
    if (!accessTokens.has(token)) return 'invalid';
    const exp = decodeJwt(token)?.exp;
    return typeof exp === 'number' && exp * 1000 <= Date.now() ? 'expired' : 'valid';
  }

  const protectedResource: Route = ({ send, token, sendNo }) => {
    if (token === 'valid') return { status: 200, data: { url: send.url, method: send.method, sendNo } };
    return { status: 401, data: { error: token }, headers: { 'www-authenticate': challenges[token] } };
  };

  routes.set('/auth/login', ({ send }) => {
    const { username, password } = JSON.parse(String(send.body)) as Record<string, string>;
    if (username === 'alice' && password === 'wonderland') return { status: 200, data: issueTokens() };
    return { status: 401, data: { error: 'invalid_credentials' } };
  });

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

  function fail<T extends Error>(error: T): T {
    thrown.push(error);
    return error;
  }

  function toResponse(config: InternalAxiosRequestConfig, request: object, reply: Reply): AxiosResponse {
    return {
      data: JSON.stringify(reply.data ?? null),
      status: reply.status,
      statusText: String(reply.status),
      headers: new AxiosHeaders(reply.headers),
      config,
      request,
    };
  }

  /** As axios's `settle` builds it. */
  function httpError(config: InternalAxiosRequestConfig, request: object, reply: Reply): AxiosError {
    const code = reply.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
    const response = toResponse(config, request, reply);
    return new AxiosError(`Request failed with status code ${reply.status}`, code, config, request, response);
  }

  const adapter: AxiosAdapter = (config) =>
    new Promise((resolve, reject) => {
      const headers = AxiosHeaders.from(config.headers).toJSON(true) as Record<string, unknown>;
      let authorization: string | null = null;
      const rest: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (name.toLowerCase() === 'authorization') authorization = String(value);
        else rest[name.toLowerCase()] = String(value);
      }
      const url = (config.url ?? '').split('?')[0] ?? '';
      const method = (config.method ?? 'get').toUpperCase();
      const send: Send = {
        method,
        url,
        authorization,
        params: config.params,
        body: config.data,
        headers: rest,
      };
      sends.push(send);
      const sendNo = sends.filter((s) => s.url === url && s.method === method).length;
      const request = { fakeRequest: sendNo };
      const signal = config.signal as AbortSignal | undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(fail(new CanceledError(undefined, config, request)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        try {
          const route = routes.get(url) ?? protectedResource;
          const token = authorization?.replace(/^Bearer /, '') ?? null;
          const reply = route({ send, token: check(token), sendNo });
          if (reply === 'network' || (reply.status === 401 && hide401BehindCors)) {
            send.status = 0;
            return reject(fail(new AxiosError('Network Error', AxiosError.ERR_NETWORK, config, request)));
          }
          send.status = reply.status;
          if (reply.status >= 400) reject(fail(httpError(config, request, reply)));
          else resolve(toResponse(config, request, reply));
        } catch (error) {
          reject(fail(error as Error));
        }
      }, delays.get(url) ?? latencyMs);
    });

  const refreshConfig = () =>
    ({ url: '/auth/refresh', method: 'post', headers: new AxiosHeaders() }) as InternalAxiosRequestConfig;

  /** The `refresh` for `createSession`: rotating refresh tokens, a reused or unknown one is refused (400). */
  const refresh = vi.fn(async ({ refreshToken }: RefreshContext): Promise<TokensInput> => {
    refreshTokensPresented.push(refreshToken);
    const failure = refreshFailures.shift();
    if (failure === 'hang') return new Promise<never>(() => {});
    await new Promise((resolve) => setTimeout(resolve, refreshDelayMs));
    const config = refreshConfig();
    if (failure === 'network') throw new AxiosError('Network Error', AxiosError.ERR_NETWORK, config, {});
    if (failure === 'server') throw httpError(config, {}, { status: 503, data: { error: 'unavailable' } });
    if (failure === 'rejected' || !refreshTokens.delete(refreshToken)) {
      throw httpError(config, {}, { status: 400, data: { error: 'invalid_grant' } });
    }
    return issueTokens();
  });

  return {
    adapter,
    refresh,
    issueTokens,
    /** Every send, in order. */
    sends,
    /** Every error the adapter rejected with, in order. */
    thrown,
    refreshTokensPresented,
    sendsOf: (url: string) => sends.filter((s) => s.url === url),
    /** Every token pair issued, in order (sign-ins, logins and refreshes). */
    issued: (): readonly IssuedTokens[] => [...issued],
    lastIssued: (): IssuedTokens => {
      const last = issued.at(-1);
      if (!last) throw new Error('no tokens issued yet');
      return last;
    },
    /** Every token string issued so far, access and refresh: none may appear in an event or message. */
    secrets: () => issued.flatMap((t) => [t.accessToken, t.refreshToken]),
    route(url: string, handler: Route) {
      routes.set(url, handler);
    },
    delay(url: string, ms: number) {
      delays.set(url, ms);
    },
    /** Tokens issued so far now answer 401 invalid_token "expired" (the client does not know yet). */
    expireAccessTokens() {
      for (const token of accessTokens) expiredTokens.add(token);
    },
    revokeAccessTokens() {
      accessTokens.clear();
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
    /** Like an API that sends no CORS headers on its 401s: the browser reports a network error. */
    hide401BehindCors(on = true) {
      hide401BehindCors = on;
    },
  };
}

export type FakeApi = ReturnType<typeof createFakeApi>;
