/** An `allowedOrigins` entry: an origin string (`scheme://host:port`) or a RegExp tested against the origin. */
export type OriginPattern = string | RegExp;

const ABSOLUTE = /^([a-z][a-z\d+\-.]*:)?\/\//i;

function locationHref(): string | undefined {
  return typeof location === 'undefined' ? undefined : location.href;
}

/**
 * Validates `allowedOrigins` and normalizes the strings to origins.
 * @throws TypeError naming the bad entry
 */
export function normalizeOrigins(patterns: readonly OriginPattern[], where: string): OriginPattern[] {
  if (!Array.isArray(patterns))
    throw new TypeError(`[reauth] ${where}: \`allowedOrigins\` must be an array of origins or RegExps.`);
  return patterns.map((pattern) => {
    // A copy without g/y, so test() keeps no state between requests.
    if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    let parsed: URL | undefined;
    try {
      parsed = typeof pattern === 'string' ? new URL(pattern) : undefined;
    } catch {}
    if (
      !parsed ||
      parsed.origin === 'null' ||
      parsed.pathname !== '/' ||
      parsed.search ||
      parsed.hash ||
      parsed.username
    ) {
      throw new TypeError(
        `[reauth] ${where}: allowedOrigins entry ${JSON.stringify(String(pattern))} is not an origin; use 'scheme://host[:port]' (no path) or a RegExp.`,
      );
    }
    return parsed.origin;
  });
}

/** The origin of `baseURL` (resolved against `location`), or null. */
export function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url, locationHref()).origin;
  } catch {
    return null;
  }
}

/**
 * Where a request goes: the absolute URL, or null for a relative URL with nothing to resolve it against
 * (always allowed: it can only reach the page's own origin). `undefined` for an absolute URL that can't be read.
 */
export function resolveRequestUrl(url: string, baseURL?: string): URL | null | undefined {
  const base = baseURL
    ? originOf(baseURL)
      ? new URL(baseURL, locationHref()).href
      : undefined
    : locationHref();
  try {
    if (ABSOLUTE.test(url)) return new URL(url, base);
    if (!base) return null;
    return new URL(baseURL ? `${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : url, base);
  } catch {
    return ABSOLUTE.test(url) ? undefined : null;
  }
}

/** Whether a token may be sent to `url` (as resolved by {@link resolveRequestUrl}). */
export function isOriginAllowed(url: URL | null | undefined, patterns: readonly OriginPattern[]): boolean {
  if (url === null) return true;
  if (url === undefined) return false;
  return patterns.some((pattern) =>
    typeof pattern === 'string' ? pattern === url.origin : pattern.test(url.origin),
  );
}
