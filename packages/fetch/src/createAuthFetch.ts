import { createAuthLoop, createAuthorizer, misuse, type Session, warnOnce } from '@reauth/core';
import type { AuthFetch, CreateAuthFetchOptions } from './options';
import { Outgoing } from './outgoing';

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
  // Production throws the engine's own TypeError at the same call (destructuring null).
  if (process.env.NODE_ENV !== 'production' && (typeof options !== 'object' || !options))
    throw misuse('createAuthFetch', 'expected an options object, or nothing');
  const { fetch: given, shouldRefresh } = options;
  if (given !== undefined && typeof given !== 'function') {
    throw misuse('createAuthFetch', 'expected options.fetch to be a function');
  }
  if (shouldRefresh !== undefined && typeof shouldRefresh !== 'function') {
    throw misuse('createAuthFetch', 'expected options.shouldRefresh to be a function (response) => boolean');
  }
  const authorizer = createAuthorizer(session, options, 'createAuthFetch');
  if (process.env.NODE_ENV !== 'production' && !options.allowedOrigins && typeof location === 'undefined') {
    // Once per process: a server may create one per request.
    warnOnce(
      'createAuthFetch: no allowedOrigins and no page (Node, SSR, a worker without location): no absolute URL will get a token. Pass allowedOrigins: [yourApiOrigin].',
    );
  }
  const { header } = authorizer;
  const isCustomHeader = header.toLowerCase() !== 'authorization';

  const loop = createAuthLoop<Outgoing, Response, Response>(
    authorizer,
    {
      // Looked up per send: msw, spies and polyfills installed after createAuthFetch are used.
      send: (call, ticket) =>
        call.send(given ?? globalThis.fetch, header, authorizer.credentials(ticket), ticket.proof),
      inspect(call, outcome, failed) {
        const { isStream } = call;
        // A failure of fetch is a network error, but the caller's own abort.
        if (failed) return call.signal?.aborted ? undefined : { status: 0, isStream };
        const response = outcome as Response;
        return response.status === 401
          ? {
              status: 401,
              headers: response.headers,
              requestHeaders: new Headers(call.sent?.headers),
              isStream,
              refused: response,
            }
          : undefined;
      },
      // A 401 not handed back (replayed, or the session could not be renewed): free its connection.
      discard: (response) => void response.body?.cancel().catch(() => {}),
    },
    options, // shouldRefresh, interceptNetworkError
  );

  return (input, init) => {
    try {
      const call = new Outgoing(input, init, isCustomHeader);
      return loop.send(call, call); // never throws: what goes wrong in it rejects
    } catch (error) {
      return Promise.reject(error); // as fetch does: a bad URL or a used body rejects
    }
  };
}
