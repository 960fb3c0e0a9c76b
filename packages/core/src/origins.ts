import { misuse } from './errors';
import { warnOnce } from './utils';

/** An `allowedOrigins` entry: an origin string (`scheme://host:port`) or a RegExp tested against the origin. */
export type OriginPattern = string | RegExp;

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;
const CONTROL = /[\t\n\r]/;
// What the transport resolves a relative URL against: the document's base URL (a <base href> counts), else
// (a worker) the location.
const page = () =>
  typeof document !== 'undefined' && document.baseURI
    ? document.baseURI
    : typeof location === 'undefined'
      ? undefined
      : location.href;

/** Development only: how a RegExp of `allowedOrigins` lets a look-alike origin through (the token goes there). */
const LOOSE = {
  anchor:
    'is not anchored, so it also matches origins that merely contain it (https://api.example.com.attacker.test)',
  alternation:
    'has a | outside any group, so ^ anchors only its first alternative and $ only its last (https://api.example.com.attacker.test)',
  dot: 'has a . that is not escaped: it matches any character (https://apixexample.com)',
};

/**
 * Development only: a `|` outside any group (the anchors then bind only the first and last alternatives), or a
 * `.` outside a character class that is not a quantified wildcard (`.*`, `.+`: meant) — a host name's dot left
 * unescaped.
 */
function looseness(source: string): keyof typeof LOOSE | null {
  let depth = 0;
  let isInClass = false;
  for (let at = 0; at < source.length; at += 1) {
    const char = source[at];
    if (char === '\\') at += 1;
    else if (isInClass) isInClass = char !== ']';
    else if (char === '[') isInClass = true;
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && !depth) return 'alternation';
    else if (char === '.' && !/[*+?{]/.test(source[at + 1] ?? '')) return 'dot';
  }
  return null;
}

/**
 * Validates `allowedOrigins`: strings become origins, RegExps lose g/y (so test() keeps no state).
 * @throws TypeError naming the bad entry
 */
export function normalizeOrigins(patterns: readonly OriginPattern[], where: string): OriginPattern[] {
  if (!Array.isArray(patterns))
    throw misuse(where, '`allowedOrigins` must be an array of origins or RegExps');
  return patterns.map((pattern) => {
    if (pattern instanceof RegExp) {
      // /api\.example\.com/ also matches https://api.example.com.attacker.test: the token would go there.
      if (process.env.NODE_ENV !== 'production') {
        const loose = !/^\^.*\$$/.test(pattern.source) ? 'anchor' : looseness(pattern.source);
        if (loose) {
          warnOnce(`allowedOrigins: ${pattern} ${LOOSE[loose]}; write /^https:\\/\\/api\\.example\\.com$/.`);
        }
      }
      return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    }
    if (typeof pattern === 'string' && pattern.includes('*')) {
      throw misuse(
        where,
        `allowedOrigins entry ${JSON.stringify(pattern)} has a wildcard: use a RegExp anchored at both ends`,
      );
    }
    try {
      const url = new URL(pattern);
      if (url.origin !== 'null' && url.href === `${url.origin}/`) return url.origin;
    } catch {}
    throw misuse(
      where,
      `allowedOrigins entry ${JSON.stringify(String(pattern))} is not an origin ('scheme://host[:port]', no path) or a RegExp`,
    );
  });
}

/** Whether `url` names its origin itself (a scheme and authority, or `//authority`). */
export const isAbsolute = (url: string | undefined): url is string => !!url && ABSOLUTE.test(url);

/** The origin of a URL (resolved against the page), or null. */
export function originOf(url: string | undefined): string | null {
  try {
    return url ? new URL(url, page()).origin : null;
  } catch {
    return null;
  }
}

/**
 * Where a request goes, built as axios builds it: a URL that is not absolute by axios's own test is joined to
 * `baseURL` as strings (`combineURLs`), and the result is parsed as the transport parses it — against the page
 * in a browser, alone in Node. Null for a relative URL with nothing to resolve it against; undefined for an
 * absolute one that can't be parsed.
 */
