import { challengeError, diagnose401 } from './diagnose';
import { isAuthError, misuse } from './errors';
import { getInternals } from './internals';
import { decodeJwt } from './jwt';
import {
  createOriginCheck,
  isAbsolute,
  normalizeOrigins,
  type OriginPattern,
  originOf,
  resolveRequestUrl,
} from './origins';
import { RequestTicket, type Ticket } from './ticket';
import type { Session } from './types';
import { getHeader, type HeadersLike, waitFor, warnOnce } from './utils';

export type { Ticket } from './ticket';

export interface AuthorizerOptions {
  /** Origins that may receive the token. Default: the origin of `baseURL`, else `location.origin`. */
  allowedOrigins?: readonly OriginPattern[] | undefined;
  /** The transport's base URL, for relative URLs and the default `allowedOrigins`. */
  baseURL?: string | undefined;
  /** Replays after a 401, per request. Default 1. */
  maxRetries?: number | undefined;
  /** Default `'Authorization'`. */
  header?: string | undefined;
  /** Default `'Bearer'` (the session's `dpop` signer's scheme, `'DPoP'`, with one); `''` sends the bare token. */
  scheme?: string | undefined;
}

/** A request as the authorizer needs to know it. */
export interface AuthRequest {
  /** Absolute, or relative to `baseURL` (else to the page). */
  url?: string | undefined;
  method?: string | undefined;
  baseURL?: string | undefined;
  /** Aborting it rejects the request at once while it waits. */
  signal?: AbortSignal | undefined;
  /** Neither given a token nor intercepted (login, refresh, public calls). */
  skipAuth?: boolean | undefined;
}

/** What the adapter saw: a 401 response, or (with `interceptNetworkError`, status 0) a network error. */
export interface UnauthorizedExchange {
  status: number;
  headers?: HeadersLike;
  requestHeaders?: HeadersLike;
  /** The adapter's `shouldRefresh` verdict. */
  shouldRefresh: boolean;
  /** The body as it was sent: a stream can't be sent again, so its 401 is handed back. */
  body?: unknown;
  /** Whether the body was a stream, when the adapter knows better than a guess from `body`. */
  isStream?: boolean | undefined;
}

/** A header name or auth scheme: an HTTP token (RFC 9110), nothing a header would reject or quote. */
const isHttpToken = (value: unknown) => typeof value === 'string' && /^[\w!#$%&'*+.^`|~-]+$/.test(value);

/**
 * What a step-up challenge (RFC 9470: `error="insufficient_user_authentication"`) asks for: its `acr_values`,
 * split, and its `max_age` in seconds.
 */
function readStepUp(headers: HeadersLike | undefined): { acrValues: string[]; maxAge: number | undefined } {
  const challenge = getHeader(headers, 'www-authenticate') ?? '';
  const found = /(?:^|[\s,])acr_values\s*=\s*(?:"([^"]*)"|([^\s,"]+))/i.exec(challenge);
  const acr = found?.[1] ?? found?.[2] ?? '';
  const age = /(?:^|[\s,])max_age\s*=\s*"?(\d+)/i.exec(challenge)?.[1];
  return { acrValues: acr.split(' ').filter(Boolean), maxAge: age === undefined ? undefined : Number(age) };
}

/** A stream (web `ReadableStream` or Node `Readable`) is read as it is sent: it can't be replayed. */
const isStreamBody = (body: unknown) =>
  typeof (body as { getReader?: unknown } | null)?.getReader === 'function' ||
  typeof (body as { pipe?: unknown } | null)?.pipe === 'function';

export interface Authorizer {
  /** The header name the token goes in. */
  readonly header: string;
  /** False with a cookie session: no token goes out, and the adapter neither sets nor removes the header. */
  readonly setsHeader: boolean;
  /**
   * Whether `authorize` may not be synchronous for this request now: a refresh or re-authentication runs or is
   * due, or the session signs each send (`dpop`).
   */
  mustWait(request: AuthRequest): boolean;
  /**
   * Decides the token for one send, waiting while a refresh or re-authentication runs. Synchronous when
   * nothing needs waiting for (the hot path), a promise otherwise. With `canWait: false` (a synchronous
   * interceptor: the clock moved into the leeway since `mustWait` said no) it never waits: it hands out the
   * current token, which is still valid, and a 401 is handled as any other.
   */
  authorize(request: AuthRequest, attempt?: number, canWait?: boolean): Ticket | Promise<Ticket>;
  /**
   * Shows the headers of an answer to a signed send (`ticket.proof`) to the session's signer, before its 401 is
   * decided: a DPoP server's new nonce.
   */
  observe(ticket: Ticket, headers: HeadersLike): void;
  /** The header value for a ticket, or null when it carries no token. */
  credentials(ticket: Ticket): string | null;
  /**
   * After a 401: waits for the refresh (or re-authentication) it calls for, then authorizes the replay.
   * @returns the ticket to replay the request with (`attempt + 1`), or null to hand the 401 back
   * @throws AuthError when the session can't be renewed; the signal's reason on abort
   */
  handleUnauthorized(ticket: Ticket, exchange: UnauthorizedExchange): Promise<Ticket | null>;
  /** Whether the ticket's token is expired by its own claims (a network error hiding a 401 behind CORS). */
  isExpiredByClaims(ticket: Ticket): boolean;
}

