import type { CookieSessionInput } from '@reauth/core';
import type { Scheduler } from 'fast-check';

/** How the model answers the next refresh: 503, a network error, or a refusal (400 `invalid_grant`). */
export type RefreshFailure = 'unavailable' | 'network' | 'refused';

/**
 * Where the client keeps its credentials (DESIGN.md, "Session models"): `tokens`, both tokens in JS (the
 * default); `refresh`, the access token in JS and the refresh token in an httpOnly cookie (`cookies: 'refresh'`);
 * `session`, a session cookie and no token in JS at all (`cookies: 'session'`).
 */
export type SessionModel = 'tokens' | 'refresh' | 'session';

/** The session model of a run, and what varies within it. */
export interface ModelSetup {
  sessionModel: SessionModel;
  /**
   * `session` only: whether `createSession` gets a sliding-session `refresh` (the refresh endpoint renews the
   * session cookie); without one, a 401 prompts. The other models always refresh.
   */
  isSliding: boolean;
}

/** The default model: both tokens in JS. */
export const TOKENS_SETUP: ModelSetup = { sessionModel: 'tokens', isSliding: true };

/** The API's origin: the refresh endpoint and the protected routes; the cookie jar's cookies are for it only. */
export const API_ORIGIN = 'https://api.test';
/** Another origin, not in `allowedOrigins`: it answers every request 401, and must never see a credential. */
export const FOREIGN_ORIGIN = 'https://elsewhere.test';

/** Lifetime of an access token (`expiresIn` in the login and refresh answers). */
export const ACCESS_TTL_MS = 80_000;
/** The session's default leeway for this lifetime: min(30 s, half the lifetime). */
export const DEFAULT_LEEWAY_MS = 30_000;

/** One call the model received (one send of a logical request). */
export interface ModelSend {
  seq: number;
  reqId: string;
  url: string;
  /**
   * The credential the send presented: the access token in `Authorization`, or for a refresh the refresh token
   * in the body (`tokens`) or the refresh cookie (`refresh`); the session cookie (`session`).
   */
  token: string | null;
  data: unknown;
  origin: string;
  /** The token in `Authorization` (without its scheme), whatever the model: none may ever go out in `session`. */
  bearer: string | null;
  /** The cookie the jar attached: the refresh cookie to the refresh endpoint, the session cookie to the API. */
  cookie: string | null;
  /** Whether the client was signed out when it sent this (undefined when no client is watched). */
  sentSignedOut: boolean | undefined;
}

/** One answer the model gave to an API request (refresh answers are not listed). */
export interface ModelAnswer {
  id: number;
  seq: number;
  reqId: string;
  /** 0 for the request's first send, 1 for its first replay. */
  attempt: number;
  status: number;
  /** The credential the send presented (see {@link ModelSend.token}). */
  token: string | null;
  origin: string;
}

export interface IssuedToken {
  family: number;
  issuedAt: number;
}

export type IssuedTokens = { accessToken: string; refreshToken: string; expiresIn: number };

/**
 * What a login answers to JS, which is what `signIn` and a prompt take: both tokens (`tokens`); the access token
 * alone, the refresh cookie set in the jar (`refresh`); the user, the session cookie set (`session`).
 */
export type LoginAnswer =
  | IssuedTokens
  | { accessToken: string; expiresIn: number }
  | (CookieSessionInput & { user: { sub: string } });

/** One send as a transport adapter hands it over: what the model needs, read from axios config or a Request. */
export interface ModelRequest {
  /** The `x-req-id` header: which logical request this send belongs to. */
  reqId: string;
  /** The path: `/auth/refresh`, or any other (a protected API route). */
  url: string;
  /** Where it goes: {@link API_ORIGIN} (the default), or {@link FOREIGN_ORIGIN}. */
  origin?: string;
  /** The token in `Authorization` without its scheme. */
  bearer: string | null;
  /** For a DPoP check ({@link withDpop}): the method, the absolute URL, `Authorization` and `DPoP` as sent. */
  sent?: { method: string; href: string; authorization: string | null; proof: string | null };
  /** The body as sent, when the transport has it at hand (axios: `config.data`). */
  body?: unknown;
  /** Reads the body once the send is under way (fetch: from the Request's stream); its text or null. */
  readBody?: () => Promise<string | null>;
  signal: AbortSignal | undefined;
}

/** What the model answers a send with; the transport adapter turns it into its own response or error. */
export type ModelReply = { status: number; data: unknown; headers?: Record<string, string> } | 'network';

