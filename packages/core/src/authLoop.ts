import type { Authorizer, AuthorizerOptions, AuthRequest, UnauthorizedExchange } from './authorizer';
import { challengeError, isBeyondRefresh } from './diagnose';
import type { Ticket } from './ticket';
import type { HeadersLike } from './utils';

/**
 * The options every reauth adapter takes (`attachAuth`, `createAuthFetch`): the authorizer's, the 401 policy and
 * the CORS case. `Refused` is what the adapter's `shouldRefresh` is given (an axios error, a fetch `Response`).
 */
export interface AdapterOptions<Refused> extends Omit<AuthorizerOptions, 'baseURL'> {
  /**
   * Whether a 401 calls for a refresh. Default: yes, unless `WWW-Authenticate` says
   * `error="insufficient_scope"` (a permission problem, which a new token does not fix).
   */
  shouldRefresh?: ((refused: Refused) => boolean) | undefined;
  /**
   * Treat a network error on a request whose token is expired by its own claims as a 401: browsers hide a
   * 401 behind a network error when the API sends no CORS headers on it. Default false.
   */
  interceptNetworkError?: boolean | undefined;
}

/**
 * The default `shouldRefresh` of every adapter: any 401 but one whose `WWW-Authenticate` names what a new token
 * does not fix: a missing permission (`insufficient_scope`), a step-up (`insufficient_user_authentication`), a
 * DPoP proof or nonce (`invalid_dpop_proof`, `use_dpop_nonce`).
 *
 * @param response the refused response, as far as its status and headers (a fetch `Response`, axios's
 *   `error.response`)
 * @returns whether a refresh may fix it
 * @example
 * createAuthFetch(session, { shouldRefresh: (r) => isRefreshableResponse(r) && !r.url.endsWith('/me') });
 */
export function isRefreshableResponse(
  response: { status: number; headers?: HeadersLike } | null | undefined,
): boolean {
  return response?.status === 401 && !isBeyondRefresh(challengeError(response.headers));
}

/**
 * What a transport read of a refused send: a 401, or (`status: 0`) a network error that may hide one. The loop
 * adds the `shouldRefresh` verdict.
 */
export interface Refusal<Refused> extends Omit<UnauthorizedExchange, 'shouldRefresh'> {
  /** What the adapter's `shouldRefresh` is given for a 401: the transport's own error or response. */
  refused?: Refused;
}

/**
 * What an adapter tells the 401 loop about its transport: how to send once and how to read what came back.
 * `Call` is the adapter's own record of one request (what it needs to send it again); `Result` what a send
 * resolves with; `Refused` what the adapter's `shouldRefresh` is given.
 */
export interface AuthTransport<Call, Result, Refused = unknown> {
  /**
   * Sends `call` once, with `authorizer.credentials(ticket)` in `authorizer.header` (no token when null) and the
   * headers of `ticket.proof` (a DPoP proof made for this send alone), when there are any.
   * @returns what the caller gets when nothing is refused; rejects with the transport's own error
   */
  send(call: Call, ticket: Ticket): Promise<Result>;
  /**
   * Reads what a send settled with: a 401 it carries; a network error that may hide one (CORS) as `status: 0`
   * (followed only with `interceptNetworkError`, when the token is expired by its claims); anything else
   * undefined, and it goes back to the caller as it came.
   * @param outcome what the send resolved with, or (when `failed`) the error it rejected with
   */
  inspect(call: Call, outcome: unknown, failed: boolean): Refusal<Refused> | undefined;
  /**
   * The error to reject with when the wait after a 401 fails: the transport's own cancel error for an abort.
   * Default: the error as it is (the signal's reason, or an `AuthError`).
   */
  waitError?(call: Call, error: unknown): unknown;
  /**
   * The headers of what a send settled with, read only for a send the session's signer signed (a DPoP server's
   * nonce rides on them). Default: `outcome.headers`, or for a failure `outcome.response.headers` (a fetch
   * `Response`, an axios response or error).
   */
  headersOf?(outcome: unknown, failed: boolean): HeadersLike;
  /** A result the loop does not hand back (replayed over, or the session could not be renewed): free it. */
  discard?(result: Result): void;
  /**
   * What goes back to the caller, once the loop is done with a request (default: the outcome as it is).
   * @param replayed whether the request was sent again (axios runs its earlier response interceptors then)
   */
  finish?(call: Call, outcome: Promise<Result>, replayed: boolean): Promise<Result>;
}

