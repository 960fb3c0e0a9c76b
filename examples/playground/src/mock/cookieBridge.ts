// Cookies between the browser's jar (cookieJar.ts) and the @reauth/msw kit, in a browser realm.
//
// The kit reads `request.headers.get('cookie')` and writes `response.headers.append('Set-Cookie', …)` onto the
// answer it built. In Node (undici) both work; in a browser, page or worker, both are silently dropped: `Cookie`
// is a forbidden request header (a Request's headers refuse it) and `Set-Cookie` a forbidden response header (a
// Response's headers refuse it). So the mock server's realm gets two small bridges: the request the kit sees
// carries the jar's cookie in headers of its own, and a `Set-Cookie` the kit writes is noted before the browser
// drops it. What the kit could offer instead, so that no bridge is needed: the playground's README.

const written = new WeakMap<Headers, string[]>();
let isNoting = false;

/**
 * From now on, in this realm, every `Set-Cookie` written to a `Headers` is noted for `setCookiesOf` (and still
 * written as before: where the browser drops it, it is dropped). Idempotent.
 */
export function noteSetCookies(): void {
  if (isNoting) return;
  isNoting = true;
  const { append, set } = Headers.prototype;
  const isSetCookie = (name: string) => String(name).toLowerCase() === 'set-cookie';
  Headers.prototype.append = function (this: Headers, name: string, value: string) {
    if (isSetCookie(name)) written.set(this, [...(written.get(this) ?? []), String(value)]);
    return append.call(this, name, value);
  };
  Headers.prototype.set = function (this: Headers, name: string, value: string) {
    if (isSetCookie(name)) written.set(this, [String(value)]);
    return set.call(this, name, value);
  };
}

/** The `Set-Cookie` values written to `headers` since `noteSetCookies()`, in order. */
export const setCookiesOf = (headers: Headers): readonly string[] => written.get(headers) ?? [];

/**
 * `request` as the kit reads it: with `cookie` (the jar's `Cookie` header) in its headers. The request's own
 * headers cannot hold one, so the request gets headers of its own (a plain `Headers`, which may).
 */
export function withCookieHeader(request: Request, cookie: string | null): Request {
  if (cookie === null) return request;
  const headers = new Headers(request.headers);
  headers.set('cookie', cookie);
  Object.defineProperty(request, 'headers', { value: headers });
  return request;
}
