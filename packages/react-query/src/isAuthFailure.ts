import { getHttpStatus, isAuthError } from '@reauth/core';

/**
 * Whether `error` is an authentication or permission failure: any `AuthError` of reauth, or an HTTP 401/403
 * in the shapes transports throw — axios and ky (`error.response.status`), a plain `error.status`, or a
 * `Response` thrown as it is. Anything else (null, strings, other objects) is not.
 *
 * @param error what a query function threw
 * @returns true for an auth failure, which retrying with the same credentials cannot fix
 * @example
 * const retry = (failureCount: number, error: unknown) => !isAuthFailure(error) && failureCount < 5;
 */
export function isAuthFailure(error: unknown): boolean {
  const status = getHttpStatus(error);
  return isAuthError(error) || status === 401 || status === 403;
}