type Answer = { headers?: HeadersLike; response?: { headers?: HeadersLike } } | null | undefined;
const headersOf = (outcome: unknown, failed: boolean): HeadersLike =>
  failed ? (outcome as Answer)?.response?.headers : (outcome as Answer)?.headers;

/** The 401 loop of one adapter: send, decide, wait, replay, within `maxRetries`. */
export interface AuthLoop<Call, Result> {
  /** Authorizes `request` (waiting while a refresh or re-authentication runs), sends `call` and follows it. */
  send(call: Call, request: AuthRequest): Promise<Result>;
  /**
   * Follows a send that the transport made itself with `ticket` (axios's own interceptor pipeline): each 401
   * decided, waited for and replayed until an outcome goes back to the caller.
   */
  follow(call: Call, ticket: Ticket, sent: Promise<Result>): Promise<Result>;
}

/**
 * The 401 loop, once for every transport: an adapter only says how to send and how to read the outcome.
 * Built on an {@link Authorizer}, which decides each send's token and each 401.
 *
 * @param authorizer from `createAuthorizer`
 * @param transport how to send, read a status and headers, and make the transport's own errors
 * @param options the adapter's 401 policy (`shouldRefresh`, default {@link isRefreshableResponse}) and
 *   `interceptNetworkError` (follow a network error on an expired token as a hidden 401)
 * @example
 * const loop = createAuthLoop(authorizer, { send, inspect }, { shouldRefresh });
 * const response = await loop.send(call, { url, method, signal });
 */
export function createAuthLoop<Call, Result, Refused = unknown>(
  authorizer: Authorizer,
  transport: AuthTransport<Call, Result, Refused>,
  options: Pick<AdapterOptions<Refused>, 'shouldRefresh' | 'interceptNetworkError'> = {},
): AuthLoop<Call, Result> {
  const { shouldRefresh, interceptNetworkError } = options;

  const sendOnce = (call: Call, ticket: Ticket): Promise<Result> => {
    try {
      return transport.send(call, ticket);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const follow = (call: Call, ticket: Ticket, sent: Promise<Result>): Promise<Result> =>
    sent.then(
      (result) => settle(call, ticket, result, false),
      (error: unknown) => settle(call, ticket, error, true),
    );

  // What goes back to the caller: a result, or the send's own error, or what ended the wait.
  // An outcome of a replay goes through what the first send's went through (`replayed`); an error of the wait
  // (an abort, a session that could not be renewed) is reauth's own and goes back as it is.
  const handBack = (call: Call, ticket: Ticket, outcome: unknown, failed: boolean, isWaitError = false) => {
    const { finish } = transport;
    if (!finish) return failed ? Promise.reject(outcome) : (outcome as Result);
    return finish(
      call,
      failed ? Promise.reject(outcome) : Promise.resolve(outcome as Result),
      ticket.attempt > 0 && !isWaitError,
    );
  };

  // Most outcomes carry no 401: decided here, with no promise of its own.
  function settle(call: Call, ticket: Ticket, outcome: unknown, failed: boolean): Result | Promise<Result> {
    if (ticket.proof) authorizer.observe(ticket, (transport.headersOf ?? headersOf)(outcome, failed));
    const seen = transport.inspect(call, outcome, failed);
    if (!seen || !(seen.status || (interceptNetworkError && authorizer.isExpiredByClaims(ticket)))) {
      return handBack(call, ticket, outcome, failed);
    }
    // A network error hiding a 401 is an expired token: it calls for a refresh.
    const isRefreshable =
      !seen.status || (shouldRefresh ? shouldRefresh(seen.refused as Refused) : isRefreshableResponse(seen));
    return recover(call, ticket, outcome, failed, { ...seen, shouldRefresh: isRefreshable });
  }

  async function recover(
    call: Call,
    ticket: Ticket,
    outcome: unknown,
    failed: boolean,
    exchange: UnauthorizedExchange,
  ): Promise<Result> {
    const drop = () => failed || transport.discard?.(outcome as Result);
    let next: Ticket | null;
    try {
      next = await authorizer.handleUnauthorized(ticket, exchange);
    } catch (error) {
      drop();
      return handBack(
        call,
        ticket,
        transport.waitError ? transport.waitError(call, error) : error,
        true,
        true,
      );
    }
    if (!next) return handBack(call, ticket, outcome, failed);
    drop();
    return follow(call, next, sendOnce(call, next));
  }

  return {
    send(call, request) {
      try {
        const ticket = authorizer.authorize(request);
        return ticket instanceof Promise
          ? ticket.then((ready) => follow(call, ready, sendOnce(call, ready)))
          : follow(call, ticket, sendOnce(call, ticket));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    follow,
  };
}
