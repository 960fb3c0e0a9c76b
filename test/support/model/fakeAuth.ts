import { decodeJwt, type RefreshContext, type TokensInput } from '@reauth/core';
import { vi } from 'vitest';

/** How the fake API judges the token a request carried. */
export type TokenCheck = 'valid' | 'missing' | 'expired' | 'invalid';

/** How the next refresh fails: refused (400), 503, a network error, or no answer at all. */
export type RefreshFailure = 'rejected' | 'server' | 'network' | 'hang';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** A transport's own error for each way a refresh fails (axios errors, fetch's TypeError, …). */
export type RefreshErrors = Record<Exclude<RefreshFailure, 'hang'>, () => Error>;

/** An answer of a protected route, before a transport shapes it. */
export interface ProtectedAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
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
 * The auth rules behind the fake APIs of the adapter tests, whatever the transport: JWT access tokens that
 * expire by their `exp` or when told, rotating refresh tokens (a reused or unknown one is refused), refresh
 * failures on demand, and the record of every token issued. Delays run on setTimeout (fake timers drive them).
 */
export function createFakeAuth({ accessTtlS = 3600 } = {}, errors: RefreshErrors) {
  const accessTokens = new Set<string>();
  const expiredTokens = new Set<string>();
  const refreshTokens = new Set<string>();
  const issued: IssuedTokens[] = [];
  const refreshFailures: RefreshFailure[] = [];
  const refreshTokensPresented: string[] = [];
  let serial = 0;
  let refreshDelayMs = 20;

  function check(token: string | null): TokenCheck {
    if (!token) return 'missing';
    if (expiredTokens.has(token)) return 'expired';
    if (!accessTokens.has(token)) return 'invalid';
    const exp = decodeJwt(token)?.exp;
    return typeof exp === 'number' && exp * 1000 <= Date.now() ? 'expired' : 'valid';
  }

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

  /** The `refresh` for `createSession`: rotating refresh tokens, a reused or unknown one is refused (400). */
  const refresh = vi.fn(async ({ refreshToken }: RefreshContext): Promise<TokensInput> => {
    refreshTokensPresented.push(refreshToken);
    const failure = refreshFailures.shift();
    if (failure === 'hang') return new Promise<never>(() => {});
    await new Promise((resolve) => setTimeout(resolve, refreshDelayMs));
    if (failure === 'network') throw errors.network();
    if (failure === 'server') throw errors.server();
    if (failure === 'rejected' || !refreshTokens.delete(refreshToken)) throw errors.rejected();
    return issueTokens();
  });

  return {
    check,
    issueTokens,
    refresh,
    refreshTokensPresented,
    /** A protected resource's answer: 200 with `payload` for a valid token, else 401 with its challenge. */
    protectedAnswer(token: TokenCheck, payload: unknown): ProtectedAnswer {
      if (token === 'valid') return { status: 200, body: payload };
      return { status: 401, body: { error: token }, headers: { 'www-authenticate': challenges[token] } };
    },
    /** Every token pair issued, in order (sign-ins, logins and refreshes). */
    issued: (): readonly IssuedTokens[] => [...issued],
    lastIssued: (): IssuedTokens => {
      const last = issued.at(-1);
      if (!last) throw new Error('no tokens issued yet');
      return last;
    },
    /** Every token string issued so far, access and refresh: none may appear in an event, error or log. */
    secrets: () => issued.flatMap((t) => [t.accessToken, t.refreshToken]),
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
  };
}