export interface AuthModel {
  /**
   * Takes one send; resolves with the answer once the scheduler lets it land, or rejects with `abortError()`
   * as soon as the send's signal aborts (an aborted send is never processed).
   */
  serve(request: ModelRequest, abortError: () => unknown): Promise<ModelReply>;
  setup: ModelSetup;
  /** A new token family, as a login answers it (in the cookie models, its cookie goes into the jar). */
  login(): LoginAnswer;
  /** Cookie models: the app's logout endpoint: the jar's cookie family revoked, the cookie cleared. */
  logout(): void;
  /** Cookie models: the browser forgets the cookie (it expired, or the user cleared it). */
  clearCookies(): void;
  /** Lets the model note, for each send, whether the client was signed out then. */
  watchClient(isSignedOut: () => boolean): void;
  /** @returns whether any access token was valid (and now is not) */
  expireAccessTokens(): boolean;
  /**
   * Whether a live access token entered the session's refresh leeway between two clock readings (`session`: a
   * live session cookie expired, the client knowing no expiry).
   */
  enteredLeeway(from: number, to: number): boolean;
  failNextRefresh(failure: RefreshFailure): void;
  /** The next refresh answer needs two more scheduler steps to land. */
  slowNextRefresh(): void;
  /** A position in the model's timeline, for ordering test actions against sends. */
  mark(): number;
  /** Every token string ever issued, with its family and when. */
  issued: Map<string, IssuedToken>;
  sends: ModelSend[];
  answers: ModelAnswer[];
  stats: {
    /** Refresh tokens presented while healthy (not failed by an injected transient failure). */
    refreshPresented: string[];
    reuseDetected: number;
    /** Refreshes answered 503 or with a network error. */
    transientFailures: number;
    /** Refreshes answered 400 `invalid_grant`. */
    refusals: number;
    /** Refresh requests the client aborted before the model answered them. */
    refreshAborts: number;
  };
}

function refreshTokenIn(data: unknown): string | null {
  const { refreshToken } = JSON.parse(String(data)) as { refreshToken?: unknown };
  return typeof refreshToken === 'string' ? refreshToken : null;
}

/**
 * A deterministic auth API, whatever the transport: access tokens valid until expired (by the clock or by
 * `expireAccessTokens`), rotating refresh tokens with reuse detection, and answers that land when the
 * fast-check scheduler releases them. A request aborted before its answer lands is never processed, so an
 * abandoned refresh never consumes its refresh token.
 *
 * In the cookie models it is the browser's cookie jar too, which the client cannot read: one cookie, attached at
 * send time and written (rotated) when an answer lands. `refresh`: a rotating refresh cookie, sent to the refresh
 * endpoint only. `session`: a session cookie, sent with every request to the API and checked by its routes; the
 * refresh endpoint (a sliding session) renews it, rotating it: the old id is dead from then on, and presenting a
 * rotated one is reuse, as in the other models.
 */
