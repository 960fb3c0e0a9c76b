import type { HttpHandler } from 'msw';

/** A user the mock server accepts at the login route. */
export interface MockUser {
  username: string;
  password: string;
  /** Put in the access token's `roles` claim; `protect({ roles })` checks them. Default `[]`. */
  roles?: string[];
  /**
   * The one-time code the step-up route takes from this user (a non-empty string, e.g. `'123456'`). A user
   * without one cannot step up (400 `invalid_grant`). The step-up route is served only when some user has one.
   */
  otp?: string;
}

/** Where the auth routes live, relative to `baseUrl`. */
export interface MockAuthPaths {
  /** Default `/auth/login`. */
  login?: string;
  /** Default `/auth/refresh`. */
  refresh?: string;
  /** Default `/auth/logout`. */
  logout?: string;
  /** Default `/auth/me`. */
  me?: string;
  /** The step-up route (RFC 9470), served when some user has an `otp`. Default `/auth/step-up`. */
  stepUp?: string;
}

/**
 * Where the credentials live (DESIGN.md, "Session models"); absent: tokens in the JSON bodies.
 * - `'refresh'`: the access token in the JSON body (a bearer token, as usual), the refresh token in an
 *   httpOnly cookie that only the refresh and logout routes receive and read;
 * - `'session'`: no tokens at all; an httpOnly session cookie (an opaque id the server maps to the user)
 *   is what `protect()` checks, and what the refresh route replaces with a new one (a sliding session).
 */
export type CookieModel = 'refresh' | 'session';

/**
 * Options for `createMockAuthServer`; only `baseUrl` is required. `Model` is the `cookies` option's type:
 * it decides what `controls.issueTokens` returns.
 */
export interface MockAuthServerOptions<Model extends CookieModel | undefined = undefined> {
  /**
   * The origin (and optional path prefix) the auth routes live under, e.g. `https://api.example.test`.
   * No query and no fragment (a TypeError): the routes are `baseUrl` + path.
   */
  baseUrl: string;
  /** Default: alice/wonderland `['user']` and bob/builder `['user', 'admin']`. Usernames must be unique. */
  users?: MockUser[];
  /** Lifetime of an access token. Default 60 000 ms. */
  accessTokenTtlMs?: number;
  /** Lifetime of a refresh token. Default 86 400 000 ms (a day). */
  refreshTokenTtlMs?: number;
  /** Issue a new refresh token on every refresh and treat a reused one as theft. Default true. */
  rotateRefreshTokens?: boolean;
  /** Where the login, refresh, logout and me routes live under `baseUrl`; each path starts with `/`. */
  paths?: MockAuthPaths;
  /**
   * The `realm` of every `WWW-Authenticate` challenge, sent as a quoted-string (`"` and `\` escaped).
   * Default `'reauth-msw'`; a realm with a line break or another control character is a TypeError.
   */
  realm?: string;
  /** The kit's clock before `advanceClock`; default `Date.now` (read at each use, so fake timers apply). */
  now?: () => number;
  /**
   * Keep the body of each protected request in `stats.requests[].body`, e.g. to check that a request
   * replayed after a 401 carried its body again. Default false: a body may hold anything.
   */
  recordBodies?: boolean;
  /**
   * Keep the credentials in an httpOnly cookie: see {@link CookieModel}. Default: none, tokens in the
   * JSON bodies. The kit reads the request's `Cookie` header and writes `Set-Cookie`; it keeps no cookie
   * jar, so in Node a test sends and stores the cookies itself (e.g. with tough-cookie).
   */
  cookies?: Model;
  /**
   * The cookie's name, an RFC 6265 token (a TypeError otherwise); only with `cookies`. Default
   * `'reauth_refresh'` (`cookies: 'refresh'`) or `'reauth_session'` (`cookies: 'session'`).
   */
  cookieName?: Model extends CookieModel ? string : never;
}

/**
 * How a forced refresh failure looks; none of them spends the refresh token presented:
 * - `'rejected'`: 400 `invalid_grant` (with `cookies: 'session'`: 401); terminal for the SDK:
 *   re-authentication. The cookie is kept (not cleared), since the credential is not spent;
 * - `'server'`: 500 `server_error` (transient: tokens kept);
 * - `'network'`: a network error (`HttpResponse.error()`, fetch rejects with a TypeError; transient);
 * - `'hang'`: never answered (a refresh timeout on the client). Recorded as `'forced'` on arrival, it
 *   stays pending until the request is aborted (then it ends with a network error no one reads) or until
 *   `reset()`, which answers it 400 `invalid_grant` and leaves it out of the new stats. Only msw/node with
 *   `fetch` passes the client's abort on; with axios in Node or a service worker (`setupWorker`) the
 *   client still gives up on its side, but the handler waits for `reset()`. No timer is involved, and
 *   it ignores `delayRefresh`: the hang starts at once.
 */
