import type { Claims, CookieSessionInput, ReauthReason, SessionStatus, TokensInput } from '@reauth/core';

/**
 * What `useAuth()` returns: the session's state for rendering, and its actions.
 *
 * @example
 * const { status, user, isAuthenticated, isRefreshing, signIn, signOut, hasRole } = useAuth();
 */
export interface Auth {
  /**
   * `restoring` (start-up: not yet known), `signedOut`, `signedIn`, `refreshing` or `reauthRequired` (the login
   * modal is open).
   */
  status: SessionStatus;
  /** Claims of the access token, or null (signed out, or a token that is not a JWT). */
  user: Claims | null;
  /** Signed in, refreshing, or re-authenticating a known user (the page behind the login modal stays). */
  isAuthenticated: boolean;
  /** A token refresh is running. */
  isRefreshing: boolean;
  /**
   * Stores tokens (with `cookies: 'session'`, `{ user? }` or nothing) and resumes every waiting request. Throws a
   * TypeError on bad tokens. Stable identity.
   */
  signIn(tokens?: TokensInput | CookieSessionInput): void;
  /** Clears the tokens; waiting requests reject with `SIGNED_OUT`. Stable identity. */
  signOut(): void;
  /** Whether the user holds `role` (see `createSession`'s `getRoles`). A new function when the user changes. */
  hasRole(role: string): boolean;
}

/**
 * What `useReauthPrompt()` returns: the state of the login modal and its two ways out.
 *
 * @example
 * const { isOpen, reason, complete, dismiss } = useReauthPrompt();
 */
export interface ReauthPrompt {
  /** A re-authentication is waiting for this prompt. */
  isOpen: boolean;
  /**
   * Why: `refresh_rejected`, `no_refresh_token`, `unauthenticated` (a 401 while signed out) or `step_up` (a
   * resource asks for a stronger sign-in: see `acrValues`, `maxAge`); null when closed.
   */
  reason: ReauthReason | null;
  /** With `reason: 'step_up'`: the authentication context classes the resource asks for (`acr_values`). */
  acrValues: string[];
  /** With `reason: 'step_up'`: the most seconds since the last sign-in the resource accepts (`max_age`). */
  maxAge: number | undefined;
  /**
   * Signs in with the tokens your login endpoint returned: the waiting requests resume with them. Throws the
   * TypeError of `signIn` on bad tokens, and the prompt stays open. Stable identity.
   */
  complete(tokens?: TokensInput | CookieSessionInput): void;
  /**
   * Gives up: the waiting requests reject with `REAUTH_CANCELLED` and the session signs out — or, for a step-up,
   * only the requests that asked for it reject, with `STEP_UP_CANCELLED`, and the session stays signed in. Stable
   * identity.
   */
  dismiss(): void;
}
