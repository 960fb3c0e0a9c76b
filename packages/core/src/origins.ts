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
 * Where a request goes. Null for a relative URL with nothing to resolve it against (it can only reach the
 * page's own origin); undefined for an absolute URL that can't be read. A relative URL is joined to `baseURL`
 * as axios does (strings, not URL resolution), else resolved against the page.
 */
export function resolveRequestUrl(url: string, baseURL?: string): URL | null | undefined {
  let base = page();
  try {
    if (baseURL) base = new URL(baseURL, base).href;
  } catch {
    base = undefined;
  }
  try {
    if (ABSOLUTE.test(url)) return new URL(url, base);
    return base
      ? new URL(baseURL ? `${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : url, base)
      : null;
  } catch {
    return ABSOLUTE.test(url) ? undefined : null;
  }
}

/** Whether a token may be sent to `url` (as resolved by {@link resolveRequestUrl}). */
export function isOriginAllowed(url: URL | null | undefined, patterns: readonly OriginPattern[]): boolean {
  return (
    url === null ||
    (!!url && patterns.some((p) => (typeof p === 'string' ? p === url.origin : p.test(url.origin))))
  );
}
