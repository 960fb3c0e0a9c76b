import type { AuthError } from './errors';
import type { LockLike } from './tabLock';
import type { HeadersLike } from './utils';

/** Claims of a JWT access token, decoded without verification. */
export type Claims = { [claim: string]: unknown; sub?: string; exp?: number; iat?: number };

/**
 * Tokens as your login or refresh endpoint returns them. The OAuth 2.0 names
 * (`access_token`, `refresh_token`, `expires_in`) are accepted too.
 */
export interface TokensInput {
  accessToken?: string;
  /** `undefined` keeps the current refresh token (in a refresh result); `null` drops it. */
  refreshToken?: string | null | undefined;
  /** Expiry as epoch milliseconds. */
  expiresAt?: number;
  /** Lifetime in seconds from now; wins over `expiresAt` (immune to clock skew). */
  expiresIn?: number | string;
  access_token?: string;
  refresh_token?: string | null;
  expires_in?: number | string;
}

/** The Web Storage shape; `localStorage` and `sessionStorage` work as they are. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * An asynchronous storage: React Native's AsyncStorage, Expo SecureStore (through a three-line wrapper),
 * idb-keyval. In an app the session starts `restoring` while it reads.
 */
export interface AsyncStorageLike {
  getItem(key: string): Promise<string | null | undefined>;
  setItem(key: string, value: string): Promise<unknown>;
  removeItem(key: string): Promise<unknown>;
}

/** What `wake`'s `notify` says: back in the foreground, online again, or offline. */
export type WakeSignal = 'foreground' | 'online' | 'offline';

/** What `createSession`'s `refresh` receives. */
export interface RefreshContext {
  refreshToken: string;
  /** Aborted when reauth gives up on this refresh (timeout and grace passed, or sign-out). */
  signal: AbortSignal;
}

/**
 * What `refresh` receives with `cookies: 'refresh' | 'session'`: no refresh token in JS — the browser sends the
 * cookie (send the request with credentials: axios `withCredentials`, fetch `credentials: 'include'` cross-origin).
 */
export interface CookieRefreshContext {
  refreshToken: null;
  /** Aborted when reauth gives up on this refresh (timeout and grace passed, or sign-out). */
  signal: AbortSignal;
}

/**
 * What `signIn`, a reauth handler or a sliding-session `refresh` gives with `cookies: 'session'`: the user the
 * app learned (e.g. from `/me`), or nothing. No token: the browser holds the session cookie.
 */
export interface CookieSessionInput {
  user?: Claims | null | undefined;
}

/** Where the credentials live: an httpOnly refresh cookie, or a cookie session. */
export type CookieMode = 'refresh' | 'session';

/** Why a re-authentication was asked for. */
export type ReauthReason = 'refresh_rejected' | 'no_refresh_token' | 'unauthenticated' | 'step_up';

/** What a reauth handler receives. */
export interface ReauthContext {
  reason: ReauthReason;
  /**
   * With `reason: 'step_up'` (RFC 9470): the authentication context classes the resource asks for (its
   * `acr_values`, split); else empty.
   */
  acrValues: string[];
  /** With `reason: 'step_up'`: the most seconds since the user's last sign-in the resource accepts (`max_age`). */
  maxAge: number | undefined;
  /** Aborted when the prompt is no longer needed (signed in elsewhere, signed out, cancelled). */
  signal: AbortSignal;
}

/**
 * Resolves with new tokens (with `cookies: 'session'`, `{ user? }` or `{}`) to resume the waiting requests, or
 * null/undefined (or throws) to give up.
 */
export type ReauthHandler = (
  context: ReauthContext,
) => Promise<TokensInput | CookieSessionInput | null | undefined>;

