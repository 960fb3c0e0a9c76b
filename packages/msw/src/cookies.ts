/** How the kit writes its one cookie: the name and the attributes every Set-Cookie of it carries. */
export interface CookieSpec {
  name: string;
  path: string;
  isSecure: boolean;
}

// RFC 6265 §4.1.1: a cookie-name is an RFC 7230 token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const isCookieName = (name: unknown): name is string => typeof name === 'string' && TOKEN.test(name);

/**
 * The value of cookie `name` in the request's `Cookie` header; null when absent or empty. The first one
 * wins: the client's own header comes first, and msw/node may append the cookies of its own jar after it.
 */
export function readCookie(request: Request, name: string): string | null {
  for (const pair of (request.headers.get('cookie') ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator !== -1 && pair.slice(0, separator).trim() === name) {
      const value = pair.slice(separator + 1).trim();
      return value === '' ? null : value;
    }
  }
  return null;
}

/**
 * The longest path that path-matches every one of `urls` (RFC 6265 §5.1.4): the cookie then reaches the
 * refresh and logout routes and nothing outside their common folder. `/auth/refresh` and `/auth/logout`
 * give `/auth`.
 */
export function commonCookiePath(urls: readonly string[]): string {
  const [first = [], ...others] = urls.map((url) => new URL(url).pathname.split('/').slice(1));
  let length = first.length;
  for (const segments of others) {
    let same = 0;
    while (same < length && same < segments.length && segments[same] === first[same]) same++;
    length = same;
  }
  return `/${first.slice(0, length).join('/')}`;
}

const attributes = ({ path, isSecure }: CookieSpec) =>
  `; HttpOnly; Path=${path}; SameSite=Strict${isSecure ? '; Secure' : ''}`;

/** The Set-Cookie value that stores `value`: no Expires or Max-Age, the server alone decides expiry. */
export const setCookie = (spec: CookieSpec, value: string) => `${spec.name}=${value}${attributes(spec)}`;

/** The Set-Cookie value that removes the cookie (same name and Path, so it replaces the stored one). */
export const clearCookie = (spec: CookieSpec) => `${spec.name}=${attributes(spec)}; Max-Age=0`;

/**
 * `response` with a Set-Cookie header. Added after the response is made, not through its init: msw keeps
 * the Set-Cookie of an init in a jar of its own (process-wide in Node) and sends it with every later
 * request, so a test could no longer send a request without the cookie, or with an old one.
 */
export function withCookie<T extends Response>(response: T, header: string): T {
  response.headers.append('Set-Cookie', header);
  return response;
}
