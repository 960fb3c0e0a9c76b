import type { Tabs } from './crossTab';
import { AuthError } from './errors';
import type { ResolvedOptions } from './options';
import { readNow } from './persist';
import type { AnyStorage, TokenSet } from './tokens';
import { type Deferred, deferred, waitFor } from './utils';

/** The one refresh in progress, which every concurrent caller joins. */
export interface Flight {
  /** 'reauth': the refresh was refused and a re-authentication started. */
  outcome: Deferred<'ok' | 'reauth'>;
  controller: AbortController;
  started: number;
  /** When `refresh` was last called, after the lock (`started` until then): a cookie goes as the jar holds it then. */
  sentAt: number;
  /** The tokens it renews (null: signed out, with a refresh cookie), and the refresh token it presents. */
  sent: TokenSet | null;
  /** Null with cookies: the browser presents the cookie. */
  refreshToken: string | null;
  /**
   * Restoring with a refresh cookie: resolves when this flight lands, or at the refresh timeout (the session is
   * `restoring` meanwhile); the call itself gets its grace period as any other.
   */
  restoring?: Deferred<void> | undefined;
  /** Ends restoring at the refresh timeout. */
  restoreEnds?: ReturnType<typeof setTimeout> | undefined;
  /** Offline: the refresh waits for the network to come back before it is sent (again). */
  isWaitingOnline?: boolean;
  /** Ends the grace period after REFRESH_TIMEOUT. */
  grace?: ReturnType<typeof setTimeout> | undefined;
  /**
   * Development only: `refresh` is running its synchronous part (before its first await) — a request made there
   * through the session's own gate waits for this very flight (a forgotten `skipAuth`), and is warned of.
   */
  isCalling?: boolean;
  /** The wait of the callers that joined in one millisecond (a burst of 401s): one timer, not one each. */
  joined?: { at: number; wait: Promise<void>; ends?: ReturnType<typeof setTimeout> } | undefined;
}

/** How a flight reports back: as actions of the session's machine, which writes the session. */
export type FlightReport = (
  action:
    | { type: 'refreshResult'; flight: Flight; result: unknown }
    | { type: 'refreshError'; flight: Flight; cause: unknown }
    | { type: 'refreshAbandoned'; flight: Flight }
    /** Another tab refreshed while this one waited for the lock: its tokens. */
    | { type: 'signIn'; tokens: TokenSet; kind: 'refresh'; fromTab: true },
) => void;

export interface FlightOptions {
  now: ResolvedOptions['now'];
  /** The session's `refresh` option: a flight is started only with one (see `canRefresh`). */
  refreshTokens: ResolvedOptions['refreshTokens'];
  refreshTimeoutMs: number;
  tabs: Tabs | null;
  storage: AnyStorage;
  storageKey: string;
  /** False after a write storage refused (it then holds older tokens, or none). */
  isStorageCurrent(): boolean;
  /** When the session's own writes to storage are under way: settles once they are done. */
  writesSettled(): Promise<void> | undefined;
  /** Whether the session still runs this flight (not dropped, superseded or timed out). */
  isCurrent(flight: Flight): boolean;
  dispatch: FlightReport;
}

/**
 * A flight no one waits for any more: no timer may keep a process alive for it, nothing may land from it.
 * @param isAborted cancel its call too (false: it may land, and is ignored)
 */
export function dropFlight(flight: Flight | null, isAborted = true): void {
  clearTimeout(flight?.grace);
  clearTimeout(flight?.joined?.ends);
  clearTimeout(flight?.restoreEnds);
  if (isAborted) flight?.controller.abort();
}

/**
 * Waits for `flight` at most `timeoutMs`, joining the callers of the same millisecond.
 * @param then what the waiters get once the flight landed (e.g. the prompt it opened)
 */
