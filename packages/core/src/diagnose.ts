import { misuse } from './errors';
import { getInternals } from './internals';
import { decodeJwt } from './jwt';
import { isOriginAllowed, normalizeOrigins, type OriginPattern, resolveRequestUrl } from './origins';
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
  /** The header the token is sent in. Default `'Authorization'`. */
  header?: string;
  /** The scheme the token went with (`'DPoP'`): where `WWW-Authenticate` holds several challenges, its own decides. */
  scheme?: string | undefined;
}

/**
 * One sentence each: what happened and what to do. Production builds keep what happened (the first clause) and
 * drop the advice, which is for the developer reading the console.
 */
const HINTS: Record<UnauthorizedCause | 'cors' | 'cookie', string> =
  process.env.NODE_ENV !== 'production'
    ? {
        insufficient_scope:
          'The token lacks a permission this resource needs: check the roles, not the session.',
        insufficient_user_authentication:
          'The resource wants a stronger or fresher sign-in (acr_values, max_age in WWW-Authenticate): the user must step up; a refresh does not help.',
        use_dpop_nonce:
          'The server wants a DPoP nonce: send the proof again with the nonce of its DPoP-Nonce header (expose that header to CORS).',
        invalid_dpop_proof:
          'The DPoP proof was refused: make a new proof for every send (htm, htu, ath, a new jti) with the key the token is bound to; a refresh does not help.',
        origin_not_allowed: 'No token was sent to this origin: add it to allowedOrigins if the API is yours.',
        missing_authorization:
          "No token was sent (no Authorization header, or 'Bearer undefined'): sign in first, and check the request is not skipAuth.",
        refresh_rejected:
          'The refresh token was refused: the user must sign in again (an onReauth prompt resumes requests).',
        expired_token:
          "The token expired: reauth refreshes and replays; if it repeats, check the server's clock.",
        invalid_token:
          'The server refused the token (revoked, bad signature or audience): refresh or sign in again.',
        unknown: 'The server gave no reason: check its logs, and expose WWW-Authenticate to CORS.',
        cors: 'A network error with an expired token: the API likely sends its 401 without CORS headers; add them to 401 responses.',
        cookie:
          "No session cookie was accepted: the user signs in again (an onReauth prompt resumes requests); cross-origin, send credentials (withCredentials, credentials: 'include') and allow them in CORS.",
      }
    : {
        insufficient_scope: 'The token lacks a permission this resource needs.',
        insufficient_user_authentication: 'The resource wants a stronger or fresher sign-in.',
        use_dpop_nonce: 'The server wants a DPoP nonce.',
        invalid_dpop_proof: 'The DPoP proof was refused.',
        origin_not_allowed: 'No token was sent to this origin.',
        missing_authorization: 'No token was sent.',
        refresh_rejected: 'The refresh token was refused.',
        expired_token: 'The token expired.',
        invalid_token: 'The server refused the token.',
        unknown: 'The server gave no reason.',
        cors: 'A network error with an expired token: likely a 401 without CORS headers.',
        cookie: 'No session cookie was accepted.',
      };

/** Challenges that say the token's freshness is not what is wrong (step-up, DPoP): a refresh does not help. */
const NOT_EXPIRY = new Set(['insufficient_user_authentication', 'use_dpop_nonce', 'invalid_dpop_proof']);

/** Whether a challenge's `error` names something a new token does not fix: a permission, step-up, DPoP. */
export const isBeyondRefresh = (error: string | undefined): boolean =>
  error === 'insufficient_scope' || (error !== undefined && NOT_EXPIRY.has(error));

/**
 * The `error` parameter of a response's `WWW-Authenticate` challenge (RFC 6750), lower-cased.
 * @param headers the response's headers, any container
 * @param scheme read the challenge of this scheme where the header holds several (e.g. `'DPoP'` beside
 *   `'Bearer'`); default, or when there is none of it: the first `error`
 * @returns e.g. `'invalid_token'` or `'insufficient_scope'`; undefined when there is none
 */
export function challengeError(headers: HeadersLike, scheme?: string): string | undefined {
  const challenge = getHeader(headers, 'www-authenticate') ?? '';
  const name = scheme?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const at = name ? challenge.search(new RegExp(`(?:^|,)\\s*${name}(?:\\s|$)`, 'i')) : -1;
  return errorParameter(at > -1 ? challenge.slice(at) : challenge);
}

const errorParameter = (challenge: string) =>
  /(?:^|[\s,])error\s*=\s*"?([\w.-]+)/i.exec(challenge)?.[1]?.toLowerCase();

/**
 * Says why a 401 most likely happened, from the exchange itself — the walk a person troubleshooting a 401
 * does by hand: permission, origin, Authorization header, refresh outcome, the token's expiry.
 *
 * @param input `status` 0 stands for a network error on a request whose token is expired by its claims: a 401
 *   that the browser hid because it came without CORS headers
 * @returns the cause and a one-sentence hint; never a token
 * @example
 * const { cause, hint } = diagnose401({ status: 401, headers: res.headers, requestHeaders: init.headers, url, session });
 */
export function diagnose401(input: Diagnose401Input): Diagnosis {
  // Production throws the engine's own TypeError at the same call (reading a field of nothing).
  if (process.env.NODE_ENV !== 'production' && (typeof input !== 'object' || !input))
    throw misuse('diagnose401', 'expected { status, headers, requestHeaders?, url?, session? }');
  const { session, url, allowedOrigins } = input;
  if (!input.status) return { cause: 'expired_token', hint: HINTS.cors };
  const challenge = getHeader(input.headers, 'www-authenticate') ?? '';
  const error = challengeError(input.headers, input.scheme);
  // The credential without its scheme; a header left at 'Bearer undefined' by an app carries none.
  const token = getHeader(input.requestHeaders, input.header ?? 'authorization')
    ?.replace(/^\S+\s+/, '')
    .replace(/^(bearer|undefined|null)?\s*$/i, '');
  const internals = session && getInternals(session);
  const state = session?.getState();
  const held = internals?.tokens();
  // Opaque tokens have no `exp`: when the one sent is the session's, its expiry is the session's.
  const expiresAt =
    (decodeJwt(token ?? '')?.exp as number) * 1000 ||
    (token === held?.accessToken && held?.expiresAt) ||
    Number.NaN;
  // A refused refresh ends the session with SESSION_EXPIRED caused by the refusal; without a cause there
  // was no refresh token to refuse.
  const cause: UnauthorizedCause = isBeyondRefresh(error)
    ? (error as UnauthorizedCause)
    : !token
      ? url &&
        allowedOrigins &&
        !isOriginAllowed(resolveRequestUrl(url), normalizeOrigins(allowedOrigins, 'diagnose401'))
        ? 'origin_not_allowed'
        : 'missing_authorization'
      : state?.error?.code === 'SESSION_EXPIRED' && state.error.cause !== undefined
        ? 'refresh_rejected'
        : /error_description\s*=\s*"[^"]*expired/i.test(challenge) ||
            expiresAt <= (internals?.now() ?? Date.now())
          ? 'expired_token'
          : error === 'invalid_token'
            ? error
            : 'unknown';
  // A cookie session sends no header by design: the credential missing is the cookie.
  const isCookie = cause === 'missing_authorization' && internals?.cookies === 'session';
  return { cause, hint: HINTS[isCookie ? 'cookie' : cause] };
}
