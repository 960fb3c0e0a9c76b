import { HttpResponse } from 'msw';
import { type CookieSpec, clearCookie, commonCookiePath, readCookie, setCookie, withCookie } from './cookies';
import {
  bearerChallenge,
  bearerToken,
  type Credential,
  cookieChallenge,
  invalidRequest,
  invalidToken,
  oauthError,
  readJsonObject,
} from './responses';
import type { AccessCheck, AccessClaims, RedeemOutcome, SignInFacts, TokenStore } from './tokens';
import type { AccessTokenResponse, CookieModel, IssuedCredentials, TokenResponse } from './types';

type Refused = Exclude<RedeemOutcome, 'ok'>;

type Renewal =
  | { outcome: 'ok'; tokenId: string; response: Response }
  | { outcome: Refused; tokenId: string | null };

/** How one session model presents, checks and answers credentials; the routes and the guard are shared. */
export interface CredentialModel {
  /** The challenge of its 401s, without an `error`. */
  challenge: string;
  /** What a 401 calls the credential it refused. */
  credential: Credential;
  /** The credential of a protected request: the bearer token, or the session cookie. */
  accessOf(request: Request): string | null;
  verifyAccess(presented: string | null): Promise<AccessCheck>;
  /** The credential a refresh or logout presents: the refresh token of the body, or the cookie. */
  refreshOf(request: Request): Promise<string | null>;
  /** The answer to a login with the right password. */
  signIn(username: string): Promise<Response>;
  /** Redeem `presented` at the refresh route: the outcome, and the answer when it was good. */
  renew(presented: string): Promise<Renewal>;
  /** The answer to a refused refresh: 400 `invalid_grant` (sessions: 401), the cookie cleared. */
  refuse(outcome: Refused): Response;
  /** The answer to a refresh that presented nothing. */
  missing(): Response;
  /** A forced `'rejected'` failure: refused, but the cookie kept, since nothing was spent. */
  rejected(): Response;
  /** The answer to a logout (204, the cookie cleared); null for a malformed one (no refresh token in the body). */
  signedOut(presented: string | null): Response | null;
  /** Credentials without HTTP, as a login (or, with `facts`, a sign-in of that kind and time) gives them. */
  issue(username: string, facts?: SignInFacts): Promise<IssuedCredentials<CookieModel | undefined>>;
  /**
   * The answer to a step-up with the right code, by the credential `presented` (checked: its `claims`): the
   * login's answer, with credentials signed in with `acr: 'mfa'` now, in the same family.
   */
  stepUp(presented: string, claims: AccessClaims): Promise<Response>;
}

export interface ModelContext {
  store: TokenStore;
  realm: string;
  urls: { login: string; refresh: string; logout: string };
  /** Only for a cookie model, already checked. */
  cookieName: string;
}

export const DEFAULT_COOKIE_NAMES: Record<CookieModel, string> = {
  refresh: 'reauth_refresh',
  session: 'reauth_session',
};

const REFUSALS: Record<Refused, string> = {
  unknown: 'The refresh token is unknown',
  expired: 'The refresh token expired',
  revoked: 'The refresh token was revoked',
  reused: 'The refresh token was already used; its whole family is now revoked',
};

const SESSION_REFUSALS: Record<Refused, string> = {
  unknown: 'The session is unknown',
  expired: 'The session expired',
  revoked: 'The session was ended',
  reused: 'The session was already replaced; its whole family is now revoked',
};

const invalidGrant = (description: string) => oauthError(400, 'invalid_grant', description);
const noContent = () => new HttpResponse(null, { status: 204 });
const withoutRefreshToken = ({ accessToken, expiresIn, tokenType }: TokenResponse): AccessTokenResponse => ({
  accessToken,
  expiresIn,
  tokenType,
});

const refreshTokenIn = (body: Record<string, unknown> | null): string | null => {
  const token = body?.refreshToken ?? body?.refresh_token;
  return typeof token === 'string' && token !== '' ? token : null;
};

/** Tokens in the JSON bodies: the refresh token comes and goes in them, the access token as a bearer. */
function tokensModel({ store, realm }: ModelContext): CredentialModel {
  return {
    challenge: bearerChallenge(realm),
    credential: 'token',
    accessOf: bearerToken,
    verifyAccess: store.verifyAccess,
    refreshOf: async (request) => refreshTokenIn(await readJsonObject(request)),
    signIn: async (username) => HttpResponse.json(await store.issue(username)),
    async renew(presented) {
      const redeemed = await store.redeem(presented);
      if (redeemed.outcome !== 'ok') return redeemed;
      return { ...redeemed, response: HttpResponse.json(redeemed.tokens) };
    },
    refuse: (outcome) => invalidGrant(REFUSALS[outcome]),
    missing: invalidRequest,
    rejected: () => invalidGrant('The refresh token was refused (failNextRefresh)'),
    // Idempotent, as RFC 7009 revocation is: an unknown or already revoked token is still a success.
    signedOut: (presented) => (presented === null ? null : noContent()),
    issue: (username, facts) => store.issue(username, undefined, facts),
    stepUp: async (_, claims) => HttpResponse.json(await store.stepUp(claims)),
  };
}

