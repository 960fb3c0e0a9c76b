import { errors, jwtVerify, SignJWT } from 'jose';
import type { MockAuthUser, MockUser, TokenResponse } from './types';

/** The claims a protected handler acts on. */
export interface AccessClaims {
  sub: string;
  roles: string[];
  jti: string;
  /** How the user signed in (`acr`): `'pwd'` for a password, `'mfa'` after a step-up. */
  acr: string;
  /** When the user signed in (`auth_time`): epoch seconds, by the kit's clock. */
  authTime: number;
}

/** What a family of tokens (or sessions) knows of its sign-in; a refresh keeps it, a step-up renews it. */
export interface SignInFacts {
  acr: string;
  /** Epoch seconds (millisecond precision), by the kit's clock. */
  authTime: number;
}

export type AccessProblem = 'missing' | 'invalid' | 'expired';

export type AccessCheck = { claims: AccessClaims } | { problem: AccessProblem; tokenId: string | null };

export type RedeemOutcome = 'ok' | 'reused' | 'revoked' | 'expired' | 'unknown';

/** The kit's id of the presented refresh token (null when unknown), and what it earned when it was good. */
export type RedeemResult<Grant = TokenResponse> =
  | { outcome: 'ok'; tokenId: string; tokens: Grant }
  | { outcome: Exclude<RedeemOutcome, 'ok'>; tokenId: string | null };

/** An open session of the session cookie model: its opaque id (the cookie's value) and its user. */
export interface SessionGrant {
  sessionId: string;
  user: MockAuthUser;
}

/**
 * A refresh token, or a session id (the session cookie model): both are opaque, in families, rotated.
 * A session also answers protected routes, until `accessExpiresAt`; `expiresAt` ends its refresh window.
 */
interface RefreshEntry {
  id: string;
  familyId: string;
  username: string;
  expiresAt: number;
  accessExpiresAt: number;
  isUsed: boolean;
  isRevoked: boolean;
  facts: SignInFacts;
}

type Claim = { outcome: 'ok'; entry: RefreshEntry } | Exclude<RedeemResult, { outcome: 'ok' }>;

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
 * rotation adds to it, and a reused member revokes all of it (as Auth0, Okta and others do). The session
 * ids of the session cookie model are refresh tokens that also answer protected routes.
 */
