import { createStore } from 'zustand/vanilla';
import { AuthError } from './errors';
import {
  createMemoryStorage,
  normalizeTokens,
  readStoredTokens,
  type TokenSet,
  writeStoredTokens,
} from './tokens';
import type {
  AuthEvent,
  ReauthHandler,
  ReauthReason,
  Session,
  SessionOptions,
  SessionState,
  TokensInput,
} from './types';
import { type Deferred, deferred, getHttpStatus, waitFor, warnOnce } from './utils';

/** What the adapters need of a session beyond its public API. */
export interface SessionInternals {
  now(): number;
  /** Bumped whenever a session ends: a request sent in an earlier epoch must not be replayed. */
  epoch(): number;
  /** The error that ended the last session. */
  endError(): AuthError;
  tokens(): TokenSet | null;
  /** Whether `getAccessToken` would wait now (refresh or re-authentication). */
  willWait(): boolean;
  /** Remember that the server refused this token, so it is not sent again as valid. */
  markRefused(token: string): void;
  hasReauthHandler(): boolean;
  requireReauth(reason: ReauthReason): Promise<void>;
  emit(event: DistributiveOmit<AuthEvent, 'at'>): void;
  /** Requests waiting now, for events. */
  waiting: { count: number };
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const INTERNALS = Symbol.for('reauth.internals');

/** @internal adapters only */
export function getInternals(session: Session): SessionInternals {
  const internals = (session as Session & { [INTERNALS]?: SessionInternals })[INTERNALS];
  if (!internals) throw new TypeError('[reauth] expected a session made by createSession() of @reauth/core.');
  return internals;
}

interface Flight {
  /** 'reauth': the refresh was refused and a re-authentication started. */
  outcome: Deferred<'ok' | 'reauth'>;
  controller: AbortController;
}

function assertOption(ok: boolean, message: string): void {
  if (!ok) throw new TypeError(`[reauth] createSession: ${message}`);
}

const isRejectedByDefault = (error: unknown) => [400, 401, 403].includes(getHttpStatus(error) ?? 0);

/**
 * Creates a session: token state, single-flight refresh, request gate and re-authentication.
 *
 * @param options how to refresh, where to store, and timings
 * @returns the session the adapters and React bindings share
 * @example
 * const session = createSession({
 *   refresh: ({ refreshToken }) => api.post('/auth/refresh', { refreshToken }, { skipAuth: true }).then((r) => r.data),
 *   storage: localStorage,
 * });
 */
export function createSession(options: SessionOptions = {}): Session {
  const {
    refresh: refreshTokens,
    storageKey = 'reauth',
    refreshLeewayMs,
    refreshTimeoutMs = 15_000,
  } = options;
  assertOption(
    refreshTokens === undefined || typeof refreshTokens === 'function',
    '`refresh` must be a function ({ refreshToken, signal }) => Promise<tokens>.',
  );
  assertOption(
    refreshLeewayMs === undefined || (refreshLeewayMs >= 0 && refreshLeewayMs < Number.POSITIVE_INFINITY),
    '`refreshLeewayMs` must be a finite number of milliseconds, 0 or more.',
  );
  assertOption(
    refreshTimeoutMs > 0,
    '`refreshTimeoutMs` must be a positive number of milliseconds (Infinity for none).',
  );
  assertOption(
    typeof storageKey === 'string' && storageKey !== '',
    '`storageKey` must be a non-empty string.',
  );
  const storage = options.storage ?? createMemoryStorage();
  assertOption(
    ['getItem', 'setItem', 'removeItem'].every(
      (m) => typeof (storage as unknown as Record<string, unknown>)[m] === 'function',
    ),
    '`storage` must have getItem, setItem and removeItem (localStorage works as is).',
  );
  const now = options.now ?? Date.now;
  const isRefreshRejected = options.isRefreshRejected ?? isRejectedByDefault;

  let tokens = readStoredTokens(storage, storageKey);
  if (tokens && !tokens.refreshToken && isExpired(tokens)) {
    tokens = null;
    writeStoredTokens(storage, storageKey, null);
  }
  const store = createStore<SessionState>()(() => ({
    status: tokens ? 'signedIn' : 'signedOut',
    user: tokens?.user ?? null,
    expiresAt: tokens?.expiresAt ?? null,
    error: null,
  }));
  let epoch = 0;
  let endError = new AuthError('SIGNED_OUT');
  let refusedToken: string | null = null;
  let flight: Flight | null = null;
  let reauth: { done: Deferred<void>; controller: AbortController } | null = null;
  const handlers: ReauthHandler[] = [];
  const listeners = new Set<(event: AuthEvent) => void>();
  const waiting = { count: 0 };

  function emit(event: DistributiveOmit<AuthEvent, 'at'>): void {
    const full = { ...event, at: now() } as AuthEvent;
    for (const listener of [...listeners]) {
      try {
        listener(full);
      } catch (error) {
        console.error('[reauth] an event listener threw; the session goes on.', error);
      }
    }
  }

  function isExpired(set: TokenSet): boolean {
    return set.expiresAt !== null && set.expiresAt <= now();
  }
  function canRefresh(set: TokenSet): boolean {
    return Boolean(refreshTokens && set.refreshToken);
  }
  function isUsable(set: TokenSet | null): set is TokenSet {
    return set !== null && set.accessToken !== refusedToken && !isExpired(set);
  }
  function needsRefresh(set: TokenSet): boolean {
    if (set.accessToken === refusedToken || isExpired(set)) return true;
    if (set.expiresAt === null || !canRefresh(set)) return false;
    const leeway = refreshLeewayMs ?? Math.min(30_000, (set.expiresAt - set.receivedAt) / 2);
    return set.expiresAt - now() <= leeway;
  }

  function commit(next: TokenSet): void {
    tokens = next;
    refusedToken = null;
    writeStoredTokens(storage, storageKey, next);
    store.setState({ status: 'signedIn', user: next.user, expiresAt: next.expiresAt, error: null });
  }

  function endSession(error: AuthError): void {
    epoch += 1;
    endError = error;
    tokens = null;
    refusedToken = null;
    writeStoredTokens(storage, storageKey, null);
    const [lostFlight, lostReauth] = [flight, reauth];
    flight = null;
    reauth = null;
    lostFlight?.controller.abort();
    lostFlight?.outcome.reject(error);
    lostReauth?.controller.abort();
    lostReauth?.done.reject(error);
    store.setState({
      status: 'signedOut',
      user: null,
      expiresAt: null,
      error: error.code === 'SIGNED_OUT' ? null : error,
    });
    emit({ type: 'signedOut', error: error.code === 'SIGNED_OUT' ? null : error });
  }

  function signIn(input: TokensInput): void {
    const next = normalizeTokens(input, now(), null, 'signIn(tokens)');
    const [superseded, resolvedReauth] = [flight, reauth];
    flight = null;
    reauth = null;
    commit(next);
    // A refresh still in flight would write older tokens over these: drop it, and let its waiters go on.
    superseded?.controller.abort();
    superseded?.outcome.resolve('ok');
    emit({ type: 'signedIn', user: next.user, expiresAt: next.expiresAt });
    if (resolvedReauth) {
      resolvedReauth.controller.abort();
      resolvedReauth.done.resolve();
      emit({ type: 'reauthResolved' });
    }
  }

  function requireReauth(reason: ReauthReason, expired = new AuthError('SESSION_EXPIRED')): Promise<void> {
    if (reauth) return reauth.done.promise;
    const handler = handlers[handlers.length - 1];
    if (!handler) {
      endSession(expired);
      return Promise.reject(expired);
    }
    const current = { done: deferred<void>(), controller: new AbortController() };
    reauth = current;
    store.setState({ status: 'reauthRequired', error: reason === 'unauthenticated' ? null : expired });
    emit({ type: 'reauthRequired', reason, waiting: waiting.count });
    const cancel = (cause?: unknown) => dismissReauth(current, cause);
    Promise.resolve()
      .then(() => handler({ reason, signal: current.controller.signal }))
      .then((result) => {
        if (reauth !== current) return;
        if (result == null) return cancel();
        try {
          signIn(result);
        } catch (error) {
          warnOnce(
            'the reauth handler resolved with tokens that signIn() refused; the prompt counts as dismissed.',
          );
          cancel(error);
        }
      }, cancel);
    return current.done.promise;
  }

  function dismissReauth(which: typeof reauth, cause?: unknown): void {
    if (!which || reauth !== which) return;
    const error = new AuthError('REAUTH_CANCELLED', cause === undefined ? undefined : { cause });
    emit({ type: 'reauthCancelled', error });
    endSession(error);
  }

  function waitForReauth(): Promise<void> {
    if (reauth) return reauth.done.promise;
    return tokens ? Promise.resolve() : Promise.reject(endError);
  }

  function startFlight(current: TokenSet & { refreshToken: string }): Flight {
    const started = now();
    const own: Flight = { outcome: deferred(), controller: new AbortController() };
    flight = own;
    store.setState({ status: 'refreshing' });
    emit({ type: 'refreshStart', waiting: waiting.count });
    const fail = (error: AuthError) => {
      if (flight !== own) return;
      clearTimeout(grace);
      flight = null;
      store.setState({ status: 'signedIn', error });
      emit({ type: 'refreshFailure', error, terminal: false, durationMs: now() - started });
      own.outcome.reject(error);
    };
    // REFRESH_TIMEOUT releases the waiters; the call itself gets a grace period to land, then is abandoned.
    const grace = Number.isFinite(refreshTimeoutMs)
      ? setTimeout(() => {
          own.controller.abort();
          fail(new AuthError('REFRESH_TIMEOUT'));
        }, 2 * refreshTimeoutMs)
      : undefined;
    Promise.resolve()
      .then(() => refreshTokens!({ refreshToken: current.refreshToken, signal: own.controller.signal }))
      .then(
        (result) => {
          if (flight !== own) return;
          let next: TokenSet;
          try {
            next = normalizeTokens(result, now(), current.refreshToken, 'refresh() result');
          } catch (cause) {
            return fail(new AuthError('REFRESH_UNAVAILABLE', { cause }));
          }
          clearTimeout(grace);
          flight = null;
          commit(next);
          emit({ type: 'refreshSuccess', expiresAt: next.expiresAt, durationMs: now() - started });
          own.outcome.resolve('ok');
        },
        (cause) => {
          if (flight !== own) return;
          if (!isRefreshRejected(cause)) return fail(new AuthError('REFRESH_UNAVAILABLE', { cause }));
          clearTimeout(grace);
          flight = null;
          const expired = new AuthError('SESSION_EXPIRED', { cause });
          emit({ type: 'refreshFailure', error: expired, terminal: true, durationMs: now() - started });
          requireReauth('refresh_rejected', expired).catch(() => {});
          own.outcome.resolve('reauth');
        },
      );
    return own;
  }

  function refresh(): Promise<void> {
    if (reauth) return reauth.done.promise;
    if (!tokens) {
      return Promise.reject(
        new AuthError('SIGNED_OUT', { message: 'refresh() needs a signed-in session; call signIn() first.' }),
      );
    }
    if (!flight && !canRefresh(tokens)) return requireReauth('no_refresh_token');
    const own = flight ?? startFlight(tokens as TokenSet & { refreshToken: string });
    return waitFor(
      own.outcome.promise,
      undefined,
      refreshTimeoutMs,
      () => new AuthError('REFRESH_TIMEOUT'),
    ).then((outcome) => (outcome === 'reauth' ? waitForReauth() : undefined));
  }

  async function getAccessToken({ signal }: { signal?: AbortSignal } = {}): Promise<string | null> {
    if (reauth) await waitFor(reauth.done.promise, signal);
    else if (flight || (tokens && needsRefresh(tokens))) {
      try {
        await waitFor(refresh(), signal);
      } catch (error) {
        // A transient failure while the token is still good: send the request with it.
        if (signal?.aborted || !isUsable(tokens)) throw error;
      }
    }
    return tokens?.accessToken ?? null;
  }

  const internals: SessionInternals = {
    now,
    epoch: () => epoch,
    endError: () => endError,
    tokens: () => tokens,
    willWait: () => Boolean(reauth || flight || (tokens && needsRefresh(tokens))),
    markRefused: (token) => {
      if (tokens?.accessToken === token) refusedToken = token;
    },
    hasReauthHandler: () => handlers.length > 0,
    requireReauth,
    emit,
    waiting,
  };

  const session: Session = {
    getState: store.getState,
    subscribe: store.subscribe,
    signIn,
    signOut() {
      if (store.getState().status === 'signedOut') return writeStoredTokens(storage, storageKey, null);
      endSession(new AuthError('SIGNED_OUT'));
    },
    getAccessToken,
    refresh,
    onReauth(handler) {
      if (typeof handler !== 'function') {
        throw new TypeError(
          '[reauth] onReauth(handler) expected a function ({ reason, signal }) => Promise<tokens | null>.',
        );
      }
      handlers.push(handler);
      return () => {
        const index = handlers.lastIndexOf(handler);
        if (index >= 0) handlers.splice(index, 1);
      };
    },
    cancelReauth: () => dismissReauth(reauth),
    on(type: string, listener: (event: never) => void) {
      const filtered = (event: AuthEvent) => {
        if (type === '*' || event.type === type) (listener as (event: AuthEvent) => void)(event);
      };
      listeners.add(filtered);
      return () => void listeners.delete(filtered);
    },
  };
  Object.defineProperty(session, INTERNALS, { value: internals });
  return session;
}