/** `createSession`'s options for tokens held by JS (the default model). See also the `cookies` models. */
export interface SessionOptions extends SessionBaseOptions {
  /** Where the credentials live: absent, both tokens in JS. See `RefreshCookieOptions`, `SessionCookieOptions`. */
  cookies?: undefined;
  /** How to get new tokens. Omit for no silent refresh (a 401 then goes straight to re-authentication). */
  refresh?: ((context: RefreshContext) => Promise<TokensInput>) | undefined;
}

/** `createSession`'s options with the refresh token in an httpOnly cookie: JS holds only the access token. */
export interface RefreshCookieOptions extends SessionBaseOptions {
  cookies: 'refresh';
  /**
   * Calls the refresh endpoint with credentials (the browser sends the cookie) and resolves with
   * `{ accessToken, expiresIn? }`. Called whenever new tokens are needed, signed out included.
   */
  refresh: (context: CookieRefreshContext) => Promise<TokensInput>;
}

/** `createSession`'s options for a cookie session: no token in JS, no auth header; the browser sends the cookie. */
export interface SessionCookieOptions extends SessionBaseOptions {
  cookies: 'session';
  /** A sliding-session call (optional), resolving with `{ user? }` or nothing; without it a 401 prompts. */
  // biome-ignore lint/suspicious/noConfusingVoidType: `async () => {}` is a Promise<void>, and is fine here
  refresh?: ((context: CookieRefreshContext) => Promise<CookieSessionInput | undefined | void>) | undefined;
}

/** The options of any session model. */
export type AnySessionOptions = SessionOptions | RefreshCookieOptions | SessionCookieOptions;

/** One send as a {@link RequestSigner} signs it. */
export interface SignedSend {
  /** Upper case, e.g. `'GET'`. */
  method: string;
  /** Absolute, as sent (query and fragment included: a DPoP proof's `htu` leaves them out). */
  url: string;
  /** The access token the send carries. */
  accessToken: string;
}

/**
 * A per-send signer (DPoP's proof of possession, RFC 9449): core asks it for fresh headers for each send that
 * carries the access token — a replay included — and shows it the headers of each answer. `dpop()` of
 * `@reauth/oauth` makes one; core knows only this hook.
 *
 * A 401 `WWW-Authenticate: ... error="use_dpop_nonce"` with a `DPoP-Nonce` header is sent again once, signed
 * anew (the signer has seen the nonce), with no refresh and not counted against `maxRetries`;
 * `error="invalid_dpop_proof"` never refreshes.
 */
export interface RequestSigner {
  /** The `Authorization` scheme of the tokens it binds, e.g. `'DPoP'` (an adapter's `scheme` option wins). */
  readonly scheme: string;
  /**
   * The JWK thumbprint of its key, where known. Tokens restored from storage or taken from another tab whose JWT
   * access token is bound to another key (`cnf.jkt`: a key lost with a reload, a tab on a key of its own) are not
   * used — they could only be refused — and the session goes on signed out.
   */
  readonly jkt?: string | undefined;
  /** The headers for one send, made fresh each time (e.g. `{ DPoP: proof }`). */
  sign(send: SignedSend): Promise<Record<string, string>>;
  /**
   * The headers of an answer to a signed send (any status, 401 included), before reauth decides on it: where a
   * server's new `DPoP-Nonce` is learnt.
   * @param url the absolute URL the send went to
   */
  observe(url: string, headers: HeadersLike): void;
}

