import { createAuthorizer, type Session } from '@reauth/core';
import { type AuthFetch, type CreateAuthFetchOptions, isRefreshable } from './options';
import { headersOf, outgoing } from './outgoing';

declare const process: { env: { NODE_ENV?: string } };

let hasWarnedNoOrigins = false;

const STREAM_WARNING =
  '[reauth] a 401 on a request with a stream body was handed back unrefreshed: a stream is read as it is sent and cannot be sent again. To have it replayed, send a Blob, ArrayBuffer, FormData or string body instead.';

/**
 * A `fetch` with reauth: the token on every request to an allowed origin, one refresh for any number of
 * 401s, waiting requests replayed with the new token, re-authentication when the refresh is refused.
 * A 401 it does not refresh comes back as the `Response` it is; an abort while waiting rejects as fetch does.
 *
 * @param session from `createSession()`
 * @param options the fetch to wrap, allowed origins, retries, header and the 401 policy
 * @returns a function with `fetch`'s signature; `init.skipAuth` sends a request without a token
 * @example
 * const authFetch = createAuthFetch(session, { allowedOrigins: ['https://api.example.com'] });
 * const items = await (await authFetch('https://api.example.com/items')).json();
 * await authFetch('https://api.example.com/auth/login', { method: 'POST', body, skipAuth: true });
 */
export function createAuthFetch(session: Session, options: CreateAuthFetchOptions = {}): AuthFetch {
  const { fetch: given, shouldRefresh = isRefreshable, interceptNetworkError, ...rest } = options;
  const expected =
    typeof session?.getAccessToken !== 'function'
      ? 'a session from createSession()'
      : given !== undefined && typeof given !== 'function'
        ? 'options.fetch to be a function'
        : typeof shouldRefresh !== 'function' &&
          'options.shouldRefresh to be a function (response) => boolean';
  if (expected) throw new TypeError(`[reauth] createAuthFetch: expected ${expected}.`);
  const authorizer = createAuthorizer(session, rest, 'createAuthFetch');
  if (process.env.NODE_ENV !== 'production' && !rest.allowedOrigins && typeof location === 'undefined') {
    // Once per process: a server may create one per request.
    if (!hasWarnedNoOrigins)
      console.warn(
        '[reauth] createAuthFetch: no allowedOrigins and no page (Node, SSR, a worker without location): no absolute URL will get a token. Pass allowedOrigins: [yourApiOrigin].',
      );
    hasWarnedNoOrigins = true;
  }
  const isCustomHeader = authorizer.header.toLowerCase() !== 'authorization';
  let hasWarnedStream = false;

  return async (input, init) => {
    const call = outgoing(input, init, isCustomHeader);
    const { signal } = call.request;
    // Its methods use no `this`. An abort while waiting rejects there with the signal's reason (fetch's AbortError).
    const handle = authorizer.handleUnauthorized;
    const first = authorizer.authorize(call.request);
    let ticket = first instanceof Promise ? await first : first;
    for (;;) {
      // Looked up per send: msw, spies and polyfills installed after createAuthFetch are used.
      const send = given ?? globalThis.fetch;
      const args = call.next(authorizer.header, authorizer.credentials(ticket));
      let response: Response;
      try {
        response = await send(...args);
      } catch (error) {
        const isHiddenByCors =
          interceptNetworkError && !signal?.aborted && authorizer.isExpiredByClaims(ticket);
        const next = isHiddenByCors && (await handle(ticket, { status: 0, shouldRefresh: !call.isStream }));
        if (!next) throw error;
        ticket = next;
        continue;
      }
      if (response.status !== 401) return response;
      const verdict = shouldRefresh(response);
      if (process.env.NODE_ENV !== 'production' && call.isStream && verdict && ticket.mode === 'auth') {
        if (!hasWarnedStream) console.warn(STREAM_WARNING);
        hasWarnedStream = true;
      }
      // A 401 not handed back (replayed, or the session could not be renewed): free its connection.
      const drop = () => void response.body?.cancel().catch(() => {});
      const next = await handle(ticket, {
        status: 401,
        headers: response.headers,
        requestHeaders: headersOf(args),
        shouldRefresh: verdict && !call.isStream,
      }).catch((error: unknown) => {
        drop();
        throw error;
      });
      if (!next) return response;
      drop();
      ticket = next;
    }
  };
}
