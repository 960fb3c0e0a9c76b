import { diagnose401 } from './diagnose';
import { decodeJwt } from './jwt';
import {
  isOriginAllowed,
  normalizeOrigins,
  type OriginPattern,
  originOf,
  resolveRequestUrl,
} from './origins';
import { getInternals } from './session';
import type { Diagnosis, Session } from './types';
import type { HeadersLike } from './utils';
import { abortReason, redactUrl, waitFor, warnOnce } from './utils';

export interface AuthorizerOptions {
  /** Origins that may receive the token. Default: the origin of `baseURL`, else `location.origin`. */
  allowedOrigins?: readonly OriginPattern[] | undefined;
  /** The transport's base URL, for relative URLs and the default `allowedOrigins`. */
  baseURL?: string | undefined;
  /** Replays after a 401, per request. Default 1. */
  maxRetries?: number | undefined;
  /** Default `'Authorization'`. */
  header?: string | undefined;
  /** Default `'Bearer'`; `''` sends the bare token. */
  scheme?: string | undefined;
}

/** A request as the authorizer needs to know it. */
export interface AuthRequest {
  url: string;
  method?: string | undefined;
  baseURL?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Neither given a token nor intercepted (login, refresh, public calls). */
  skipAuth?: boolean | undefined;
}

/** What one send of a request carried. Opaque to adapters but for `mode` and `attempt`. */
export interface Ticket {
  /** `auth`: handled by reauth; `skip`: `skipAuth`; `foreign`: origin not allowed, no token. */
  readonly mode: 'auth' | 'skip' | 'foreign';
  readonly token: string | null;
  readonly epoch: number;
  /** Redacted, for events. */
  readonly url: string;
  readonly method: string;
  /** 0 for the first send, then 1 per replay. */
  readonly attempt: number;
}

/** What the adapter saw: a 401 response, or (with `interceptNetworkError`) a network error. */
export interface UnauthorizedExchange {
  status: number;
  headers?: HeadersLike;
  requestHeaders?: HeadersLike;
  /** The adapter's `shouldRefresh` verdict. */
  shouldRefresh: boolean;
  signal?: AbortSignal | undefined;
}

export interface Authorizer {
  /** The header name the token goes in. */
  readonly header: string;
  /** Decides the token for one send, waiting while a refresh or re-authentication runs. */
  authorize(request: AuthRequest, attempt?: number): Promise<Ticket>;
  /** The header value for a ticket, or null when it carries no token. */
  credentials(ticket: Ticket): string | null;
  /**
   * After a 401: waits for the refresh (or re-authentication) it calls for.
   * @returns true to replay the request (with `attempt + 1`), false to hand the 401 back
   * @throws AuthError when the session can't be renewed; the signal's reason on abort
   */
  handleUnauthorized(ticket: Ticket, exchange: UnauthorizedExchange): Promise<boolean>;
  /** Whether the ticket's token is expired by its own claims (a network error hiding a 401 behind CORS). */
  isExpiredByClaims(ticket: Ticket): boolean;
}

const CORS_HINT =
  'The request failed as a network error while its token was expired: the API likely answers 401 without CORS headers; expose Access-Control-Allow-Origin on its 401 responses.';

/**
 * The transport-independent half of an adapter: token per send, the 401 decision, the queue.
 * `@reauth/axios` and `@reauth/fetch` are built on it; use it to write an adapter for another client.
 *
 * @param session from `createSession`
 * @param options allowed origins, retries, header
 * @param where the public call, for error messages (e.g. `'attachAuth'`)
 */
