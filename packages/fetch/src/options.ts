import { type AdapterOptions, isRefreshableResponse } from '@reauth/core';

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
 * Options of {@link createAuthFetch}: the fetch to wrap, plus the options every reauth adapter takes
 * (`allowedOrigins`, `maxRetries`, `header`, `scheme`, `shouldRefresh` given the refused `Response`,
 * `interceptNetworkError`). There is no `baseURL`: a relative URL is resolved against the page, as fetch does.
 */
export interface CreateAuthFetchOptions extends AdapterOptions<Response> {
  /**
   * The fetch to send with. Default: `globalThis.fetch`, looked up at each call, so patches installed later
   * (msw, polyfills, test spies) are used. With a token, it is called with a copy of `init` whose `headers` hold
   * it: a plain record when the request had no headers of its own, else a `Headers` (any `HeadersInit`, as for
   * fetch: read it with `new Headers(init.headers)`). A `Request` input, or a body other than a string, goes as a
   * `Request` built from it, with no `init`; any other input goes as the URL string read when its origin was
   * checked (a `URL` object changed afterwards moves neither the request nor its token).
   */
  fetch?: FetchLike | undefined;
}

/**
 * The default `shouldRefresh`: any 401 but one whose `WWW-Authenticate` names what a new token does not fix — a
 * missing permission (`insufficient_scope`), a step-up, a DPoP proof or nonce.
 * @param response a response of the API
 * @returns whether a refresh may fix it
 */
export const isRefreshable: (response: Response) => boolean = isRefreshableResponse;
