import { type AuthorizerOptions, challengeError } from '@reauth/core';
import type { AxiosError } from 'axios';

declare module 'axios' {
  // biome-ignore lint/suspicious/noExplicitAny: must repeat axios's own declaration to merge with it
  interface AxiosRequestConfig<D = any> {
    /** reauth: send this request without a token and never intercept its 401 (login, refresh, public calls). */
    skipAuth?: boolean;
  }
}

export interface AttachAuthOptions extends Omit<AuthorizerOptions, 'baseURL'> {
  /**
   * Whether a 401 calls for a refresh. Default: yes, unless `WWW-Authenticate` says
   * `error="insufficient_scope"` (a permission problem, which a new token does not fix).
   */
  shouldRefresh?: (error: AxiosError) => boolean;
  /**
   * Treat a network error on a request whose token is expired by its own claims as a 401: browsers hide a
   * 401 behind a network error when the API sends no CORS headers on it. Default false.
   */
  interceptNetworkError?: boolean;
}

/** The default `shouldRefresh`: any 401 but one that names a missing permission. */
export function isRefreshable(error: AxiosError): boolean {
  return error.response?.status === 401 && challengeError(error.response.headers) !== 'insufficient_scope';
}