export function createAuthorizer(
  session: Session,
  options: AuthorizerOptions = {},
  where = 'createAuthorizer',
): Authorizer {
  const internals = getInternals(session);
  const { maxRetries = 1, header = 'Authorization', scheme = 'Bearer' } = options;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new TypeError(`[reauth] ${where}: \`maxRetries\` must be a whole number, 0 or more.`);
  }
  if (typeof header !== 'string' || !/^[\w!#$%&'*+.^`|~-]+$/.test(header)) {
    throw new TypeError(`[reauth] ${where}: \`header\` must be an HTTP header name such as 'Authorization'.`);
  }
  const defaultOrigin =
    originOf(options.baseURL) ?? originOf(typeof location === 'undefined' ? undefined : location.origin);
  const origins = options.allowedOrigins
    ? normalizeOrigins(options.allowedOrigins, where)
    : defaultOrigin
      ? [defaultOrigin]
      : [];

  async function waiting<T>(
    ticket: Pick<Ticket, 'method' | 'url'>,
    wait: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    internals.waiting.count += 1;
    internals.emit({
      type: 'requestQueued',
      method: ticket.method,
      url: ticket.url,
      waiting: internals.waiting.count,
    });
    try {
      return await waitFor(wait(), signal);
    } finally {
      internals.waiting.count -= 1;
    }
  }

  return {
    header,
    async authorize({ url, method, baseURL, signal, skipAuth }, attempt = 0) {
      const resolved = resolveRequestUrl(url, baseURL ?? options.baseURL);
      const base = {
        url: redactUrl(resolved ? resolved.href : url),
        method: (method ?? 'GET').toUpperCase(),
        attempt,
      };
      if (skipAuth) return { ...base, mode: 'skip', token: null, epoch: internals.epoch() };
      if (!isOriginAllowed(resolved, origins)) {
        warnOnce(
          `no token was sent to ${resolved?.origin ?? 'an unreadable URL'}: its origin is not in allowedOrigins.`,
        );
        return { ...base, mode: 'foreign', token: null, epoch: internals.epoch() };
      }
      const token = internals.willWait()
        ? await waiting(base, () => session.getAccessToken(signal ? { signal } : {}))
        : signal?.aborted
          ? Promise.reject(abortReason(signal))
          : (internals.tokens()?.accessToken ?? null);
      return { ...base, mode: 'auth', token: await token, epoch: internals.epoch() };
    },

    credentials: (ticket) =>
      ticket.token === null ? null : scheme ? `${scheme} ${ticket.token}` : ticket.token,

    async handleUnauthorized(ticket, { status, headers, requestHeaders, shouldRefresh, signal }) {
      const handled = ticket.mode === 'auth' && shouldRefresh && ticket.attempt < maxRetries;
      const diagnosis: Diagnosis =
        status === 401
          ? diagnose401({
              status,
              headers,
              requestHeaders,
              url: ticket.url,
              session,
              allowedOrigins: origins,
            })
          : { cause: 'expired_token', hint: CORS_HINT };
      internals.emit({
        type: 'unauthorized',
        method: ticket.method,
        url: ticket.url,
        status,
        diagnosis,
        handled,
      });
      if (!handled) return false;
      // Sent by a session that has ended since (signed out, reauth cancelled): no new prompt, no replay.
      if (ticket.epoch !== internals.epoch()) throw internals.endError();
      const current = internals.tokens()?.accessToken ?? null;
      let lateUnauthorized = false;
      if (ticket.token === null && current === null) {
        // Signed out and refused: the login-modal trigger, when there is a prompt.
        if (!internals.hasReauthHandler()) return false;
        await waiting(ticket, () => internals.requireReauth('unauthenticated'), signal);
      } else if (ticket.token !== current) {
        lateUnauthorized = ticket.token !== null; // refreshed meanwhile: replay at once, no second refresh
      } else {
        internals.markRefused(ticket.token as string);
        await waiting(ticket, () => session.refresh(), signal);
      }
      internals.emit({
        type: 'requestReplayed',
        method: ticket.method,
        url: ticket.url,
        attempt: ticket.attempt + 1,
        lateUnauthorized,
      });
      return true;
    },

    isExpiredByClaims(ticket) {
      const exp = ticket.token === null ? undefined : decodeJwt(ticket.token)?.exp;
      return typeof exp === 'number' && exp * 1000 <= internals.now();
    },
  };
}
