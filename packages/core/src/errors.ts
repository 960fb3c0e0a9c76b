/** Stable codes of the errors reauth raises. */
export type AuthErrorCode =
  | 'SESSION_EXPIRED'
  | 'REAUTH_CANCELLED'
  | 'SIGNED_OUT'
  | 'REFRESH_TIMEOUT'
  | 'REFRESH_UNAVAILABLE'
  | 'STEP_UP_CANCELLED'
  | 'STEP_UP_REQUIRED';

const BRAND = Symbol.for('reauth.AuthError');

const MESSAGES: Record<AuthErrorCode, string> = {
  SESSION_EXPIRED: 'The session expired and could not be renewed; sign in again.',
  REAUTH_CANCELLED: 'Sign-in was cancelled, so the request was not sent; sign in to retry it.',
  SIGNED_OUT: 'The session was signed out before the request was sent; sign in to retry it.',
  REFRESH_TIMEOUT: 'The token refresh timed out; the session is kept, so retry later.',
  REFRESH_UNAVAILABLE:
    'The token refresh failed (network, server or bad answer); the session is kept, so retry later.',
  STEP_UP_CANCELLED:
    'The stronger sign-in this request needs was cancelled; the session is kept, and other requests go on.',
  STEP_UP_REQUIRED:
    'This request needs a stronger sign-in (step-up), and no prompt is registered: register one with onReauth or useReauthPrompt.',
};

/**
 * The error reauth rejects a request with when it could not authenticate it.
 * Messages never contain a token. Tell errors apart by `code`, not by message.
 *
 * @example
 * if (isAuthError(error) && error.code === 'SESSION_EXPIRED') router.push('/login');
 */
export class AuthError extends Error {
  /** What went wrong, stable across versions. */
  declare readonly code: AuthErrorCode;
  declare readonly [BRAND]: true;

  /**
   * @param code what went wrong
   * @param options `cause`: the underlying error (a refresh's network error, say); `message` overrides the
   *   standard one for the code
   */
  constructor(code: AuthErrorCode, options?: { cause?: unknown; message?: string }) {
    super(`[reauth] ${options?.message ?? MESSAGES[code]}`, options);
    // Assigned before `name`, as the field was: own keys keep their order (`code`, then `name`).
    this.code = code;
    this.name = 'AuthError';
  }
}
Object.defineProperty(AuthError.prototype, BRAND, { value: true });

/**
 * Whether `error` is an {@link AuthError}, also one thrown by another copy of `@reauth/core` in the bundle.
 * @param error anything caught
 * @returns true for reauth's own errors
 */
export function isAuthError(error: unknown): error is AuthError {
  return (error as { [BRAND]?: unknown } | null)?.[BRAND] === true;
}

/**
 * The error for a call made wrongly, thrown at that call — shared by reauth's packages so that every one reads
 * `[reauth] where: what was expected.`
 * @param where the public call, e.g. `'attachAuth'`
 * @param expected what it expected, e.g. `` 'expected options.fetch to be a function' ``
 * @returns a TypeError to throw
 */
export function misuse(where: string, expected: string): TypeError {
  return new TypeError(`[reauth] ${where}: ${expected}.`);
}