export function resolveRequestUrl(url: string, baseURL?: string): URL | null | undefined {
  const joined =
    baseURL && !ABSOLUTE.test(url)
      ? url
        ? `${baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}`
        : baseURL
      : url;
  try {
    return new URL(joined, page());
  } catch {
    // Relative with nothing to resolve it against (Node, no baseURL): it can reach no other origin.
    return ABSOLUTE.test(joined) ? undefined : null;
  }
}

/**
 * Whether a token may be sent to a request's URL, remembered for what decides it (see {@link originKey}): the
 * last base URL of relative URLs and the last scheme + authority of absolute ones are checked without a
 * regular expression or a lookup (the hot path of an app that calls one API), a few dozen others in a map.
 */
export function createOriginCheck(
  patterns: readonly OriginPattern[],
): (url: string, baseURL?: string) => boolean {
  const decided = new Map<string, boolean>();
  let lastBase: string | undefined;
  let lastAuthority = '\0';
  let isBaseAllowed = false;
  let isAuthorityAllowed = false;
  return (given, baseURL) => {
    const url = String(given); // axios takes a URL object too
    // What follows the authority (or is joined after the base URL's) can't change the origin, whatever it holds.
    // `lastIndexOf(prefix, 0) === 0` is startsWith, twice as fast in V8.
    if (url.lastIndexOf(lastAuthority, 0) === 0 && '/?#\\'.includes(url.charAt(lastAuthority.length))) {
      return isAuthorityAllowed; // the next character ends the authority: the same origin
    }
    if (baseURL === lastBase && baseURL !== undefined && !ABSOLUTE.test(url)) return isBaseAllowed;
    const key = originKey(url, baseURL);
    let allowed = key === undefined ? undefined : decided.get(key);
    if (allowed === undefined) {
      // A key stands for every URL that shares it: decide on the key itself (`/` joined to a base URL).
      allowed = isOriginAllowed(
        resolveRequestUrl(key === undefined ? url : key === url.slice(0, key.length) ? key : '', baseURL),
        patterns,
      );
      if (key !== undefined) {
        if (decided.size >= 64) decided.clear();
        decided.set(key, allowed);
      }
    }
    if (key === undefined) return allowed;
    if (key === url.slice(0, key.length)) {
      lastAuthority = key;
      isAuthorityAllowed = allowed;
    } else {
      lastBase = baseURL;
      isBaseAllowed = allowed;
    }
    return allowed;
  };
}

/**
 * What decides the origin of every URL a request could be given, as a cache key: the scheme and authority of an
 * absolute URL, or of a `baseURL` that has both (everything joined after it lands in its path). Undefined when
 * the rest of the URL could change the origin: such URLs are parsed each time.
 */
export function originKey(url: string, baseURL?: string): string | undefined {
  // The URL parser deletes tabs and newlines anywhere: 'https://api.test\t.evil.test' is api.test.evil.test.
  if (CONTROL.test(url) || (baseURL && CONTROL.test(baseURL))) return undefined;
  // Nor any whitespace in a base URL: 'https://api.test @evil.test' is evil.test, with a user name.
  if (baseURL && /\s/.test(baseURL)) return undefined;
  const authority = /^([a-z][a-z\d+\-.]*:)?\/\/[^/?#\\]*/i.exec(url)?.[0];
  if (authority) return authority;
  return baseURL ? /^[a-z][a-z\d+\-.]*:\/\/[^/?#\\\s]+/i.exec(baseURL)?.[0] : undefined;
}

/** Whether a token may be sent to `url` (as resolved by {@link resolveRequestUrl}). */
export function isOriginAllowed(url: URL | null | undefined, patterns: readonly OriginPattern[]): boolean {
  return (
    url === null ||
    (!!url && patterns.some((p) => (typeof p === 'string' ? p === url.origin : p.test(url.origin))))
  );
}
