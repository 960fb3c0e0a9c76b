import { type AuthError, misuse } from './errors';
import type { TokenSet } from './tokens';
import type { AuthEvent, CookieMode, ReauthReason, RequestSigner, Session } from './types';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as emitted, before the session stamps its time. */
export type AuthEventInput = DistributiveOmit<AuthEvent, 'at'>;

/** What the adapters need of a session beyond its public API. */
export interface SessionInternals {
  now(): number;
  /** Bumped whenever a session ends: a request sent in an earlier epoch is never replayed. */
  epoch(): number;
  /** The error that ended the session of `epoch` (default: the last one that ended). */
  endError(epoch?: number): AuthError;
  tokens(): TokenSet | null;
  /** Whether `getAccessToken` would wait now (refresh or re-authentication). */
  willWait(): boolean;
  /** The server refused this token: don't send it as valid again. */
  markRefused(token: string): void;
  hasReauthHandler(): boolean;
  /** Where the credentials live: absent, in JS. */
  cookies: CookieMode | undefined;
  /** The per-send signer (`dpop`), if any. */
  signer: RequestSigner | undefined;
  /** Signed out with a refresh cookie not refused since the last sign-in: a 401 tries a silent refresh. */
  canRefreshSignedOut(): boolean;
  requireReauth(reason: ReauthReason): Promise<void>;
  /** Opens the step-up prompt (or joins the open one): the session stays signed in, other requests go on. */
  requireStepUp(acrValues: string[], maxAge: number | undefined): Promise<void>;
  emit(event: AuthEventInput): void;
  /** Requests waiting now, for events. */
  waiting: { count: number };
}

export const INTERNALS = Symbol.for('reauth.internals');

/**
 * A listener that throws must not break the session mid-update (tokens stored, waiters not released). One that is
 * not a function is (in development) a TypeError at the call that gave it (`where`), not a "listener threw" at every
 * later update.
 */
export function isolated<A extends unknown[]>(
  listener: (...args: A) => void,
  where?: string,
): (...args: A) => void {
  // Development only: production throws the engine's own TypeError at the first update instead.
  if (process.env.NODE_ENV !== 'production' && typeof listener !== 'function')
    throw misuse(where ?? 'subscribe(listener)', 'expected a function');
  return (...args) => {
    try {
      listener(...args);
    } catch (error) {
      console.error('[reauth] a listener threw; the session goes on.', error);
    }
  };
}

/** @internal for adapters: the internals of a session made by `createSession`. */
export function getInternals(session: Session): SessionInternals {
  const internals = (session as { [INTERNALS]?: SessionInternals } | null)?.[INTERNALS];
  if (!internals) throw misuse('reauth', 'expected a session made by createSession() of @reauth/core');
  return internals;
}
