import { type AuthorizerOptions, challengeError } from '@reauth/core';

/** `fetch`'s `init`, plus reauth's per-request option. */
export interface AuthRequestInit extends RequestInit {
  /** reauth: send this request without a token and never intercept its 401 (login, refresh, public calls). */
  skipAuth?: boolean | undefined;
}

/** What {@link createAuthFetch} returns: `fetch`'s own signature, assignable to `typeof fetch`. */
export type AuthFetch = (input: RequestInfo | URL, init?: AuthRequestInit) => Promise<Response>;

/** Any function with `fetch`'s signature (a polyfill, a test double, another wrapper). */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * Options of {@link createAuthFetch}: the fetch to wrap, plus the adapter options every reauth adapter takes
 * (`allowedOrigins`, `maxRetries`, `header`, `scheme`). There is no `baseURL`: a relative URL is resolved
 * against the page, as fetch does.
 */
export interface CreateAuthFetchOptions extends Omit<AuthorizerOptions, 'baseURL'> {
  /**
   * The fetch to send with. Default: `globalThis.fetch`, looked up at each call, so patches installed later
   * (msw, polyfills, test spies) are used.
   */
  fetch?: FetchLike | undefined;
  /**
   * Whether a 401 calls for a refresh. Default: yes, unless `WWW-Authenticate` says
   * `error="insufficient_scope"` (a permission problem, which a new token does not fix).
   */
  shouldRefresh?: ((response: Response) => boolean) | undefined;
  /**
   * Treat a network error on a request whose token is expired by its own claims as a 401: browsers hide a
   * 401 behind a network error when the API sends no CORS headers on it. Default false.
   */
  interceptNetworkError?: boolean | undefined;
}

/** The default `shouldRefresh`: any 401 but one that names a missing permission. */
export function isRefreshable(response: Response): boolean {
  return response.status === 401 && challengeError(response.headers) !== 'insufficient_scope';
}
