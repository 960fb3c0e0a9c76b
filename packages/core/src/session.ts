import { createStore } from 'zustand/vanilla';
import { watchExpiry } from './autoRefresh';
import { connectTabs, type TokensKind } from './crossTab';
import { AuthError, misuse } from './errors';
import { type AuthEventInput, INTERNALS, isolated, type SessionInternals } from './internals';
import { resolveOptions } from './options';
import { normalizeTokens, readStoredTokens, type TokenSet, writeStoredTokens } from './tokens';
import type { AuthEvent, ReauthHandler, ReauthReason, Session, SessionOptions, SessionState } from './types';
import { type Deferred, deferred, waitFor, warnOnce } from './utils';

declare const process: { env: { NODE_ENV?: string } };

interface Flight {
  /** 'reauth': the refresh was refused and a re-authentication started. */
  outcome: Deferred<'ok' | 'reauth'>;
  controller: AbortController;
  started: number;
  /** Ends the grace period after REFRESH_TIMEOUT. */
  grace?: ReturnType<typeof setTimeout> | undefined;
}
interface Reauth {
  done: Deferred<void>;
  controller: AbortController;
  /** The registration whose handler is prompting. */
  entry: { handler: ReauthHandler };
}

/** A flight no one waits for any more: no timer may keep a process alive for it, nothing may land from it. */
function drop(flight: Flight | null): void {
  clearTimeout(flight?.grace);
  flight?.controller.abort();
}

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
    refreshTokens,
    storage,
    storageKey,
    refreshLeewayMs,
    refreshTimeoutMs,
    isRefreshRejected,
    getRoles,
    now,
    crossTab,
    autoRefresh,
  } = resolveOptions(options);

  let tokens = readStoredTokens(storage, storageKey);
  let epoch = 0;
  // What ended each session, by epoch: a late 401 rejects with the error that ended its own session.
  const endErrors = new Map<number, AuthError>();
  const endError = (of = epoch - 1) =>
    endErrors.get(of) ?? endErrors.get(epoch - 1) ?? new AuthError('SIGNED_OUT');
  let refusedToken: string | null = null;
  let flight: Flight | null = null;
  let reauth: Reauth | null = null;
  // One entry per registration, so removing one registration of a handler leaves the others.
  const handlers: { handler: ReauthHandler }[] = [];
  const listeners = new Set<(event: AuthEvent) => void>();
  const waiting = { count: 0 };

  const isTerminal = (cause: unknown) => {
    try {
      return isRefreshRejected(cause);
    } catch {
      return false; // a throwing predicate must not leave the waiters hanging
    }
  };
  const isExpired = (set: TokenSet) => set.expiresAt !== null && set.expiresAt <= now();
  const canRefresh = (set: TokenSet) => !!refreshTokens && !!set.refreshToken;
  if (tokens && !canRefresh(tokens) && isExpired(tokens)) {
    tokens = null;
    writeStoredTokens(storage, storageKey, null);
  }
  const store = createStore<SessionState>()(() => ({
    status: tokens ? 'signedIn' : 'signedOut',
    user: tokens?.user ?? null,
    expiresAt: tokens?.expiresAt ?? null,
    error: null,
  }));
  const setState = store.setState;
  const tabs =
    crossTab &&
    connectTabs(
      crossTab.channelName,
      {
        // A refresh result only continues the session it refreshed; an answer only starts one in a tab without.
        tokens(next, kind, from) {
          const isTaken =
            kind === 'signIn' || (kind === 'refresh' ? !!from && tokens?.refreshToken === from : !tokens);
          if (isTaken) accept(next, kind, true);
          return isTaken;
        },
        signOut() {
          if (store.getState().status !== 'signedOut') endSession(new AuthError('SIGNED_OUT'));
        },
        refused(refreshToken) {
          if (tokens?.refreshToken !== refreshToken) return;
          // Refused in another tab: this tab must not present it again; it re-authenticates as if refused here.
          const lost = flight;
          flight = null;
          drop(lost);
          requireReauth('refresh_rejected').catch(() => {});
          lost?.outcome.resolve('reauth');
        },
        current: () => (reauth ? null : tokens),
      },
      // A dead tab's lease lapses well within the timeout, so the others' waits stay bounded by it.
      Math.min(refreshTimeoutMs / 2, 5_000),
      crossTab.lock,
    );
  // A new tab asks the open ones for the session; its requests wait for the answer, a moment at most.
  let asking = tabs && !tokens ? tabs.ask() : null;
  asking?.then(() => {
    asking = null;
  });

  function emit(event: AuthEventInput): void {
    const stamped = { ...event, at: now() } as AuthEvent;
    for (const listener of [...listeners]) listener(stamped);
  }

  // Usable: not refused by the server and not expired by the clock. With refreshLeewayMs 0 the clock is not
  // trusted at all: only a 401 says a token is done.
  const isUsable = (set: TokenSet | null) =>
    !!set && set.accessToken !== refusedToken && (refreshLeewayMs === 0 || !isExpired(set));
  function needsRefresh(set: TokenSet): boolean {
    if (!isUsable(set)) return true;
    const at = refreshDueAt(set);
    return at !== null && at <= now();
  }
  /** When `set` enters its refresh leeway; null when the clock says nothing (no expiry, leeway 0, no refresh). */
  function refreshDueAt(set: TokenSet): number | null {
    if (refreshLeewayMs === 0 || set.expiresAt === null || !canRefresh(set)) return null;
    return set.expiresAt - (refreshLeewayMs ?? Math.min(30_000, (set.expiresAt - set.receivedAt) / 2));
  }

  function commit(next: TokenSet): void {
    tokens = next;
    refusedToken = null;
    writeStoredTokens(storage, storageKey, next);
    setState({ status: 'signedIn', user: next.user, expiresAt: next.expiresAt, error: null });
  }

  /** Ends the session: everything waiting rejects with `error`; a refresh landing later is discarded. */
  function endSession(error: AuthError): void {
    const [lostFlight, lostReauth] = [flight, reauth];
    endErrors.set(epoch, error);
    endErrors.delete(epoch - 32);
    epoch += 1;
    tokens = refusedToken = flight = reauth = null;
    writeStoredTokens(storage, storageKey, null);
    drop(lostFlight);
    lostFlight?.outcome.reject(error);
    lostReauth?.controller.abort();
    lostReauth?.done.reject(error);
    const shown = error.code === 'SIGNED_OUT' ? null : error;
    setState({ status: 'signedOut', user: null, expiresAt: null, error: shown });
    emit({ type: 'signedOut', error: shown });
  }

  /** Takes tokens from a sign-in here, or from another tab (`fromTab`: not announced back). */
  function accept(next: TokenSet, kind: TokensKind, fromTab?: boolean): void {
    const [superseded, resolved] = [flight, reauth];
    flight = reauth = null;
    commit(next);
    if (!fromTab) tabs?.announce(next, kind);
    // A refresh still in flight would write older tokens over these: drop it; its waiters go on with these.
    drop(superseded);
    superseded?.outcome.resolve('ok');
    if (kind !== 'refresh') emit({ type: 'signedIn', user: next.user, expiresAt: next.expiresAt });
    else if (superseded) {
      emit({ type: 'refreshSuccess', expiresAt: next.expiresAt, durationMs: now() - superseded.started });
    }
    if (resolved) {
      resolved.controller.abort();
      resolved.done.resolve();
      emit({ type: 'reauthResolved' });
    }
  }
  const signIn = (input: Parameters<Session['signIn']>[0]) =>
    accept(normalizeTokens(input, now(), null, 'signIn(tokens)'), 'signIn');

  function dismissReauth(which: Reauth | null, cause?: unknown): void {
    if (!which || reauth !== which) return;
    const error = new AuthError('REAUTH_CANCELLED', { cause });
    emit({ type: 'reauthCancelled', error });
    if (reauth === which) endSession(error); // unless a listener signed in meanwhile
  }

  function requireReauth(reason: ReauthReason, expired = new AuthError('SESSION_EXPIRED')): Promise<void> {
    if (reauth) return reauth.done.promise;
    const entry = handlers[handlers.length - 1];
    if (!entry) {
      endSession(expired);
      return Promise.reject(expired);
    }
    const current: Reauth = { done: deferred(), controller: new AbortController(), entry };
    reauth = current;
    setState({ status: 'reauthRequired', error: reason === 'unauthenticated' ? null : expired });
    emit({ type: 'reauthRequired', reason, waiting: waiting.count });
    Promise.resolve()
      .then(() => entry.handler({ reason, signal: current.controller.signal }))
      .then((result) => {
        if (reauth !== current) return;
        if (result == null) return dismissReauth(current);
        try {
          signIn(result);
        } catch (error) {
          if (process.env.NODE_ENV !== 'production') {
            warnOnce(
              'the reauth handler resolved with tokens signIn() refuses; the prompt counts as dismissed.',
            );
          }
          dismissReauth(current, error);
        }
      })
      .catch((error) => dismissReauth(current, error));
    return current.done.promise;
  }

  function startFlight(sent: TokenSet): Flight {
    const started = now();
    const refreshToken = sent.refreshToken as string;
    const own: Flight = { outcome: deferred(), controller: new AbortController(), started };
    const land = (failure?: AuthError, terminal = false) => {
      clearTimeout(own.grace);
      flight = null;
      if (failure) emit({ type: 'refreshFailure', error: failure, terminal, durationMs: now() - started });
    };
    const fail = (error: AuthError) => {
      land(error);
      setState({ status: 'signedIn', error });
      own.outcome.reject(error);
    };
    flight = own;
    setState({ status: 'refreshing' });
    emit({ type: 'refreshStart', waiting: waiting.count });
    // REFRESH_TIMEOUT releases the waiters; the call itself gets as long again to land, then is abandoned.
    own.grace =
      refreshTimeoutMs < Number.POSITIVE_INFINITY
        ? setTimeout(() => {
            own.controller.abort();
            // Superseded meanwhile (signIn, signOut): nothing of this flight may touch the session.
            if (flight === own) fail(new AuthError('REFRESH_TIMEOUT'));
          }, 2 * refreshTimeoutMs)
        : undefined;
    const call = () =>
      Promise.resolve()
        .then(() => refreshTokens!({ refreshToken, signal: own.controller.signal }))
        .then(
          (result) => {
            if (flight !== own) return;
            let next: TokenSet;
            try {
              next = normalizeTokens(result, now(), refreshToken, 'refresh() result');
            } catch (cause) {
              return fail(new AuthError('REFRESH_UNAVAILABLE', { cause }));
            }
            land();
            commit(next);
            tabs?.announce(next, 'refresh', refreshToken);
            emit({ type: 'refreshSuccess', expiresAt: next.expiresAt, durationMs: now() - started });
            // A listener may have signed out inside the commit: then the waiters fail as signed out.
            if (tokens === next) own.outcome.resolve('ok');
            else own.outcome.reject(endError());
          },
          (cause) => {
            if (flight !== own) return;
            if (!isTerminal(cause)) return fail(new AuthError('REFRESH_UNAVAILABLE', { cause }));
            const expired = new AuthError('SESSION_EXPIRED', { cause });
            land(expired, true);
            tabs?.refused(refreshToken);
            requireReauth('refresh_rejected', expired).catch(() => {});
            own.outcome.resolve('reauth');
          },
        );
    if (!tabs) void call();
    else {
      // One tab at a time; once it holds the lock, a tab first adopts what another one refreshed meanwhile.
      tabs
        .exclusive(own.controller.signal, async () => {
          if (flight !== own) return; // dropped or timed out while it waited
          const seen = readStoredTokens(storage, storageKey);
          if (!seen) return call();
          if (seen.refreshToken === refreshToken && seen.accessToken === sent.accessToken) return call();
          accept(seen, 'refresh', true);
        })
        // A lock that fails (Web Locks throw SecurityError in sandboxed frames) must not stop refreshes.
        .catch(() => {
          if (flight === own) void call();
        });
    }
    return own;
  }

  function refresh(): Promise<void> {
    if (reauth) return reauth.done.promise;
    if (!tokens)
      return Promise.reject(
        new AuthError('SIGNED_OUT', { message: 'refresh() needs a signed-in session; call signIn() first.' }),
      );
    if (!flight && !canRefresh(tokens)) return requireReauth('no_refresh_token');
    const own = flight ?? startFlight(tokens);
    return waitFor(
      own.outcome.promise,
      undefined,
      refreshTimeoutMs,
      () => new AuthError('REFRESH_TIMEOUT'),
    ).then((outcome) =>
      outcome === 'ok'
        ? undefined
        : reauth
          ? reauth.done.promise
          : tokens
            ? undefined
            : Promise.reject(endError()),
    );
  }

  async function getAccessToken({ signal }: { signal?: AbortSignal } = {}): Promise<string | null> {
    if (asking && !tokens) await waitFor(asking, signal);
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
    endError,
    tokens: () => tokens,
    willWait: () => !!(reauth || flight || (asking && !tokens) || (tokens && needsRefresh(tokens))),
    markRefused(token) {
      if (tokens?.accessToken === token) refusedToken = token;
    },
    hasReauthHandler: () => handlers.length > 0,
    requireReauth,
    emit,
    waiting,
  };

  if (autoRefresh) {
    const isIdle = (set: TokenSet | null): set is TokenSet => !!set && !flight && !reauth && canRefresh(set);
    watchExpiry({
      subscribe: store.subscribe,
      // Not after a failed background refresh: the next request, the next visibility or `online` tries again.
      dueAt: () => (isIdle(tokens) && !store.getState().error ? refreshDueAt(tokens) : null),
      check: () => void (isIdle(tokens) && needsRefresh(tokens) && refresh().catch(() => {})),
      now,
    });
  }

  return Object.defineProperty<Session>(
    {
      getState: store.getState,
      subscribe: (listener) => store.subscribe(isolated(listener)),
      signIn,
      signOut() {
        if (store.getState().status !== 'signedOut') endSession(new AuthError('SIGNED_OUT'));
        else writeStoredTokens(storage, storageKey, null);
        tabs?.signOut();
      },
      getAccessToken,
      refresh,
      onReauth(handler) {
        if (typeof handler !== 'function')
          throw misuse(
            'onReauth(handler)',
            'expected a function ({ reason, signal }) => Promise<tokens | null>',
          );
        const entry = { handler };
        handlers.push(entry);
        return () => {
          const index = handlers.indexOf(entry);
          if (index >= 0) handlers.splice(index, 1);
          // Its prompt is open: no one can answer it now, so nothing may wait on it.
          if (reauth?.entry === entry) dismissReauth(reauth);
        };
      },
      hasRole(role) {
        const { user } = store.getState();
        return !!user && getRoles(user).includes(role);
      },
      cancelReauth: () => dismissReauth(reauth),
      on(type: string, listener: (event: never) => void) {
        // Isolated once here, not per event: a listener that throws must not break the session mid-update.
        const filtered = isolated((event: AuthEvent) => {
          if (type === '*' || event.type === type) (listener as (event: AuthEvent) => void)(event);
        });
        listeners.add(filtered);
        return () => void listeners.delete(filtered);
      },
    },
    INTERNALS,
    { value: internals },
  );
}
