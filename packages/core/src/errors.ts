/** Stable codes of the errors reauth raises. */
export type AuthErrorCode =
  | 'SESSION_EXPIRED'
  | 'REAUTH_CANCELLED'
  | 'SIGNED_OUT'
  | 'REFRESH_TIMEOUT'
  | 'REFRESH_UNAVAILABLE';

const BRAND = Symbol.for('reauth.AuthError');

const MESSAGES: Record<AuthErrorCode, string> = {
  SESSION_EXPIRED: 'The session expired and could not be renewed; sign in again to continue.',
  REAUTH_CANCELLED: 'Re-authentication was cancelled, so the request was not sent; sign in to continue.',
  SIGNED_OUT: 'The session was signed out before this request could be sent; sign in again to send it.',
  REFRESH_TIMEOUT:
    'The token refresh did not answer in time; the session is kept, retry the request or check the refresh endpoint.',
  REFRESH_UNAVAILABLE:
    'The token refresh failed for a transient reason (network, server error or a bad response); the session is kept, retry the request later.',
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
  readonly code: AuthErrorCode;
  declare readonly [BRAND]: true;

  constructor(code: AuthErrorCode, options?: { cause?: unknown; message?: string }) {
    super(
      `[reauth] ${options?.message ?? MESSAGES[code]}`,
      options && 'cause' in options ? { cause: options.cause } : undefined,
    );
    this.name = 'AuthError';
    this.code = code;
  }
}
Object.defineProperty(AuthError.prototype, BRAND, { value: true });

/**
 * Whether `error` is an {@link AuthError}, also one thrown by another copy of `@reauth/core` in the bundle.
 * @param error anything caught
 * @returns true for reauth's own errors
 */
export function isAuthError(error: unknown): error is AuthError {
  return typeof error === 'object' && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true;
}
