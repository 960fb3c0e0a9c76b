import { type AdapterOptions, isRefreshableResponse } from '@reauth/core';
import type { AxiosError } from 'axios';

declare module 'axios' {
  // biome-ignore lint/suspicious/noExplicitAny: must repeat axios's own declaration to merge with it
  interface AxiosRequestConfig<D = any> {
    /** reauth: send this request without a token and never intercept its 401 (login, refresh, public calls). */
    skipAuth?: boolean;
  }
}

/**
 * Options of {@link attachAuth}: those every reauth adapter takes (`allowedOrigins`, `maxRetries`, `header`,
 * `scheme`, `shouldRefresh` given the `AxiosError` of the 401, `interceptNetworkError`). The instance's
 * `baseURL` resolves relative URLs and is the default allowed origin.
 */
export interface AttachAuthOptions extends AdapterOptions<AxiosError> {}

/**
 * The default `shouldRefresh`: any 401 but one whose `WWW-Authenticate` names what a new token does not fix — a
 * missing permission (`insufficient_scope`), a step-up, a DPoP proof or nonce.
 * @param error the axios error of a refused request
 * @returns whether a refresh may fix it
 */
export function isRefreshable(error: AxiosError): boolean {
  return isRefreshableResponse(error.response);
}
