import type { Tabs, TokensKind } from './crossTab';
import { AuthError } from './errors';
import { type ReauthDeps, requireReauth } from './reauth';
import { normalizeTokens, readStoredTokens, type TokenSet } from './tokens';
import type { SessionOptions, StorageLike } from './types';
import { type Deferred, deferred, waitFor } from './utils';

/** The one refresh in progress, which every concurrent caller joins. */
export interface Flight {
  /** 'reauth': the refresh was refused and a re-authentication started. */
  outcome: Deferred<'ok' | 'reauth'>;
  controller: AbortController;
  started: number;
  /** Ends the grace period after REFRESH_TIMEOUT. */
  grace?: ReturnType<typeof setTimeout> | undefined;
  /** The wait of the callers that joined in one millisecond (a burst of 401s): one timer, not one each. */
  joined?: { at: number; wait: Promise<void>; ends?: ReturnType<typeof setTimeout> } | undefined;
}

/** What the refresh flight needs of its session. */
export interface FlightDeps extends ReauthDeps {
  /** The refresh in progress, if any. */
  flight: Flight | null;
  tokens(): TokenSet | null;
  refreshTokens: SessionOptions['refresh'];
  refreshTimeoutMs: number;
  storage: StorageLike;
  storageKey: string;
  /** False after a write storage refused (it then holds older tokens, or none). */
  isStorageCurrent(): boolean;
  tabs: Tabs | null;
  now(): number;
  canRefresh(set: TokenSet): boolean;
  /** Whether a refresh failure is terminal; never throws. */
  isTerminal(cause: unknown): boolean;
  /** Stores the refreshed tokens as the session's. */
  commit(next: TokenSet): void;
  /** Takes tokens another tab refreshed. */
  accept(next: TokenSet, kind: TokensKind, fromTab?: boolean): void;
  /** The error that ended the last session. */
  endError(): AuthError;
}

/** A flight no one waits for any more: no timer may keep a process alive for it, nothing may land from it. */
export function dropFlight(flight: Flight | null): void {
  clearTimeout(flight?.grace);
  clearTimeout(flight?.joined?.ends);
  flight?.controller.abort();
}

/**
 * Refreshes now, or joins the refresh in progress; waits at most `refreshTimeoutMs` for it.
 *
 * @returns a promise that resolves once the session has usable tokens again (refreshed or re-authenticated)
 */
export function refreshSession(ctx: FlightDeps): Promise<void> {
  if (ctx.reauth) return ctx.reauth.done.promise;
  const tokens = ctx.tokens();
  if (!tokens)
    return Promise.reject(
      new AuthError('SIGNED_OUT', { message: 'refresh() needs a signed-in session; call signIn() first.' }),
    );
  if (!ctx.flight && !ctx.canRefresh(tokens)) return requireReauth(ctx, 'no_refresh_token');
  const own = ctx.flight ?? startFlight(ctx, tokens);
  // One group per millisecond, ended by the next timer tick too: with Date frozen (a test clock) and timers
  // running, a later caller still gets its own full timeout.
  const at = Date.now();
  if (own.joined?.at !== at) {
    const wait = waitFor(
      own.outcome.promise,
      undefined,
      ctx.refreshTimeoutMs,
      () => new AuthError('REFRESH_TIMEOUT'),
    ).then((outcome) =>
      outcome === 'ok'
        ? undefined
        : ctx.reauth
          ? ctx.reauth.done.promise
          : ctx.tokens()
            ? undefined
            : Promise.reject(ctx.endError()),
    );
    const joined: Flight['joined'] = { at, wait };
    own.joined = joined;
    joined.ends = setTimeout(() => {
      if (own.joined === joined) own.joined = undefined;
    }, 0);
  }
  return own.joined.wait;
}

function startFlight(ctx: FlightDeps, sent: TokenSet): Flight {
  const { now, emit, setState, tabs, refreshTimeoutMs } = ctx;
  const started = now();
  const refreshToken = sent.refreshToken as string;
  const own: Flight = { outcome: deferred(), controller: new AbortController(), started };
  const land = (failure?: AuthError, terminal = false) => {
    clearTimeout(own.grace);
    ctx.flight = null;
    if (failure) emit({ type: 'refreshFailure', error: failure, terminal, durationMs: now() - started });
  };
  const fail = (error: AuthError) => {
    land(error);
    setState({ status: 'signedIn', error });
    own.outcome.reject(error);
  };
  ctx.flight = own;
  setState({ status: 'refreshing' });
  emit({ type: 'refreshStart', waiting: ctx.waiting.count });
  // REFRESH_TIMEOUT releases the waiters; the call itself gets as long again to land, then is abandoned.
  own.grace =
    refreshTimeoutMs < Number.POSITIVE_INFINITY
      ? setTimeout(() => {
          own.controller.abort();
          // Superseded meanwhile (signIn, signOut): nothing of this flight may touch the session.
          if (ctx.flight === own) fail(new AuthError('REFRESH_TIMEOUT'));
        }, 2 * refreshTimeoutMs)
      : undefined;
  const call = () =>
    Promise.resolve()
      .then(() => ctx.refreshTokens!({ refreshToken, signal: own.controller.signal }))
      .then(
        (result) => {
          if (ctx.flight !== own) return;
          let next: TokenSet;
          try {
            next = normalizeTokens(result, now(), refreshToken, 'refresh() result');
          } catch (cause) {
            return fail(new AuthError('REFRESH_UNAVAILABLE', { cause }));
          }
          land();
          ctx.commit(next);
          tabs?.announce(next, 'refresh', refreshToken);
          emit({ type: 'refreshSuccess', expiresAt: next.expiresAt, durationMs: now() - started });
          // A listener may have signed out inside the commit: then the waiters fail as signed out.
          if (ctx.tokens() === next) own.outcome.resolve('ok');
          else own.outcome.reject(ctx.endError());
        },
        (cause) => {
          if (ctx.flight !== own) return;
          if (!ctx.isTerminal(cause)) return fail(new AuthError('REFRESH_UNAVAILABLE', { cause }));
          const expired = new AuthError('SESSION_EXPIRED', { cause });
          land(expired, true);
          tabs?.refused(refreshToken);
          requireReauth(ctx, 'refresh_rejected', expired).catch(() => {});
          own.outcome.resolve('reauth');
        },
      );
  if (!tabs) void call();
  else {
    // One tab at a time; once it holds the lock, a tab first adopts what another one refreshed meanwhile.
    tabs
      .exclusive(own.controller.signal, async () => {
        if (ctx.flight !== own) return; // dropped or timed out while it waited
        const seen = readStoredTokens(ctx.storage, ctx.storageKey);
        if (!seen) return call();
        if (seen.refreshToken === refreshToken && seen.accessToken === sent.accessToken) return call();
        // Other tokens are another tab's refresh, unless a write of ours failed: then storage holds older tokens
        // (adopting them would send a spent refresh token again, or bring back the previous user), and only
        // tokens received after ours are news.
        if (!ctx.isStorageCurrent() && seen.receivedAt <= sent.receivedAt) return call();
        ctx.accept(seen, 'refresh', true);
      })
      // A lock that fails (Web Locks throw SecurityError in sandboxed frames) must not stop refreshes.
      .catch(() => {
        if (ctx.flight === own) void call();
      });
  }
  return own;
}