export function createAuthModel(s: Scheduler, setup: ModelSetup = TOKENS_SETUP): AuthModel {
  const { sessionModel } = setup;
  let seq = 0;
  let counter = 0;
  let families = 0;
  let slowHops = 0;
  let isSignedOut: (() => boolean) | null = null;
  /** The one cookie of the cookie models (null: none, or the tokens model). */
  let jar: string | null = null;
  const issued = new Map<string, IssuedToken>();
  /** Access tokens (`session`: session cookies) not expired server-side, with their expiry by the clock. */
  const validAccess = new Map<string, number>();
  const refreshState = new Map<string, 'fresh' | 'rotated' | 'revoked'>();
  const failures: RefreshFailure[] = [];
  const sends: ModelSend[] = [];
  const answers: ModelAnswer[] = [];
  const stats = {
    refreshPresented: [] as string[],
    reuseDetected: 0,
    transientFailures: 0,
    refusals: 0,
    refreshAborts: 0,
  };
  const isValid = (token: string | null) => token !== null && (validAccess.get(token) ?? 0) > Date.now();

  /** New credentials of `family`; in the cookie models the new cookie goes into the jar (a Set-Cookie). */
  function issue(family: number): LoginAnswer {
    counter += 1;
    seq += 1;
    const at = { family, issuedAt: seq };
    if (sessionModel === 'session') {
      const sessionId = `sid_${counter}_secret`;
      issued.set(sessionId, at);
      validAccess.set(sessionId, Date.now() + ACCESS_TTL_MS);
      refreshState.set(sessionId, 'fresh');
      jar = sessionId;
      return { user: { sub: 'alice' } };
    }
    const accessToken = `at_${counter}_secret`;
    const refreshToken = `${sessionModel === 'refresh' ? 'rc' : 'rt'}_${counter}_secret`;
    issued.set(accessToken, at);
    issued.set(refreshToken, at);
    validAccess.set(accessToken, Date.now() + ACCESS_TTL_MS);
    refreshState.set(refreshToken, 'fresh');
    const expiresIn = ACCESS_TTL_MS / 1000;
    if (sessionModel === 'tokens') return { accessToken, refreshToken, expiresIn };
    jar = refreshToken;
    return { accessToken, expiresIn };
  }

  function revokeFamily(family: number): void {
    for (const [token, info] of issued) {
      if (info.family !== family) continue;
      validAccess.delete(token);
      if (refreshState.has(token)) refreshState.set(token, 'revoked');
    }
  }

  /** @param presented the refresh token in the body (`tokens`), else the cookie the jar attached */
  function answerRefresh(presented: string | null): ModelReply {
    const failure = failures.shift();
    if (failure === 'unavailable' || failure === 'network') {
      stats.transientFailures += 1;
      return failure === 'network' ? 'network' : { status: 503, data: { error: 'unavailable' } };
    }
    // A cookie the jar does not hold is not presented at all (the tokens model keeps its own record as it was).
    if (sessionModel === 'tokens' || presented !== null) stats.refreshPresented.push(String(presented));
    const state = presented === null ? undefined : refreshState.get(presented);
    if (failure === 'refused' || state !== 'fresh') {
      if (state === 'rotated') {
        stats.reuseDetected += 1;
        revokeFamily(issued.get(presented as string)?.family ?? -1);
      }
      stats.refusals += 1;
      return { status: 400, data: { error: 'invalid_grant' } };
    }
    refreshState.set(presented as string, 'rotated');
    // A sliding session moves to a new id: the old one is dead (session fixation).
    if (sessionModel === 'session') validAccess.delete(presented as string);
    const fresh = issue(issued.get(presented as string)?.family ?? -1);
    return {
      status: 200,
      data: { ...fresh, ...(sessionModel === 'session' ? {} : { tokenType: 'Bearer' }) },
    };
  }

  function answerApi(send: ModelSend, attempt: number): ModelReply {
    const id = answers.length + 1;
    const isForeign = send.origin !== API_ORIGIN;
    // The foreign origin wants credentials of its own, which nobody here has.
    const status = !isForeign && isValid(send.token) ? 200 : 401;
    seq += 1;
    answers.push({ id, seq, reqId: send.reqId, attempt, status, token: send.token, origin: send.origin });
    if (status === 401) {
      const headers = {
        'www-authenticate': isForeign ? 'Bearer realm="elsewhere"' : 'Bearer error="invalid_token"',
      };
      return { status, data: { answerId: id, error: 'invalid_token' }, headers };
    }
    return { status, data: { answerId: id, reqId: send.reqId, body: send.data } };
  }

  /** The cookie the browser attaches to a send: only to the API, the refresh cookie only to the refresh path. */
  function cookieFor(origin: string, isRefresh: boolean): string | null {
    if (origin !== API_ORIGIN || sessionModel === 'tokens') return null;
    return sessionModel === 'session' || isRefresh ? jar : null;
  }

  function serve(request: ModelRequest, abortError: () => unknown): Promise<ModelReply> {
    const { reqId, url, bearer, signal, origin = API_ORIGIN } = request;
    const isRefresh = origin === API_ORIGIN && url === '/auth/refresh';
    const attempt = sends.filter((send) => send.reqId === reqId).length;
    const cookie = cookieFor(origin, isRefresh);
    const token =
      sessionModel === 'session' && origin === API_ORIGIN
        ? cookie
        : isRefresh
          ? sessionModel === 'tokens'
            ? null // read from the body below
            : cookie
          : bearer;
    seq += 1;
    const sentSignedOut = isSignedOut?.();
    const send: ModelSend = { seq, reqId, url, token, data: null, origin, bearer, cookie, sentSignedOut };
    sends.push(send);
    const record = (data: unknown) => {
      send.data = data;
      if (isRefresh && sessionModel === 'tokens') send.token = refreshTokenIn(data);
    };
    if (!request.readBody) record(request.body);
    const hops = isRefresh ? 1 + slowHops : 1;
    if (isRefresh) slowHops = 0;
    return new Promise<ModelReply>((resolve, reject) => {
      const onAbort = () => {
        if (isRefresh) stats.refreshAborts += 1;
        reject(abortError());
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      let landed: Promise<unknown> = request.readBody ? request.readBody().then(record) : Promise.resolve();
      for (let hop = 1; hop <= hops; hop += 1) {
        landed = landed.then(() => s.schedule(Promise.resolve(), `answer ${url} ${reqId} (${hop}/${hops})`));
      }
      void landed.then(() => {
        if (signal?.aborted) return;
        signal?.removeEventListener('abort', onAbort);
        resolve(isRefresh ? answerRefresh(send.token) : answerApi(send, attempt));
      });
    });
  }

  return {
    serve,
    setup,
    login: () => {
      families += 1;
      return issue(families);
    },
    logout() {
      const family = jar === null ? undefined : issued.get(jar)?.family;
      if (family !== undefined) revokeFamily(family);
      jar = null;
      seq += 1;
    },
    clearCookies() {
      jar = null;
    },
    watchClient(probe) {
      isSignedOut = probe;
    },
    expireAccessTokens() {
      const hadValid = [...validAccess.keys()].some(isValid);
      validAccess.clear();
      seq += 1;
      return hadValid;
    },
    enteredLeeway: (from, to) =>
      [...validAccess.values()].some((expiresAt) => {
        const due = expiresAt - (sessionModel === 'session' ? 0 : DEFAULT_LEEWAY_MS);
        return due > from && due <= to;
      }),
    failNextRefresh: (failure) => void failures.push(failure),
    slowNextRefresh: () => {
      slowHops = 2;
    },
    mark: () => {
      seq += 1;
      return seq;
    },
    issued,
    sends,
    answers,
    stats,
  };
}