export type RefreshFailureKind = 'rejected' | 'server' | 'network' | 'hang';

/** The body of a successful login or refresh with `cookies: 'refresh'`: the refresh token is in the cookie. */
export interface AccessTokenResponse {
  accessToken: string;
  /** Access token lifetime in seconds (fractional when the ttl is not a whole second). */
  expiresIn: number;
  tokenType: 'Bearer';
}

/** The body of a successful login or refresh: the shape `session.signIn` takes. */
export interface TokenResponse extends AccessTokenResponse {
  refreshToken: string;
}

/** A signed-in user as the kit describes it: the `sub` and `roles` of its access tokens. */
// A type, not an interface: it then fits core's `Claims` (an index signature), so a login's `{ user }` goes to
// `session.signIn` as it is.
export type MockAuthUser = {
  sub: string;
  roles: string[];
};

/** The body of a successful login or refresh with `cookies: 'session'`. */
export interface SessionResponse {
  user: MockAuthUser;
}

/** The cookie part of what `issueTokens` returns in a cookie model: what a test puts in its cookie jar. */
export interface IssuedCookie {
  /** `name=value`, as a `Cookie` request header carries it. */
  cookie: string;
  /**
   * The `Set-Cookie` header the login route would send with it (attributes included), e.g. for
   * tough-cookie's `jar.setCookie(setCookie, baseUrl)`.
   */
  setCookie: string;
}

/** What `issueTokens` returns, by the `cookies` option: a login's body, plus the cookie in a cookie model. */
export type IssuedCredentials<Model extends CookieModel | undefined = undefined> = Model extends 'refresh'
  ? AccessTokenResponse & IssuedCookie
  : Model extends 'session'
    ? SessionResponse & IssuedCookie
    : TokenResponse;

/** Options of `protect(handler, options)`. */
export interface ProtectOptions {
  /** Admit a user holding any of these roles; others get 403. Default: any signed-in user. */
  roles?: string[];
  /** Answer a missing role with 401 `error="insufficient_scope"` instead of 403. Default false. */
  insufficientScopeAs401?: boolean;
  /**
   * Step-up (RFC 9470): admit only a credential whose `acr` is one of these (e.g. `'mfa'`, which the step-up
   * route signs; a password login gives `'pwd'`). Others get 401 with `WWW-Authenticate: <scheme> realm="…",
   * error="insufficient_user_authentication", error_description="…", acr_values="<the values, space-separated>"`.
   * Each value is a non-empty string without spaces, quotes or backslashes (a TypeError otherwise).
   */
  acr?: string | string[];
  /**
   * Step-up (RFC 9470): admit only a credential whose sign-in (`auth_time`) is at most `maxAge` seconds old by
   * the kit's clock; others get the same 401, with `max_age=<maxAge>`. A whole number of seconds >= 0.
   */
  maxAge?: number;
}

/** Options of `controls.issueTokens(username, options)`: the sign-in the credentials carry. */
export interface IssueOptions {
  /** The `acr` claim (with `cookies: 'session'`, the session's): e.g. `'mfa'` to start stepped up. Default `'pwd'`. */
  acr?: string;
  /** The `auth_time` claim: epoch seconds (a finite number >= 0). Default: now, by the kit's clock. */
  authTime?: number;
}

/** One answered request to a protected handler (the `me` route included): a redacted view. */
export interface ProtectedRequestRecord {
  method: string;
  /**
   * Origin and path, without the query string (a query may carry secrets); a token in the path (the
   * bearer token, any JWT, a refresh token the kit issued) shows as `[redacted]`.
   */
  url: string;
  status: number;
  /** Whether it carried a bearer token; with `cookies: 'session'`, the session cookie. */
  hadToken: boolean;
  /**
   * The `jti` of a correctly signed token (expired ones too), never the token itself; else null. With
   * `cookies: 'session'`, the kit's id of a session it knows (never the cookie's value).
   */
  tokenId: string | null;
  /** The kit's clock (ms, `advanceClock` included) when the answer was decided. */
  at: number;
  /**
   * Only with the `recordBodies` option: the body as text (null when empty), tokens redacted as in `url`.
   * Recorded for a refused request too: what was sent, not what a handler read.
   */
  body?: string | null;
}

/** One call to the refresh route. */
export interface RefreshRecord {
  /**
   * The kit's id of the refresh token (or session) presented, never the token or cookie itself; null when
   * unknown or absent.
   */
  tokenId: string | null;
  /**
   * `reused`: a rotated token (or replaced session) presented again (its family is now revoked); `forced`:
   * a `failNextRefresh`; `malformed`: no refresh token in the body, or no cookie in a cookie model.
   */
  outcome: 'ok' | 'reused' | 'revoked' | 'expired' | 'unknown' | 'malformed' | 'forced';
  at: number;
}