/**
 * The transport-independent half of an adapter: the token for each send, the 401 decision, the queue.
 * `@reauth/axios` is built on it; use it to write an adapter for another client. Each send carries
 * `credentials(ticket)` in `header` and, when the session signs its sends (`dpop`), the headers of `ticket.proof`;
 * show the answers of a signed send to `observe` (or build on `createAuthLoop`, which does both).
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
  // An adapter's own misuse error names it: `[reauth] createAuthFetch: expected a session …`.
  if (typeof session?.getAccessToken !== 'function')
    throw misuse(where, 'expected a session from createSession()');
  const internals = getInternals(session);
  const isCookieSession = internals.cookies === 'session';
  // None with a cookie session, which sends no token to sign (createSession refuses the pair).
  const { signer } = internals;
  const { maxRetries = 1, header = 'Authorization', scheme = signer?.scheme ?? 'Bearer' } = options;
  if (!(Number.isInteger(maxRetries) && maxRetries >= 0))
    throw misuse(where, '`maxRetries` must be a whole number, 0 or more');
  // Both go into a header: a space or a line break there fails the send with an error that quotes the value —
  // the token with it.
  if (!isHttpToken(header)) throw misuse(where, "`header` must be a header name such as 'Authorization'");
  if (scheme !== '' && !isHttpToken(scheme)) {
    throw misuse(
      where,
      `\`scheme\` ${process.env.NODE_ENV !== 'production' ? "must be an auth scheme such as 'Bearer', or '' for the bare token" : 'is invalid'}`,
    );
  }
  // A relative baseURL says nothing of the API's origin (resolved against a <base href> it could be a CDN's).
  const fallback =
    (isAbsolute(options.baseURL) ? originOf(options.baseURL) : null) ??
    originOf(typeof location === 'undefined' ? undefined : location.origin);
  const origins = options.allowedOrigins
    ? normalizeOrigins(options.allowedOrigins, where)
    : fallback
      ? [fallback]
      : [];

  const withBase = (request: AuthRequest): AuthRequest =>
    request.baseURL === undefined && options.baseURL !== undefined
      ? { ...request, baseURL: options.baseURL }
      : request;

  const isOriginOk = createOriginCheck(origins);
  let lastToken: string | null = null;
  let lastValue: string | null = null;
  let hasWarnedStream = false;
  function isAllowed({ url = '', baseURL }: AuthRequest): boolean {
    if (isOriginOk(url, baseURL)) return true;
    if (process.env.NODE_ENV !== 'production') {
      const origin = resolveRequestUrl(url, baseURL)?.origin ?? 'an unreadable URL';
      warnOnce(`no token was sent to ${origin}: its origin is not in allowedOrigins.`);
    }
    return false;
  }

  async function queue<T>(ticket: Ticket, wait: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { waiting } = internals;
    waiting.count += 1;
    internals.emit({ type: 'requestQueued', method: ticket.method, url: ticket.url, waiting: waiting.count });
    try {
      return await waitFor(wait(), signal);
    } finally {
      waiting.count -= 1;
    }
  }

  const secrets = () => {
    const tokens = internals.tokens();
    return [tokens?.accessToken, tokens?.refreshToken];
  };

  const hrefOf = ({ url = '', baseURL }: AuthRequest) => resolveRequestUrl(url, baseURL)?.href ?? url;

  // With a signer (DPoP), a send that carries the token carries a proof made for it alone: made here, for every
  // send and every replay.
  function signed(ticket: RequestTicket, canWait: boolean): Ticket | Promise<Ticket> {
    const { token, request, attempt, free, epoch } = ticket;
    if (!signer || ticket.mode !== 'auth' || token === null) return ticket;
    const proof = Promise.resolve({ method: ticket.method, url: hrefOf(request), accessToken: token })
      .then((send) => signer.sign(send))
      .catch((error: unknown) => {
        throw new Error(`[reauth] dpop could not sign ${ticket.method} ${ticket.url}`, { cause: error });
      });
    // A sign-out or an abort settles the request at once, whatever the signer does meanwhile.
    let off = () => {};
    const ended = new Promise<never>((_, reject) => {
      off = session.on('signedOut', () => reject(internals.endError(epoch)));
    });
    return waitFor(Promise.race([proof, ended]), request.signal)
      .finally(off)
      .then((made) =>
        // Refreshed while signing: the send takes the token of now, signed anew.
        token === (internals.tokens()?.accessToken ?? null) && epoch === internals.epoch()
          ? new RequestTicket('auth', token, epoch, attempt, request, secrets, made, free)
          : authorize(request, attempt, canWait, free),
      );
  }

  /** A ticket of the session's epoch now, unsigned. */
  const ticketOf = (
    mode: Ticket['mode'],
    token: string | null,
    attempt: number,
    request: AuthRequest,
    free: number,
  ) => new RequestTicket(mode, token, internals.epoch(), attempt, request, secrets, undefined, free);

  function authorize(given: AuthRequest, attempt = 0, canWait = true, free = 0): Ticket | Promise<Ticket> {
    const request = withBase(given);
    const mode = request.skipAuth ? 'skip' : isAllowed(request) ? 'auth' : 'foreign';
    if (mode === 'auth' && canWait && internals.willWait()) {
      const wait = () => session.getAccessToken({ signal: request.signal as AbortSignal });
      // A cookie session's ticket carries the generation it is sent in (its marker), though no token goes out.
      return queue(ticketOf(mode, null, attempt, request, free), wait).then((token) =>
        signed(
          ticketOf(
            mode,
            isCookieSession ? (internals.tokens()?.accessToken ?? null) : token,
            attempt,
            request,
            free,
          ),
          canWait,
        ),
      );
    }
    // An aborted signal needs nothing from us here: the transport cancels before sending.
    const token = mode === 'auth' ? (internals.tokens()?.accessToken ?? null) : null;
    const ticket = ticketOf(mode, token, attempt, request, free);
    return signer ? signed(ticket, canWait) : ticket;
  }

  return {
    header,
    setsHeader: !isCookieSession,
    // Cheap, asked for every request: a foreign request that is said to wait simply doesn't, in authorize.
    mustWait: (request) => !request.skipAuth && (!!signer || internals.willWait()),

    authorize,

    observe(ticket, headers) {
      if (!signer || !ticket.proof || !headers) return;
      try {
        signer.observe(hrefOf((ticket as RequestTicket).request), headers);
      } catch (error) {
        // The answer still goes to the caller; a signer that can't read it only misses a nonce.
        console.error('[reauth] dpop: observe threw', error);
      }
    },

    credentials({ token }) {
      // A cookie session sends no header: the browser sends the cookie (the ticket's token marks its generation).
      if (isCookieSession) return null;
      // One string per token, not one per request: tokens are long and requests many.
      if (token !== lastToken) {
        lastToken = token;
        lastValue = token === null || !scheme ? token : `${scheme} ${token}`;
      }
      return lastValue;
    },

    async handleUnauthorized(ticket, exchange) {
      const { status, shouldRefresh, headers } = exchange;
      // `??`, not a default: an adapter in plain JS may say null for "I don't know".
      const isStream = exchange.isStream ?? isStreamBody(exchange.body);
      const { method, url, token, proof, request, free } = ticket as RequestTicket;
      const current = internals.tokens()?.accessToken ?? null;
      // Signed out with a refresh cookie that may still be good: one silent refresh before any prompt.
      const isSilent = token === null && current === null && internals.canRefreshSignedOut();
      // Sent and refused while signed out, with no prompt to open: the plain 401 goes back, unhandled.
      const isPlain = token === null && current === null && !internals.hasReauthHandler() && !isSilent;
      // The challenge of the scheme the token went with decides, where the server offers several.
      const challenge = status === 401 ? challengeError(headers, proof ? scheme : undefined) : undefined;
      // Step-up (RFC 9470): not an expiry; a prompt for a stronger sign-in, whatever shouldRefresh says.
      const stepUp = challenge === 'insufficient_user_authentication' ? readStepUp(headers) : null;
      // DPoP (RFC 9449): a refused proof is not an expired token, whatever shouldRefresh says. A nonce asked for
      // (the signer has seen it) is sent once more, signed anew: no refresh, not counted against maxRetries.
      const isProofRefused = challenge === 'invalid_dpop_proof' || challenge === 'use_dpop_nonce';
      const isNonceRetry =
        challenge === 'use_dpop_nonce' && !!proof && !free && !!getHeader(headers, 'dpop-nonce');
      // A step-up does not count against maxRetries (a refresh before it may have spent them): one more send.
      const isWithinRetries = ticket.attempt - free < maxRetries + (stepUp ? 1 : 0);
      const isWanted =
        ticket.mode === 'auth' &&
        !isPlain &&
        (isNonceRetry || (((shouldRefresh && !isProofRefused) || !!stepUp) && isWithinRetries));
      const handled = isWanted && !isStream;
      // Only for a 401 seen as one: a network error (status 0) with a stream body is handed back as before, unsaid.
      if (process.env.NODE_ENV !== 'production' && isWanted && isStream && status && !hasWarnedStream) {
        // Once per adapter: each may send streams, and each would replay what it could.
        hasWarnedStream = true;
        console.warn(
          '[reauth] a 401 on a request with a stream body was handed back, not sent again: a stream is read as it is sent and cannot be sent again. To have it replayed, send a Blob, ArrayBuffer, FormData or string body instead (in Node, a Request built from another Request counts as a stream: pass the original).',
        );
      }
      const diagnosis = diagnose401({
        ...exchange,
        url,
        session,
        allowedOrigins: origins,
        header,
        scheme: proof ? scheme : undefined,
      });
      internals.emit({ type: 'unauthorized', method, url, status, diagnosis, handled });
      // A skipAuth request's 401 (a wrong password at login) is an answer for the app, not a problem to explain.
      // A nonce asked for is routine (servers rotate them): nothing to explain.
      if (process.env.NODE_ENV !== 'production' && ticket.mode !== 'skip' && !(isNonceRetry && handled)) {
        // Once per cause, not per 401: a burst of expired requests says it once. The URL is redacted.
        const { cause, hint } = diagnosis;
        warnOnce(`${status || 'network error'} on ${method} ${url}: ${cause} — ${hint}`, `${cause} ${hint}`);
      }
      if (!handled) return null;
      // Sent by a session that has ended since (signed out, reauth cancelled): no new prompt, no replay.
      const ended = () => internals.endError(ticket.epoch);
      if (ticket.epoch !== internals.epoch()) throw ended();
      // Sent with a token the session has replaced since (a refresh, or a step-up answered meanwhile).
      const isLate = token !== null && token !== current;
      if (isNonceRetry) {
        // Sent again at once: the signer holds the nonce now.
      } else if (stepUp) {
        // A late step-up 401 tries the current token first: a step-up answered meanwhile may be what it asks for.
        if (!isLate) {
          await queue(ticket, () => internals.requireStepUp(stepUp.acrValues, stepUp.maxAge), request.signal);
        }
      } else if (isSilent) {
        try {
          await queue(ticket, () => session.refresh(), request.signal);
        } catch (error) {
          // The cookie refused, and no prompt to open: the plain 401 goes back, as for any visitor (a sign-out
          // meanwhile ends the session's epoch instead, and rejects as any other).
          const isRefused =
            isAuthError(error) && error.code === 'SIGNED_OUT' && ticket.epoch === internals.epoch();
          if (isRefused && !internals.tokens() && !internals.hasReauthHandler()) return null;
          throw error;
        }
      } else if (token === null && current === null) {
        // Signed out and refused, with a prompt registered: the login-modal trigger.
        await queue(ticket, () => internals.requireReauth('unauthenticated'), request.signal);
      } else if (token === current) {
        internals.markRefused(token as string);
        await queue(ticket, () => session.refresh(), request.signal);
      }
      // else: refreshed meanwhile (a late 401) — replay at once with the current token, no second refresh.
      const lateUnauthorized = !isNonceRetry && isLate;
      internals.emit({ type: 'requestReplayed', method, url, attempt: ticket.attempt + 1, lateUnauthorized });
      // The token is taken last, at send time: a sign-out up to here (a listener of the event included) wins.
      // A nonce retry, and a late step-up's try of the current token, are not counted against maxRetries.
      const isFree = isNonceRetry || (!!stepUp && isLate);
      const next = await authorize(request, ticket.attempt + 1, true, free + (isFree ? 1 : 0));
      if (next.epoch !== ticket.epoch) throw ended();
      return next;
    },

    isExpiredByClaims: ({ token }) =>
      ((decodeJwt(token ?? '')?.exp as number) ?? Infinity) * 1000 <= internals.now(),
  };
}