/** `cookies: 'refresh'`: the access token as usual, the refresh token in a cookie of the refresh and logout routes. */
function refreshCookieModel(context: ModelContext): CredentialModel {
  const { store, urls, cookieName: name } = context;
  const spec: CookieSpec = {
    name,
    path: commonCookiePath([urls.refresh, urls.logout]),
    isSecure: new URL(urls.refresh).protocol === 'https:',
  };
  const cleared = <T extends Response>(response: T) => withCookie(response, clearCookie(spec));
  const answered = (tokens: TokenResponse) =>
    withCookie(HttpResponse.json(withoutRefreshToken(tokens)), setCookie(spec, tokens.refreshToken));
  return {
    ...tokensModel(context),
    refreshOf: async (request) => readCookie(request, name),
    signIn: async (username) => answered(await store.issue(username)),
    stepUp: async (_, claims) => answered(await store.stepUp(claims)),
    async renew(presented) {
      const redeemed = await store.redeem(presented);
      if (redeemed.outcome !== 'ok') return redeemed;
      const { refreshToken } = redeemed.tokens;
      const response = HttpResponse.json(withoutRefreshToken(redeemed.tokens));
      // Without rotation the cookie stays as it is: nothing to set.
      if (refreshToken !== presented) withCookie(response, setCookie(spec, refreshToken));
      return { ...redeemed, response };
    },
    refuse: (outcome) => cleared(invalidGrant(REFUSALS[outcome])),
    missing: () => cleared(invalidGrant('No refresh token cookie was sent')),
    signedOut: () => cleared(noContent()),
    async issue(username, facts) {
      const tokens = await store.issue(username, undefined, facts);
      const { refreshToken } = tokens;
      return {
        ...withoutRefreshToken(tokens),
        cookie: `${name}=${refreshToken}`,
        setCookie: setCookie(spec, refreshToken),
      };
    },
  };
}

/** `cookies: 'session'`: no tokens; an opaque session id in a cookie of the whole origin. */
function sessionCookieModel({ store, realm, urls, cookieName: name }: ModelContext): CredentialModel {
  const spec: CookieSpec = { name, path: '/', isSecure: new URL(urls.login).protocol === 'https:' };
  const challenge = cookieChallenge(realm, new URL(urls.login).href, name);
  const cleared = <T extends Response>(response: T) => withCookie(response, clearCookie(spec));
  const opened = (sessionId: string) => ({
    cookie: `${name}=${sessionId}`,
    setCookie: setCookie(spec, sessionId),
  });
  return {
    challenge,
    credential: 'session',
    accessOf: (request) => readCookie(request, name),
    verifyAccess: async (presented) => store.verifySession(presented),
    refreshOf: async (request) => readCookie(request, name),
    async signIn(username) {
      const { sessionId, user } = store.openSession(username);
      return withCookie(HttpResponse.json({ user }), setCookie(spec, sessionId));
    },
    async stepUp(presented) {
      const { sessionId, user } = store.stepUpSession(presented);
      return withCookie(HttpResponse.json({ user }), setCookie(spec, sessionId));
    },
    async renew(presented) {
      const redeemed = store.redeemSession(presented);
      if (redeemed.outcome !== 'ok') return redeemed;
      const { sessionId, user } = redeemed.tokens;
      const response = HttpResponse.json({ user });
      if (sessionId !== presented) withCookie(response, setCookie(spec, sessionId));
      return { outcome: 'ok', tokenId: redeemed.tokenId, response };
    },
    refuse: (outcome) => cleared(invalidToken(challenge, SESSION_REFUSALS[outcome])),
    missing: () => cleared(oauthError(401, 'unauthorized', undefined, challenge)),
    rejected: () => invalidToken(challenge, 'The session was refused (failNextRefresh)'),
    signedOut: () => cleared(noContent()),
    async issue(username, facts) {
      const { sessionId, user } = store.openSession(username, undefined, facts);
      return { user, ...opened(sessionId) };
    },
  };
}

/** The model the `cookies` option names (undefined: tokens in the bodies). */
export function createModel(cookies: CookieModel | undefined, context: ModelContext): CredentialModel {
  if (cookies === 'refresh') return refreshCookieModel(context);
  if (cookies === 'session') return sessionCookieModel(context);
  return tokensModel(context);
}
