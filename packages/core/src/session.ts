import { createStore } from 'zustand/vanilla';
import { watchExpiry } from './autoRefresh';
import type { TokensKind } from './crossTab';
import { AuthError } from './errors';
import { type AuthEventInput, INTERNALS, isolated, type SessionInternals } from './internals';
import { resolveOptions } from './options';
import { addReauthHandler, dismissReauth, requireReauth } from './reauth';
import { dropFlight, refreshSession } from './refreshFlight';
import { connectSessionTabs, type TabsDeps } from './sessionTabs';
import { normalizeTokens, readStoredTokens, type TokenSet, writeStoredTokens } from './tokens';
import type { AuthEvent, Session, SessionOptions, SessionState } from './types';
import { waitFor } from './utils';

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
  const listeners = new Set<(event: AuthEvent) => void>();

  // False after a write storage refused: what it holds (if anything) is older than the session.
  let isStorageCurrent = true;
  const persist = (set: TokenSet | null) => {
    isStorageCurrent = writeStoredTokens(storage, storageKey, set);
  };
  const isExpired = (set: TokenSet) => set.expiresAt !== null && set.expiresAt <= now();
  const canRefresh = (set: TokenSet) => !!refreshTokens && !!set.refreshToken;
  if (tokens && !canRefresh(tokens) && isExpired(tokens)) {
    tokens = null;
    persist(null);
  }
  const store = createStore<SessionState>()(() => ({
    status: tokens ? 'signedIn' : 'signedOut',
    user: tokens?.user ?? null,
    expiresAt: tokens?.expiresAt ?? null,
    error: null,
  }));
  const setState = store.setState;
  // What the refresh flight, the prompt, the other tabs and the adapters share with the session.
  const ctx: TabsDeps & SessionInternals = {
    flight: null,
    reauth: null,
    handlers: [],
    waiting: { count: 0 },
    tabs: null,
    tokens: () => tokens,
    refreshTokens,
    refreshTimeoutMs,
    storage,
    storageKey,
    isStorageCurrent: () => isStorageCurrent,
    now,
    canRefresh,
    isTerminal(cause) {
      try {
        return isRefreshRejected(cause);
      } catch {
        return false; // a throwing predicate must not leave the waiters hanging
      }
    },
    getState: store.getState,
    setState,
    emit,
    commit,
    accept,
    signIn,
    endSession,
    endError,
    epoch: () => epoch,
    willWait: () => !!(ctx.reauth || ctx.flight || (asking && !tokens) || (tokens && needsRefresh(tokens))),
    markRefused(token) {
      if (tokens?.accessToken === token) refusedToken = token;
    },
    hasReauthHandler: () => ctx.handlers.length > 0,
    requireReauth: (reason) => requireReauth(ctx, reason),
    signOutOtherTabs: () => ctx.tabs?.signOut(),
  };
  const tabs = crossTab && connectSessionTabs(ctx, crossTab);
  ctx.tabs = tabs;
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
    persist(next);
    setState({ status: 'signedIn', user: next.user, expiresAt: next.expiresAt, error: null });
  }

  /** Ends the session: everything waiting rejects with `error`; a refresh landing later is discarded. */
  function endSession(error: AuthError): void {
    const { flight: lostFlight, reauth: lostReauth } = ctx;
    endErrors.set(epoch, error);
    endErrors.delete(epoch - 32);
    epoch += 1;
    tokens = refusedToken = ctx.flight = ctx.reauth = null;
    persist(null);
    dropFlight(lostFlight);
    lostFlight?.outcome.reject(error);
    lostReauth?.controller.abort();
    lostReauth?.done.reject(error);
    const shown = error.code === 'SIGNED_OUT' ? null : error;
    setState({ status: 'signedOut', user: null, expiresAt: null, error: shown });
    emit({ type: 'signedOut', error: shown });
  }

  /** Takes tokens from a sign-in here, or from another tab (`fromTab`: not announced back). */
  function accept(next: TokenSet, kind: TokensKind, fromTab?: boolean): void {
    const { flight: superseded, reauth: resolved } = ctx;
    ctx.flight = ctx.reauth = null;
    commit(next);
    if (!fromTab) tabs?.announce(next, kind);
    // A refresh still in flight would write older tokens over these: drop it; its waiters go on with these.
    dropFlight(superseded);
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
  function signIn(input: Parameters<Session['signIn']>[0]): void {
    accept(normalizeTokens(input, now(), null, 'signIn(tokens)'), 'signIn');
  }
  const refresh = () => refreshSession(ctx);

  async function getAccessToken({ signal }: { signal?: AbortSignal } = {}): Promise<string | null> {
    if (asking && !tokens) await waitFor(asking, signal);
    if (ctx.reauth) await waitFor(ctx.reauth.done.promise, signal);
    else if (ctx.flight || (tokens && needsRefresh(tokens))) {
      try {
        await waitFor(refresh(), signal);
      } catch (error) {
        // A transient failure while the token is still good: send the request with it.
        if (signal?.aborted || !isUsable(tokens)) throw error;
      }
    }
    return tokens?.accessToken ?? null;
  }

  if (autoRefresh) {
    const isIdle = (set: TokenSet | null): set is TokenSet =>
      !!set && !ctx.flight && !ctx.reauth && canRefresh(set);
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
        else persist(null);
        tabs?.signOut();
      },
      getAccessToken,
      refresh,
      onReauth: (handler) => addReauthHandler(ctx, handler),
      hasRole(role) {
        const { user } = store.getState();
        return !!user && getRoles(user).includes(role);
      },
      cancelReauth: () => dismissReauth(ctx, ctx.reauth),
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
    { value: ctx },
  );
}
