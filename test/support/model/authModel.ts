import type { Scheduler } from 'fast-check';

/** How the model answers the next refresh: 503, a network error, or a refusal (400 `invalid_grant`). */
export type RefreshFailure = 'unavailable' | 'network' | 'refused';

/** Lifetime of an access token (`expiresIn` in the login and refresh answers). */
export const ACCESS_TTL_MS = 80_000;
/** The session's default leeway for this lifetime: min(30 s, half the lifetime). */
export const DEFAULT_LEEWAY_MS = 30_000;

/** One call the model received (one send of a logical request). */
export interface ModelSend {
  seq: number;
  reqId: string;
  url: string;
  /** The access token in `Authorization`, or for a refresh the refresh token in the body. */
  token: string | null;
  data: unknown;
}

/** One answer the model gave to an API request (refresh answers are not listed). */
export interface ModelAnswer {
  id: number;
  seq: number;
  reqId: string;
  /** 0 for the request's first send, 1 for its first replay. */
  attempt: number;
  status: number;
  token: string | null;
}

export interface IssuedToken {
  family: number;
  issuedAt: number;
}

export type IssuedTokens = { accessToken: string; refreshToken: string; expiresIn: number };

/** One send as a transport adapter hands it over: what the model needs, read from axios config or a Request. */
export interface ModelRequest {
  /** The `x-req-id` header: which logical request this send belongs to. */
  reqId: string;
  /** The path: `/auth/refresh`, or any other (a protected API route). */
  url: string;
  /** The token in `Authorization` without its scheme. */
  bearer: string | null;
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
  /** A new token family, as a login answers it. */
  login(): IssuedTokens;
  /** @returns whether any access token was valid (and now is not) */
  expireAccessTokens(): boolean;
  /** Whether a live access token entered the session's refresh leeway between two clock readings. */
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
 */
export function createAuthModel(s: Scheduler): AuthModel {
  let seq = 0;
  let counter = 0;
  let families = 0;
  let slowHops = 0;
  const issued = new Map<string, IssuedToken>();
  /** Access tokens not expired server-side, with their expiry by the clock. */
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

  function issue(family: number): IssuedTokens {
    counter += 1;
    seq += 1;
    const accessToken = `at_${counter}_secret`;
    const refreshToken = `rt_${counter}_secret`;
    issued.set(accessToken, { family, issuedAt: seq });
    issued.set(refreshToken, { family, issuedAt: seq });
    validAccess.set(accessToken, Date.now() + ACCESS_TTL_MS);
    refreshState.set(refreshToken, 'fresh');
    return { accessToken, refreshToken, expiresIn: ACCESS_TTL_MS / 1000 };
  }

  function revokeFamily(family: number): void {
    for (const [token, info] of issued) {
      if (info.family !== family) continue;
      validAccess.delete(token);
      if (refreshState.has(token)) refreshState.set(token, 'revoked');
    }
  }

  function answerRefresh(data: unknown): ModelReply {
    const failure = failures.shift();
    if (failure === 'unavailable' || failure === 'network') {
      stats.transientFailures += 1;
      return failure === 'network' ? 'network' : { status: 503, data: { error: 'unavailable' } };
    }
    const presented = String(refreshTokenIn(data));
    stats.refreshPresented.push(presented);
    const state = refreshState.get(presented);
    if (failure === 'refused' || state !== 'fresh') {
      if (state === 'rotated') {
        stats.reuseDetected += 1;
        revokeFamily(issued.get(presented)?.family ?? -1);
      }
      stats.refusals += 1;
      return { status: 400, data: { error: 'invalid_grant' } };
    }
    refreshState.set(presented, 'rotated');
    return { status: 200, data: { ...issue(issued.get(presented)?.family ?? -1), tokenType: 'Bearer' } };
  }

  function answerApi(reqId: string, attempt: number, token: string | null, data: unknown): ModelReply {
    const id = answers.length + 1;
    const status = isValid(token) ? 200 : 401;
    seq += 1;
    answers.push({ id, seq, reqId, attempt, status, token });
    if (status === 401) {
      const headers = { 'www-authenticate': 'Bearer error="invalid_token"' };
      return { status, data: { answerId: id, error: 'invalid_token' }, headers };
    }
    return { status, data: { answerId: id, reqId, body: data } };
  }

  function serve(request: ModelRequest, abortError: () => unknown): Promise<ModelReply> {
    const { reqId, url, bearer, signal } = request;
    const isRefresh = url === '/auth/refresh';
    const attempt = sends.filter((send) => send.reqId === reqId).length;
    seq += 1;
    const send: ModelSend = { seq, reqId, url, token: isRefresh ? null : bearer, data: null };
    sends.push(send);
    const record = (data: unknown) => {
      send.data = data;
      if (isRefresh) send.token = refreshTokenIn(data);
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
        resolve(isRefresh ? answerRefresh(send.data) : answerApi(reqId, attempt, bearer, send.data));
      });
    });
  }

  return {
    serve,
    login: () => {
      families += 1;
      return issue(families);
    },
    expireAccessTokens() {
      const hadValid = [...validAccess.keys()].some(isValid);
      validAccess.clear();
      seq += 1;
      return hadValid;
    },
    enteredLeeway: (from, to) =>
      [...validAccess.values()].some((expiresAt) => {
        const due = expiresAt - DEFAULT_LEEWAY_MS;
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
