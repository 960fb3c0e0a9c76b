import { errors, jwtVerify, SignJWT } from 'jose';
import type { MockUser, TokenResponse } from './types';

/** The claims a protected handler acts on. */
export interface AccessClaims {
  sub: string;
  roles: string[];
  jti: string;
}

export type AccessProblem = 'missing' | 'invalid' | 'expired';

export type AccessCheck = { claims: AccessClaims } | { problem: AccessProblem; tokenId: string | null };

export type RedeemOutcome = 'ok' | 'reused' | 'revoked' | 'expired' | 'unknown';

/** The kit's id of the presented refresh token (null when unknown), and new tokens when it was good. */
export type RedeemResult =
  | { outcome: 'ok'; tokenId: string; tokens: TokenResponse }
  | { outcome: Exclude<RedeemOutcome, 'ok'>; tokenId: string | null };

interface RefreshEntry {
  id: string;
  familyId: string;
  username: string;
  expiresAt: number;
  isUsed: boolean;
  isRevoked: boolean;
}

export interface TokenStoreConfig {
  users: ReadonlyMap<string, MockUser>;
  accessTtlMs: number;
  refreshTtlMs: number;
  isRotating: boolean;
  now: () => number;
}

// WebCrypto only (no node:crypto, no Buffer), so the kit runs in a browser as well as in Node.
const randomHex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

const toStringArray = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

const unknownUser = (username: string) =>
  new Error(`[reauth/msw] Unknown user "${username}"; add it to the users option`);

/**
 * Signed HS256 access tokens and opaque refresh tokens in families: a login starts a family, each
 * rotation adds to it, and a reused member revokes all of it (as Auth0, Okta and others do).
 */
export function createTokenStore(config: TokenStoreConfig) {
  const { users, accessTtlMs, refreshTtlMs, isRotating, now } = config;
  let key = crypto.getRandomValues(new Uint8Array(32));
  const refreshTokens = new Map<string, RefreshEntry>();
  // Every refresh token ever issued, kept through forget(): a stale one in a URL is still a secret.
  const everIssuedRefreshTokens = new Set<string>();
  const issuedAccessIds = new Set<string>();
  const expiredAccessIds = new Set<string>();

  async function signAccessToken(username: string): Promise<string> {
    const user = users.get(username);
    if (!user) throw unknownUser(username);
    const jti = randomHex(8);
    issuedAccessIds.add(jti);
    // Seconds with millisecond precision, so a short ttl expires when it says, not up to a second early.
    const issuedAt = now();
    return new SignJWT({ roles: user.roles ?? [] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(username)
      .setJti(jti)
      .setIssuedAt(issuedAt / 1000)
      .setExpirationTime((issuedAt + accessTtlMs) / 1000)
      .sign(key);
  }

  async function respond(username: string, refreshToken: string): Promise<TokenResponse> {
    const accessToken = await signAccessToken(username);
    return { accessToken, refreshToken, expiresIn: accessTtlMs / 1000, tokenType: 'Bearer' };
  }

  async function issue(username: string, familyId = randomHex(8)): Promise<TokenResponse> {
    if (!users.has(username)) throw unknownUser(username);
    const refreshToken = randomHex(32);
    // Registered before the (asynchronous) signing: a reuse detected meanwhile revokes this one too.
    const entry = { id: randomHex(6), familyId, username, expiresAt: now() + refreshTtlMs };
    refreshTokens.set(refreshToken, { ...entry, isUsed: false, isRevoked: false });
    everIssuedRefreshTokens.add(refreshToken);
    return respond(username, refreshToken);
  }

  async function verifyAccess(token: string | null): Promise<AccessCheck> {
    if (token === null) return { problem: 'missing', tokenId: null };
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        currentDate: new Date(now()),
      });
      const jti = typeof payload.jti === 'string' ? payload.jti : '';
      // jose compares whole seconds; the kit's expiry is exact to the millisecond.
      const isExpired = (payload.exp ?? 0) * 1000 <= now() || expiredAccessIds.has(jti);
      if (isExpired || typeof payload.sub !== 'string') {
        return { problem: isExpired ? 'expired' : 'invalid', tokenId: jti || null };
      }
      return { claims: { sub: payload.sub, roles: toStringArray(payload.roles), jti } };
    } catch (error) {
      if (!(error instanceof errors.JWTExpired)) return { problem: 'invalid', tokenId: null };
      const jti = error.payload.jti;
      return { problem: 'expired', tokenId: typeof jti === 'string' ? jti : null };
    }
  }

  function revokeFamily(familyId: string): void {
    for (const entry of refreshTokens.values()) if (entry.familyId === familyId) entry.isRevoked = true;
  }

  async function redeem(presented: string): Promise<RedeemResult> {
    const entry = refreshTokens.get(presented);
    if (!entry) return { outcome: 'unknown', tokenId: null };
    const tokenId = entry.id;
    if (entry.expiresAt <= now()) return { outcome: 'expired', tokenId };
    if (entry.isRevoked) return { outcome: 'revoked', tokenId };
    if (!isRotating) return { outcome: 'ok', tokenId, tokens: await respond(entry.username, presented) };
    if (entry.isUsed) {
      revokeFamily(entry.familyId);
      return { outcome: 'reused', tokenId };
    }
    entry.isUsed = true;
    return { outcome: 'ok', tokenId, tokens: await issue(entry.username, entry.familyId) };
  }

  return {
    issue,
    verifyAccess,
    redeem,
    /** The kit's id of a refresh token it issued (never the token itself); null when unknown. */
    idOf: (presented: string | null): string | null =>
      presented === null ? null : (refreshTokens.get(presented)?.id ?? null),
    /** `text` with every refresh token this store ever issued replaced by `placeholder`. */
    redactRefreshTokens(text: string, placeholder: string): string {
      let redacted = text;
      for (const token of everIssuedRefreshTokens) redacted = redacted.replaceAll(token, placeholder);
      return redacted;
    },
    /** Revoke the family of a refresh token (nothing for an unknown one). */
    revokeFamilyOf(presented: string): void {
      const entry = refreshTokens.get(presented);
      if (entry) revokeFamily(entry.familyId);
    },
    expireAccessTokens(): void {
      for (const id of issuedAccessIds) expiredAccessIds.add(id);
    },
    revokeRefreshTokens(): void {
      for (const entry of refreshTokens.values()) entry.isRevoked = true;
    },
    /** Forget every token: a new key makes the old access tokens' signatures invalid. */
    forget(): void {
      key = crypto.getRandomValues(new Uint8Array(32));
      refreshTokens.clear();
      issuedAccessIds.clear();
      expiredAccessIds.clear();
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
