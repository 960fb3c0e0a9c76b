// The browser's cookie jar, for the mock API. A real browser stores an API's Set-Cookie and sends the cookie back
// on its own, out of JavaScript's reach; a mock served by msw's service worker gets neither (see cookieBridge.ts).
// This jar plays that part beside the mock server: one per server, so every tab that shares the server shares its
// cookies, as tabs share the browser's. It keeps what RFC 6265 asks of the cookies the kit writes: host-only,
// Path, Max-Age / Expires, Secure; HttpOnly is the point of keeping it here, where no page script can read it.

/** A cookie as the playground shows it: never its value. */
export interface CookieInfo {
  name: string;
  path: string;
  isHttpOnly: boolean;
}

export interface CookieJar {
  /** Stores one `Set-Cookie` value received in answer to `url`; an expired one (`Max-Age=0`) removes the cookie. */
  store(setCookie: string, url: string): void;
  /** The `Cookie` header a request to `url` carries (longest paths first), or null when no cookie matches. */
  headerFor(url: string): string | null;
  /** The cookies held now, without their values. */
  list(): CookieInfo[];
}

interface StoredCookie extends CookieInfo {
  value: string;
  host: string;
  isSecure: boolean;
  /** Epoch ms; null for a cookie of the browser session. */
  expiresAt: number | null;
}

/** RFC 6265 §5.1.4: the path a cookie without a `Path` gets, the request's "directory". */
const defaultPath = (pathname: string) =>
  pathname.lastIndexOf('/') <= 0 ? '/' : pathname.slice(0, pathname.lastIndexOf('/'));

/** RFC 6265 §5.1.4 path-match: the same path, or below it at a `/`. */
const pathMatches = (requestPath: string, cookiePath: string) =>
  requestPath === cookiePath ||
  (requestPath.startsWith(cookiePath) &&
    (cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/'));

/**
 * A cookie jar in memory.
 *
 * @param now the clock (ms), for expiry
 * @returns the jar
 */
export function createCookieJar(now: () => number = Date.now): CookieJar {
  const cookies = new Map<string, StoredCookie>();
  const isLive = (cookie: StoredCookie) => cookie.expiresAt === null || cookie.expiresAt > now();
  const live = () => {
    for (const [key, cookie] of cookies) if (!isLive(cookie)) cookies.delete(key);
    return [...cookies.values()];
  };

  return {
    store(setCookie, url) {
      const { hostname, pathname } = new URL(url);
      const [pair = '', ...attributes] = setCookie.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      if (separator <= 0 || name === '') return; // not a cookie: a browser ignores it
      const cookie: StoredCookie = {
        name,
        value: pair.slice(separator + 1).trim(),
        host: hostname,
        path: defaultPath(pathname),
        isHttpOnly: false,
        isSecure: false,
        expiresAt: null,
      };
      let maxAge: number | null = null;
      for (const attribute of attributes) {
        const [key = '', ...rest] = attribute.split('=');
        const value = rest.join('=').trim();
        const lower = key.trim().toLowerCase();
        if (lower === 'path' && value.startsWith('/')) cookie.path = value;
        else if (lower === 'httponly') cookie.isHttpOnly = true;
        else if (lower === 'secure') cookie.isSecure = true;
        else if (lower === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value);
        else if (lower === 'expires' && !Number.isNaN(Date.parse(value)))
          cookie.expiresAt = Date.parse(value);
      }
      // Max-Age wins over Expires (RFC 6265 §5.3 step 3).
      if (maxAge !== null) cookie.expiresAt = maxAge <= 0 ? 0 : now() + maxAge * 1000;
      const key = `${cookie.name};${cookie.path}`;
      if (isLive(cookie)) cookies.set(key, cookie);
      else cookies.delete(key);
    },

    headerFor(url) {
      const { hostname, pathname, protocol } = new URL(url);
      const sent = live()
        .filter(
          (cookie) =>
            cookie.host === hostname &&
            pathMatches(pathname, cookie.path) &&
            (!cookie.isSecure || protocol === 'https:'),
        )
        .sort((a, b) => b.path.length - a.path.length);
      return sent.length === 0 ? null : sent.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
    },

    list: () => live().map(({ name, path, isHttpOnly }) => ({ name, path, isHttpOnly })),
  };
}