export function joinFlight(
  flight: Flight,
  timeoutMs: number,
  then: (outcome: 'ok' | 'reauth') => Promise<void> | undefined,
): Promise<void> {
  // One group per millisecond, ended by the next timer tick too: with Date frozen (a test clock) and timers
  // running, a later caller still gets its own full timeout.
  const at = Date.now();
  if (flight.joined?.at !== at) {
    const wait = waitFor(
      flight.outcome.promise,
      undefined,
      timeoutMs,
      () => new AuthError('REFRESH_TIMEOUT'),
    ).then(then);
    const joined: Flight['joined'] = { at, wait };
    flight.joined = joined;
    joined.ends = setTimeout(() => {
      if (flight.joined === joined) flight.joined = undefined;
    }, 0);
  }
  return flight.joined.wait;
}

/** A new flight renewing `sent`; `runFlight` starts it once the session has taken it as its own. */
export function createFlight(sent: TokenSet | null, started: number, restoring?: Deferred<void>): Flight {
  return {
    outcome: deferred(),
    controller: new AbortController(),
    started,
    sentAt: started,
    sent,
    refreshToken: sent?.refreshToken ?? null,
    restoring,
  };
}

/**
 * The refresh worker: takes the cross-tab lock (if any), adopts what another tab refreshed meanwhile, else calls
 * `refresh` once, and reports. REFRESH_TIMEOUT releases the waiters (see `joinFlight`); the call itself gets as
 * long again to land, then is abandoned.
 */
export function runFlight(flight: Flight, options: FlightOptions): void {
  const { refreshTimeoutMs, tabs, dispatch, isCurrent, now } = options;
  const { refreshToken, sent } = flight;
  clearTimeout(flight.grace);
  flight.grace =
    refreshTimeoutMs < Infinity
      ? setTimeout(() => {
          flight.controller.abort();
          dispatch({ type: 'refreshAbandoned', flight });
        }, 2 * refreshTimeoutMs)
      : undefined;
  const call = () =>
    Promise.resolve()
      .then(() => {
        flight.sentAt = now();
        const context = { refreshToken, signal: flight.controller.signal };
        if (process.env.NODE_ENV !== 'production') {
          // What the call does before its first await is known to be its own (see `Flight.isCalling`).
          flight.isCalling = true;
          try {
            return options.refreshTokens!(context);
          } finally {
            flight.isCalling = false;
          }
        }
        return options.refreshTokens!(context);
      })
      .then(
        (result) => dispatch({ type: 'refreshResult', flight, result }),
        (cause) => dispatch({ type: 'refreshError', flight, cause }),
      );
  if (!tabs) {
    void call();
    return;
  }
  // One tab at a time; once it holds the lock, a tab first adopts what another one refreshed meanwhile.
  tabs
    .exclusive(flight.controller.signal, async () => {
      if (!isCurrent(flight)) return; // dropped or timed out while it waited
      // After our own writes: read before them, storage answers with the tokens they replace.
      await options.writesSettled();
      const seen = await readNow(options.storage, options.storageKey);
      if (!isCurrent(flight)) return; // an asynchronous storage answered after the session moved on
      if (!seen) return call();
      // The tokens it renews are still there. A cookie session's marker is made anew on each read: its own
      // sign-in is known by when it was received.
      const isSame = seen.session
        ? seen.receivedAt === sent?.receivedAt
        : seen.refreshToken === refreshToken && seen.accessToken === sent?.accessToken;
      if (isSame) return call();
      // Other tokens are another tab's refresh, unless a write of ours failed: then storage holds older tokens
      // (adopting them would send a spent refresh token again, or bring back the previous user), and only
      // tokens received after ours are news.
      if (!options.isStorageCurrent() && seen.receivedAt <= (sent?.receivedAt ?? 0)) return call();
      dispatch({ type: 'signIn', tokens: seen, kind: 'refresh', fromTab: true });
    })
    // A lock that fails (Web Locks throw SecurityError in sandboxed frames) must not stop refreshes.
    .catch(() => {
      if (isCurrent(flight)) void call();
    });
}
