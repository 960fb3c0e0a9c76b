import { diagnose401 } from './diagnose';
import { misuse } from './errors';
import { decodeJwt } from './jwt';
import {
  isOriginAllowed,
  normalizeOrigins,
  type OriginPattern,
  originOf,
  resolveRequestUrl,
} from './origins';
import { getInternals } from './session';
import type { Session } from './types';
import { abortReason, type HeadersLike, redactUrl, waitFor, warnOnce } from './utils';

declare const process: { env: { NODE_ENV?: string } };

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

/** What the adapter saw: a 401 response, or (with `interceptNetworkError`, status 0) a network error. */
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
  'A network error with an expired token: the API likely sends its 401 without CORS headers; add them to 401 responses.';

/**
 * The transport-independent half of an adapter: the token for each send, the 401 decision, the queue.
 * `@reauth/axios` is built on it; use it to write an adapter for another client.
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
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0))
    throw misuse(where, '`maxRetries` must be a whole number, 0 or more');
  if (!header || typeof header !== 'string')
    throw misuse(where, "`header` must be a header name such as 'Authorization'");
  const fallback =
    originOf(options.baseURL) ?? originOf(typeof location === 'undefined' ? undefined : location.origin);
  const origins = options.allowedOrigins
    ? normalizeOrigins(options.allowedOrigins, where)
    : fallback
      ? [fallback]
      : [];

  async function queue<T>(
    ticket: Pick<Ticket, 'method' | 'url'>,
    wait: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const { waiting } = internals;
    waiting.count += 1;
    internals.emit({ type: 'requestQueued', method: ticket.method, url: ticket.url, waiting: waiting.count });
    try {
      return await waitFor(wait(), signal);
    } finally {
      waiting.count -= 1;
    }
  }

  return {
    header,
    async authorize({ url, method, baseURL, signal, skipAuth }, attempt = 0) {
      const resolved = resolveRequestUrl(url, baseURL ?? options.baseURL);
      const base = {
        url: redactUrl(resolved?.href ?? url),
        method: (method ?? 'GET').toUpperCase(),
        attempt,
      };
      let mode: Ticket['mode'] = 'auth';
      let token: string | null = null;
      if (skipAuth) mode = 'skip';
      else if (!isOriginAllowed(resolved, origins)) {
        mode = 'foreign';
        if (process.env.NODE_ENV !== 'production') {
          warnOnce(
            `no token was sent to ${resolved?.origin ?? 'an unreadable URL'}: its origin is not in allowedOrigins.`,
          );
        }
      } else if (internals.willWait())
        token = await queue(base, () => session.getAccessToken({ signal: signal as AbortSignal }));
      else if (signal?.aborted) throw abortReason(signal);
      else token = internals.tokens()?.accessToken ?? null;
      return { ...base, mode, token, epoch: internals.epoch() };
    },

    credentials: ({ token }) => (token === null ? null : scheme ? `${scheme} ${token}` : token),

    async handleUnauthorized(ticket, { status, headers, requestHeaders, shouldRefresh, signal }) {
      const { method, url, token } = ticket;
      const handled = ticket.mode === 'auth' && shouldRefresh && ticket.attempt < maxRetries;
      const diagnosis = status
        ? diagnose401({ status, headers, requestHeaders, url, session, allowedOrigins: origins })
        : { cause: 'expired_token' as const, hint: CORS_HINT };
      internals.emit({ type: 'unauthorized', method, url, status, diagnosis, handled });
      if (!handled) return false;
      // Sent by a session that has ended since (signed out, reauth cancelled): no new prompt, no replay.
      if (ticket.epoch !== internals.epoch()) throw internals.endError();
      const current = internals.tokens()?.accessToken ?? null;
      if (token === null && current === null) {
        // Signed out and refused: the login-modal trigger, when there is a prompt.
        if (!internals.hasReauthHandler()) return false;
        await queue(ticket, () => internals.requireReauth('unauthenticated'), signal);
      } else if (token === current) {
        internals.markRefused(token as string);
        await queue(ticket, () => session.refresh(), signal);
      }
      // else: refreshed meanwhile (a late 401) — replay at once with the current token, no second refresh.
      const lateUnauthorized = token !== null && token !== current;
      internals.emit({ type: 'requestReplayed', method, url, attempt: ticket.attempt + 1, lateUnauthorized });
      return true;
    },

    isExpiredByClaims: ({ token }) =>
      ((decodeJwt(token ?? '')?.exp as number) ?? Number.POSITIVE_INFINITY) * 1000 <= internals.now(),
  };
}