export function createTokenStore(config: TokenStoreConfig) {
  const { users, accessTtlMs, refreshTtlMs, isRotating, now } = config;
  let key = crypto.getRandomValues(new Uint8Array(32));
  const refreshTokens = new Map<string, RefreshEntry>();
  // Every refresh token ever issued, kept through forget(): a stale one in a URL is still a secret.
  const everIssuedRefreshTokens = new Set<string>();
  const issuedAccessIds = new Set<string>();
  const expiredAccessIds = new Set<string>();
  // The family each access token was issued in (by jti): a step-up adds to the family of the token it shows.
  const accessFamilies = new Map<string, string>();

  /** A password sign-in now. */
  const signedInNow = (acr = 'pwd'): SignInFacts => ({ acr, authTime: now() / 1000 });

  async function signAccessToken(username: string, familyId: string, facts: SignInFacts): Promise<string> {
    const user = users.get(username);
    if (!user) throw unknownUser(username);
    const jti = randomHex(8);
    issuedAccessIds.add(jti);
    accessFamilies.set(jti, familyId);
    // Seconds with millisecond precision, so a short ttl expires when it says, not up to a second early.
    const issuedAt = now();
    return new SignJWT({ roles: user.roles ?? [], acr: facts.acr, auth_time: facts.authTime })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(username)
      .setJti(jti)
      .setIssuedAt(issuedAt / 1000)
      .setExpirationTime((issuedAt + accessTtlMs) / 1000)
      .sign(key);
  }

  async function respond(
    username: string,
    refreshToken: string,
    familyId: string,
    facts: SignInFacts,
  ): Promise<TokenResponse> {
    const accessToken = await signAccessToken(username, familyId, facts);
    return { accessToken, refreshToken, expiresIn: accessTtlMs / 1000, tokenType: 'Bearer' };
  }

  /** A new opaque refresh token (or session id) of `familyId`, registered; its value is returned. */
  function register(username: string, familyId: string, facts: SignInFacts): string {
    if (!users.has(username)) throw unknownUser(username);
    const value = randomHex(32);
    const issuedAt = now();
    const id = randomHex(6);
    refreshTokens.set(value, {
      ...{
        id,
        familyId,
        username,
        expiresAt: issuedAt + refreshTtlMs,
        accessExpiresAt: issuedAt + accessTtlMs,
      },
      ...{ isUsed: false, isRevoked: false, facts },
    });
    everIssuedRefreshTokens.add(value);
    // A session answers protected routes: expireAccessTokens() expires it as it does access tokens.
    issuedAccessIds.add(id);
    return value;
  }

  async function issue(
    username: string,
    familyId = randomHex(8),
    facts = signedInNow(),
  ): Promise<TokenResponse> {
    // Registered before the (asynchronous) signing: a reuse detected meanwhile revokes this one too.
    return respond(username, register(username, familyId, facts), familyId, facts);
  }

  const userOf = (username: string): MockAuthUser => ({
    sub: username,
    roles: [...(users.get(username)?.roles ?? [])],
  });

  /** Open a session (the session cookie model): a login, or a rotation within `familyId`. */
  function openSession(username: string, familyId = randomHex(8), facts = signedInNow()): SessionGrant {
    return { sessionId: register(username, familyId, facts), user: userOf(username) };
  }

  /** A session id presented to a protected route, checked as an access token would be. */
  function verifySession(presented: string | null): AccessCheck {
    if (presented === null) return { problem: 'missing', tokenId: null };
    const entry = refreshTokens.get(presented);
    if (!entry) return { problem: 'invalid', tokenId: null };
    // Revoked, logged out, or replaced by the session a refresh opened: no grace for the old id.
    if (entry.isRevoked || entry.isUsed) return { problem: 'invalid', tokenId: entry.id };
    const time = now();
    if (entry.accessExpiresAt <= time || entry.expiresAt <= time || expiredAccessIds.has(entry.id)) {
      return { problem: 'expired', tokenId: entry.id };
    }
    return { claims: { ...userOf(entry.username), jti: entry.id, ...entry.facts } };
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
      const { acr, auth_time: authTime } = payload;
      return {
        claims: {
          ...{ sub: payload.sub, roles: toStringArray(payload.roles), jti },
          acr: typeof acr === 'string' ? acr : '',
          authTime: typeof authTime === 'number' ? authTime : 0,
        },
      };
    } catch (error) {
      if (!(error instanceof errors.JWTExpired)) return { problem: 'invalid', tokenId: null };
      const jti = error.payload.jti;
      return { problem: 'expired', tokenId: typeof jti === 'string' ? jti : null };
    }
  }

  function revokeFamily(familyId: string): void {
    for (const entry of refreshTokens.values()) if (entry.familyId === familyId) entry.isRevoked = true;
  }

  /** The checks of a refresh, reuse detection included; a good token is spent when rotating. */
  function claim(presented: string): Claim {
    const entry = refreshTokens.get(presented);
    if (!entry) return { outcome: 'unknown', tokenId: null };
    const tokenId = entry.id;
    if (entry.expiresAt <= now()) return { outcome: 'expired', tokenId };
    if (entry.isRevoked) return { outcome: 'revoked', tokenId };
    if (!isRotating) return { outcome: 'ok', entry };
    if (entry.isUsed) {
      revokeFamily(entry.familyId);
      return { outcome: 'reused', tokenId };
    }
    entry.isUsed = true;
    return { outcome: 'ok', entry };
  }

  async function redeem(presented: string): Promise<RedeemResult> {
    const claimed = claim(presented);
    if (claimed.outcome !== 'ok') return claimed;
    const { id: tokenId, username, familyId, facts } = claimed.entry;
    // The family's sign-in is kept, as OpenID providers keep `acr` and `auth_time` through a refresh.
    const tokens = await (isRotating
      ? issue(username, familyId, facts)
      : respond(username, presented, familyId, facts));
    return { outcome: 'ok', tokenId, tokens };
  }

  /** A refresh of the session cookie model (a sliding session): a new session, or the same one extended. */
  function redeemSession(presented: string): RedeemResult<SessionGrant> {
    const claimed = claim(presented);
    if (claimed.outcome !== 'ok') return claimed;
    const { entry } = claimed;
    if (isRotating)
      return {
        outcome: 'ok',
        tokenId: entry.id,
        tokens: openSession(entry.username, entry.familyId, entry.facts),
      };
    entry.accessExpiresAt = now() + accessTtlMs;
    expiredAccessIds.delete(entry.id);
    return {
      outcome: 'ok',
      tokenId: entry.id,
      tokens: { sessionId: presented, user: userOf(entry.username) },
    };
  }

  /**
   * A step-up of the user of a valid access token: a new pair in that token's family, signed in with
   * `acr: 'mfa'` now. The pairs issued before stay as they were.
   */
  const stepUp = (claims: AccessClaims): Promise<TokenResponse> =>
    issue(claims.sub, accessFamilies.get(claims.jti), signedInNow('mfa'));

  /**
   * A step-up of a valid session: a new session id in its family, signed in with `acr: 'mfa'` now (a new id on
   * a privilege change, against session fixation). The old id stops working, as after a refresh, but is not
   * a reuse if shown again: it is refused as revoked.
   */
  function stepUpSession(presented: string): SessionGrant {
    const entry = refreshTokens.get(presented);
    if (!entry) throw new Error('[reauth/msw] a step-up of an unknown session');
    entry.isRevoked = true;
    return openSession(entry.username, entry.familyId, signedInNow('mfa'));
  }

  return {
    issue,
    stepUp,
    stepUpSession,
    verifyAccess,
    redeem,
    openSession,
    verifySession,
    redeemSession,
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
    /** Forget every token and session: a new key makes the old access tokens' signatures invalid. */
    forget(): void {
      key = crypto.getRandomValues(new Uint8Array(32));
      refreshTokens.clear();
      issuedAccessIds.clear();
      expiredAccessIds.clear();
      accessFamilies.clear();
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