/**
 * Live counters: read them whenever you like, they are always current. Never hold a token string or a
 * cookie's value.
 */
export interface MockAuthStats {
  logins: number;
  failedLogins: number;
  /** Refresh calls received, whatever their outcome. */
  refreshes: number;
  reuseDetected: number;
  logouts: number;
  /**
   * Successful step-ups at the step-up route. Not enumerable (so `JSON.stringify` and `toEqual` on the whole
   * stats leave it out): read it by name, `auth.stats.stepUps`.
   */
  stepUps: number;
  requests: ProtectedRequestRecord[];
  refreshCalls: RefreshRecord[];
}

/** Levers a test pulls to put the auth server in a state. `Model`: the `cookies` option's type. */
export interface MockAuthControls<Model extends CookieModel | undefined = undefined> {
  /**
   * Every access token issued so far is refused as expired (401 `invalid_token`); later ones are fine.
   * `cookies: 'session'`: every session so far is refused as expired by protected routes (the refresh
   * route still renews it).
   */
  expireAccessTokens(): void;
  /**
   * Every refresh token issued so far is revoked (400 `invalid_grant`), in a cookie too.
   * `cookies: 'session'`: every session so far is revoked (protected routes and refresh refuse it).
   */
  revokeRefreshTokens(): void;
  /**
   * The next `count` refresh calls (default 1) fail as `kind` (default `'rejected'`): see
   * {@link RefreshFailureKind}, `'hang'` included (never answered until aborted or `reset()`).
   */
  failNextRefresh(count?: number, kind?: RefreshFailureKind): void;
  /**
   * Every refresh answer waits `ms` first (msw's `delay`), until `reset()` or `delayRefresh(0)`. A call
   * forced to `'hang'` skips the wait (it never answers anyway); the calls after it are delayed as usual.
   */
  delayRefresh(ms: number): void;
  /**
   * Every refresh call from now on waits, unanswered, until `releaseRefresh()` (or `reset()`), and is then
   * answered as it would be at that moment (a revocation made meanwhile applies): to act while a refresh is
   * in flight without guessing how long a delay must be. After `delayRefresh`'s wait; a `'hang'` ignores it.
   */
  holdRefresh(): void;
  /** Answer every held refresh call, and hold no more. */
  releaseRefresh(): void;
  /** Move the kit's clock ahead: `iat`/`exp` of new tokens and every expiry check follow it. */
  advanceClock(ms: number): void;
  /**
   * Back to a freshly created server: forced failures, delay, clock offset and stats cleared, and every
   * token issued so far forgotten (a new signing key), so no test inherits another's session. A request
   * still in flight (a delayed refresh) is not recorded, and is answered as the reset server would:
   * its tokens are forgotten, so 400 `invalid_grant` for a refresh, 401 `invalid_token` for a protected one.
   */
  reset(): void;
  /**
   * Empty the stats (counters and records) and nothing else: tokens, forced failures, delay and clock stay.
   * To assert on one phase of a test; a request still in flight is recorded when it is answered.
   */
  clearStats(): void;
  /**
   * Sign `username` in as a login would, without HTTP (not counted as a login), and return what the login
   * gives: the token pair; with `cookies: 'refresh'`, `{ accessToken, expiresIn, tokenType }` and the
   * refresh cookie; with `cookies: 'session'`, `{ user }` and the session cookie (see {@link IssuedCookie}).
   * `options` set the sign-in they carry (`acr`, `auth_time`), e.g. `{ acr: 'mfa' }` to start stepped up.
   * Throws for an unknown user; a TypeError for a malformed option.
   */
  issueTokens(username: string, options?: IssueOptions): Promise<IssuedCredentials<Model>>;
}

/** What `createMockAuthServer` returns. `Model`: the `cookies` option's type. */
export interface MockAuthServer<Model extends CookieModel | undefined = undefined> {
  /**
   * The login, refresh, logout and me routes (and the step-up route when some user has an `otp`): spread them
   * into `setupServer` / `setupWorker`.
   */
  handlers: HttpHandler[];
  /**
   * Wrap one of the app's own handlers so it needs a valid access token (and a role, if given); with
   * `cookies: 'session'`, a valid session cookie instead.
   */
  protect(handler: HttpHandler, options?: ProtectOptions): HttpHandler;
  /**
   * The user a request is signed in as (its bearer token, or its session cookie with `cookies:
   * 'session'`), checked as `protect()` checks it; null when it is not signed in. Not recorded in stats.
   * For the app's own handlers, which cannot read a user out of an opaque session cookie themselves.
   */
  userOf(request: Request): Promise<MockAuthUser | null>;
  controls: MockAuthControls<Model>;
  stats: MockAuthStats;
}
