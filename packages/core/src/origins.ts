import { misuse } from './errors';

/** An `allowedOrigins` entry: an origin string (`scheme://host:port`) or a RegExp tested against the origin. */
export type OriginPattern = string | RegExp;

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;
const page = () => (typeof location === 'undefined' ? undefined : location.href);

/**
 * Validates `allowedOrigins`: strings become origins, RegExps lose g/y (so test() keeps no state).
 * @throws TypeError naming the bad entry
 */
export function normalizeOrigins(patterns: readonly OriginPattern[], where: string): OriginPattern[] {
  if (!Array.isArray(patterns))
    throw misuse(where, '`allowedOrigins` must be an array of origins or RegExps');
  return patterns.map((pattern) => {
    if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
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

/** The origin of a URL (resolved against the page), or null. */
export function originOf(url: string | undefined): string | null {
  try {
    return url ? new URL(url, page()).origin : null;
  } catch {
    return null;
  }
}

/**
 * Where a request goes. A relative URL with a `baseURL` is joined to it as axios does (as strings); any other
 * URL is parsed as the transport would: absolute, or against the page — and WHATWG parsing makes absolute more
 * strings than they look (`' https://x'`, `'https:x'`), so nothing is taken for relative that parses alone.
 * Null for a relative URL with nothing to resolve it against (it can reach no other origin); undefined for an
 * absolute URL that can't be read.
 */
export function resolveRequestUrl(url: string, baseURL?: string): URL | null | undefined {
  let base = page();
  try {
    if (baseURL) base = new URL(baseURL, base).href;
  } catch {
    base = undefined;
  }
  try {
    if (baseURL && base && !ABSOLUTE.test(url))
      return new URL(`${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`);
    return new URL(url, base);
  } catch {
    return ABSOLUTE.test(url) ? undefined : null;
  }
}

/** The scheme and authority of an absolute URL as written (a cache key: the origin depends on nothing else). */
export const authorityOf = (url: string): string | undefined =>
  /^([a-z][a-z\d+\-.]*:)?\/\/[^/?#\\]*/i.exec(url)?.[0];

/** Whether a token may be sent to `url` (as resolved by {@link resolveRequestUrl}). */
export function isOriginAllowed(url: URL | null | undefined, patterns: readonly OriginPattern[]): boolean {
  return (
    url === null ||
    (!!url && patterns.some((p) => (typeof p === 'string' ? p === url.origin : p.test(url.origin))))
  );
}
