import type { CookieJar } from 'tough-cookie';

/** `fetch`'s signature, as `createAuthFetch`'s `fetch` option takes it. */
export type CookieFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * Node's fetch with a real cookie jar, as a browser's fetch with `credentials: 'include'` behaves: each request
 * carries the `Cookie` header the jar holds for its URL (domain, path, expiry and `HttpOnly` as RFC 6265 says:
 * this is the HTTP API, so httpOnly cookies are sent), and every `Set-Cookie` of the answer is stored back,
 * a cleared one (`Max-Age=0`) removing the stored cookie. A `Cookie` header the caller set is replaced.
 * Redirects are followed by fetch itself, so a `Set-Cookie` on a redirect answer is not kept: the test API
 * does not redirect on its cookie routes.
 *
 * @param jar the cookie jar shared by every request (and by every client that should share the cookies)
 * @param fetchImpl the fetch to send with; default `globalThis.fetch`, looked up at each call
 * @returns a function with `fetch`'s signature
 * @example
 * const jar = new CookieJar();
 * const authFetch = createAuthFetch(session, { fetch: cookieFetch(jar), allowedOrigins: [server.url] });
 */
export function cookieFetch(jar: CookieJar, fetchImpl?: CookieFetch): CookieFetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    const cookie = await jar.getCookieString(request.url);
    if (cookie) headers.set('cookie', cookie);
    else headers.delete('cookie');
    const response = await (fetchImpl ?? globalThis.fetch)(new Request(request, { headers }));
    for (const setCookie of response.headers.getSetCookie()) {
      // A cookie the jar refuses (another domain, a bad attribute) is dropped, as a browser drops it.
      await jar.setCookie(setCookie, response.url || request.url, { ignoreError: true });
    }
    return response;
  };
}