/** The options every session model shares. */
export interface SessionBaseOptions {
  /**
   * Where tokens persist. Default: in memory. The Web Storage shape is read before `createSession` returns; an
   * asynchronous one (`getItem` returns a Promise) is read while the session is `restoring`.
   */
  storage?: StorageLike | AsyncStorageLike;
  /** Key in `storage`. Default `'reauth'`. */
  storageKey?: string;
  /**
   * Refresh before a request when the token expires within this many ms. Default 30 000, capped at half
   * the token's lifetime when not given. 0 = only after a 401.
   */
  refreshLeewayMs?: number;
  /** How long a request waits for a refresh before it rejects with `REFRESH_TIMEOUT`. Default 15 000. */
  refreshTimeoutMs?: number;
  /** Whether a refresh failure is terminal (re-authenticate) rather than transient. Default: HTTP 400/401/403. */
  isRefreshRejected?: (error: unknown) => boolean;
  /** The user's roles, read from the access token's claims. Default: the `roles` claim (array or space-separated). */
  getRoles?: (claims: Claims) => readonly string[];
  /**
   * Share the session with the other tabs of the origin that use the same `storageKey`: sign-in, refresh
   * results and sign-out reach them, and only one tab refreshes at a time. Default: on in browsers where
   * `BroadcastChannel` exists, off elsewhere (on a server, sessions of different users share a process).
   * `channelName` defaults to `reauth:<storageKey>`; `lock` replaces Web Locks (default: `navigator.locks`,
   * else a lease on the channel).
   */
  crossTab?: boolean | { channelName?: string; lock?: LockLike };
  /**
   * Refresh ahead of expiry (when the token enters `refreshLeewayMs`) in the background while the page is
   * visible, and check at once when it becomes visible or comes back online. Default: on in browsers.
   */
  autoRefresh?: boolean;
  /**
   * Wake-up signals of the platform: call `notify()` (or `notify('foreground')`, `notify('online')`) when the app
   * returns to the foreground or the network comes back — the session checks its token at once — and
   * `notify('offline')` when the device goes offline (no refresh is attempted then: waiting requests wait for
   * `online`, up to `refreshTimeoutMs`). Replaces the browser's own listeners (`visibilitychange`, `online`,
   * `offline`). React Native: `AppState`'s `'active'`, NetInfo.
   * @returns unsubscribe (kept for the session's lifetime)
   */
  wake?: (notify: (signal?: WakeSignal) => void) => (() => void) | undefined;
  /**
   * Proof of possession on every send (DPoP, RFC 9449): `dpop: await dpop()` from `@reauth/oauth`. Each send of a
   * request that carries the access token — every replay included — gets fresh headers from it, and the token
   * goes as `Authorization: <signer.scheme> <token>` ('DPoP'). Not with `cookies: 'session'` (no token is sent).
   */
  dpop?: RequestSigner | undefined;
  /** The clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** `restoring`: reading storage at start-up, not yet known whether signed in (requests wait for it). */
export type SessionStatus = 'restoring' | 'signedOut' | 'signedIn' | 'refreshing' | 'reauthRequired';

/** The reactive state of a session. Tokens are not in it: see `getAccessToken`. */
export interface SessionState {
  status: SessionStatus;
  user: Claims | null;
  /** Access token expiry in epoch ms, or null when unknown. */
  expiresAt: number | null;
  /** The error that ended the last session or refresh, if any. */
  error: AuthError | null;
}

/** What a 401 most likely means, decided from the exchange. */
export type UnauthorizedCause =
  | 'missing_authorization'
  | 'expired_token'
  | 'invalid_token'
  | 'insufficient_scope'
  /** Step-up (RFC 9470): the resource wants a stronger or fresher sign-in; a refresh does not give one. */
  | 'insufficient_user_authentication'
  /** DPoP (RFC 9449): the server wants its nonce in the proof. */
  | 'use_dpop_nonce'
  /** DPoP (RFC 9449): the proof was refused; a new token does not fix a proof. */
  | 'invalid_dpop_proof'
  | 'origin_not_allowed'
  | 'refresh_rejected'
  | 'unknown';

export interface Diagnosis {
  cause: UnauthorizedCause;
  /** One sentence: what to do. Never contains a token. */
  hint: string;
}

interface EventBase {
  /** Epoch ms, by the session's clock. */
  at: number;
}
interface RequestInfo {
  method: string;
  /** The request URL with credential-like query parameters redacted. */
  url: string;
}

/** Events emitted by a session, told apart by `type`. No event ever carries a token. */
export type AuthEvent =
  | (EventBase & { type: 'signedIn'; user: Claims | null; expiresAt: number | null })
  | (EventBase & { type: 'signedOut'; error: AuthError | null })
  | (EventBase & { type: 'refreshStart'; waiting: number })
  | (EventBase & { type: 'refreshSuccess'; expiresAt: number | null; durationMs: number })
  | (EventBase & { type: 'refreshFailure'; error: AuthError; terminal: boolean; durationMs: number })
  | (EventBase & { type: 'reauthRequired'; reason: ReauthReason; waiting: number })
  | (EventBase & { type: 'reauthResolved' })
  | (EventBase & { type: 'reauthCancelled'; error: AuthError })
  | (EventBase & RequestInfo & { type: 'requestQueued'; waiting: number })
  | (EventBase & RequestInfo & { type: 'requestReplayed'; attempt: number; lateUnauthorized: boolean })
  | (EventBase &
      RequestInfo & { type: 'unauthorized'; status: number; diagnosis: Diagnosis; handled: boolean });

export type AuthEventType = AuthEvent['type'];
export type AuthEventOf<T extends AuthEventType> = Extract<AuthEvent, { type: T }>;

/**
 * What `signIn` takes in a session model: tokens, or with `cookies: 'session'` the user the app knows (or
 * nothing). For a session of any model (`Session`), either.
 */
export type SignInArgs<Model extends CookieMode | undefined> = [Model] extends ['session']
  ? [input?: CookieSessionInput]
  : [Model] extends [undefined | 'refresh']
    ? [tokens: TokensInput]
    : [input?: TokensInput | CookieSessionInput];

/**
 * A session: token state, single-flight refresh, request gate and re-authentication. `Model` is its `cookies`
 * option, which types `signIn`; adapters and bindings take a session of any model.
 */
export interface Session<Model extends CookieMode | undefined = CookieMode | undefined> {
  getState(): SessionState;
  /** @returns unsubscribe */
  subscribe(listener: (state: SessionState, previous: SessionState) => void): () => void;
  /**
   * Stores tokens (status `signedIn`) and resumes every waiting request. Throws a TypeError on bad input. With
   * `cookies: 'refresh'`: `{ accessToken, expiresIn? }`; with `cookies: 'session'`: `{ user? }` or nothing.
   */
  signIn(...input: SignInArgs<Model>): void;
  /** Clears tokens and storage; rejects every waiting request with `SIGNED_OUT`. */
  signOut(): void;
  /**
   * The current access token, after waiting for a refresh or re-authentication in progress, and after a
   * refresh when it expires within the leeway. Null when signed out, and always with `cookies: 'session'`.
   */
  getAccessToken(options?: { signal?: AbortSignal }): Promise<string | null>;
  /** Refreshes now, or joins the refresh in progress. Rejects with an {@link AuthError} when it fails. */
  refresh(): Promise<void>;
  /** Resolves when restoring ends (at once when there is nothing to restore). Never rejects. */
  ready(): Promise<void>;
  /**
   * Runs the start-up check again: reads storage (and, on a server, starts it: nothing is restored there
   * before this call). Never rejects: the outcome is in the state.
   */
  restore(): Promise<void>;
  /** Registers the re-authentication prompt; the latest registered handler is active. @returns unregister */
  onReauth(handler: ReauthHandler): () => void;
  /**
   * Whether the signed-in user holds `role`, by `createSession`'s `getRoles` (default: the `roles` claim).
   * False when signed out.
   */
  hasRole(role: string): boolean;
  /**
   * Dismisses an open re-authentication: waiting requests reject with `REAUTH_CANCELLED`, the session signs out,
   * and so do the other tabs sharing it (their prompts for it close).
   */
  cancelReauth(): void;
  /** @returns unsubscribe */
  on<T extends AuthEventType>(type: T, listener: (event: AuthEventOf<T>) => void): () => void;
  /** Listens to every event. @returns unsubscribe */
  on(type: '*', listener: (event: AuthEvent) => void): () => void;
}
