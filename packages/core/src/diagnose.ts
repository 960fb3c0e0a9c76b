import { decodeJwt } from './jwt';
import { isOriginAllowed, normalizeOrigins, type OriginPattern, resolveRequestUrl } from './origins';
import { getInternals } from './session';
import type { Diagnosis, Session, UnauthorizedCause } from './types';
import { getHeader, type HeadersLike } from './utils';

export interface Diagnose401Input {
  status: number;
  /** The response's headers. */
  headers?: HeadersLike;
  /** The headers the request was sent with. */
  requestHeaders?: HeadersLike;
  url?: string;
  session?: Session;
  allowedOrigins?: readonly OriginPattern[];
}

const HINTS: Record<UnauthorizedCause, string> = {
  insufficient_scope:
    "The token is valid but lacks a permission this resource needs; check the user's roles or scopes, not the session.",
  origin_not_allowed:
    "No token was sent because this URL's origin is not in allowedOrigins; add it there if the API is yours.",
  missing_authorization:
    'The request carried no Authorization header; sign in first, and check that it is not marked skipAuth.',
  refresh_rejected:
    'The refresh token was refused, so the user must sign in again; an onReauth prompt resumes the waiting requests.',
  expired_token:
    "The access token expired; reauth refreshes and replays — if this repeats, compare the server's clock and the token lifetime.",
  invalid_token:
    'The server refused the token (revoked, wrong signature or audience); a refresh or a new sign-in gets a valid one.',
  unknown:
    'The server gave no reason (no WWW-Authenticate error); check its logs and authentication middleware, and expose WWW-Authenticate through CORS.',
};

/**
 * Says why a 401 most likely happened, from the exchange itself — the walk a person troubleshooting a 401
 * does by hand: origin, Authorization header, refresh outcome, WWW-Authenticate, the token's expiry.
 *
 * @returns the cause and a one-sentence hint; never contains a token
 * @example
 * const { cause, hint } = diagnose401({ status: 401, headers: res.headers, requestHeaders: init.headers, url, session });
 */
export function diagnose401(input: Diagnose401Input): Diagnosis {
  const challenge = getHeader(input.headers, 'www-authenticate') ?? '';
  const error = /(?:^|[\s,])error\s*=\s*"?([\w.-]+)/i.exec(challenge)?.[1]?.toLowerCase();
  const description = /error_description\s*=\s*"([^"]*)"/i.exec(challenge)?.[1] ?? '';
  const authorization = getHeader(input.requestHeaders, 'authorization');
  const internals = input.session && getInternals(input.session);
  const cause = ((): UnauthorizedCause => {
    if (error === 'insufficient_scope') return 'insufficient_scope';
    if (input.url && input.allowedOrigins) {
      const origins = normalizeOrigins(input.allowedOrigins, 'diagnose401');
      if (!isOriginAllowed(resolveRequestUrl(input.url), origins)) return 'origin_not_allowed';
    }
    if (!authorization) return 'missing_authorization';
    const state = input.session?.getState();
    if (state?.status === 'reauthRequired' || state?.error?.code === 'SESSION_EXPIRED')
      return 'refresh_rejected';
    const exp = decodeJwt(authorization.replace(/^\S+\s+/, ''))?.exp;
    const now = internals ? internals.now() : Date.now();
    if (/expired/i.test(description) || (typeof exp === 'number' && exp * 1000 <= now))
      return 'expired_token';
    if (error === 'invalid_token') return 'invalid_token';
    return 'unknown';
  })();
  return { cause, hint: HINTS[cause] };
}
