import type { Tabs } from './crossTab';
import { AuthError } from './errors';
import { readStoredTokens, type TokenSet } from './tokens';
import type { RefreshContext, StorageLike, TokensInput } from './types';
import { type Deferred, deferred, waitFor } from './utils';

/** The one refresh in progress, which every concurrent caller joins. */
export interface Flight {
  /** 'reauth': the refresh was refused and a re-authentication started. */
  outcome: Deferred<'ok' | 'reauth'>;
  controller: AbortController;
  started: number;
  /** The refresh token it presents. */
  refreshToken: string;
  /** Ends the grace period after REFRESH_TIMEOUT. */
  grace?: ReturnType<typeof setTimeout> | undefined;
  /** The wait of the callers that joined in one millisecond (a burst of 401s): one timer, not one each. */
  joined?: { at: number; wait: Promise<void>; ends?: ReturnType<typeof setTimeout> } | undefined;
}

/** How a flight reports back. None of it writes the session: the session dispatches what it hears. */
export interface FlightReport {
  /** Whether the session still runs this flight (not dropped, superseded or timed out). */
  isCurrent(flight: Flight): boolean;
  /** The refresh call answered (not yet checked). */
  onResult(flight: Flight, result: TokensInput): void;
  onError(flight: Flight, cause: unknown): void;
  /** Timeout and grace passed without an answer: the call is abandoned. */
  onAbandon(flight: Flight): void;
  /** Another tab refreshed while this one waited for the lock: its tokens. */
  onAdopt(flight: Flight, tokens: TokenSet): void;
}

export interface FlightOptions {
  refresh: (context: RefreshContext) => Promise<TokensInput>;
  /** The tokens the refresh renews. */
  sent: TokenSet;
  refreshTimeoutMs: number;
  tabs: Tabs | null;
  storage: StorageLike;
  storageKey: string;
  /** False after a write storage refused (it then holds older tokens, or none). */
  isStorageCurrent(): boolean;
}

/** A flight no one waits for any more: no timer may keep a process alive for it, nothing may land from it. */
export function dropFlight(flight: Flight | null): void {
  clearTimeout(flight?.grace);
  clearTimeout(flight?.joined?.ends);
  flight?.controller.abort();
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

/** A new flight presenting `refreshToken`; `runFlight` starts it once the session has taken it as its own. */
export function createFlight(refreshToken: string, started: number): Flight {
  return { outcome: deferred(), controller: new AbortController(), started, refreshToken };
}

/**
 * The refresh worker: takes the cross-tab lock (if any), adopts what another tab refreshed meanwhile, else calls
 * `refresh` once, and reports. REFRESH_TIMEOUT releases the waiters (see `joinFlight`); the call itself gets as
 * long again to land, then is abandoned.
 */
export function runFlight(flight: Flight, options: FlightOptions, report: FlightReport): void {
  const { sent, refreshTimeoutMs, tabs } = options;
  const { refreshToken } = flight;
  flight.grace =
    refreshTimeoutMs < Number.POSITIVE_INFINITY
      ? setTimeout(() => {
          flight.controller.abort();
          report.onAbandon(flight);
        }, 2 * refreshTimeoutMs)
      : undefined;
  const call = () =>
    Promise.resolve()
      .then(() => options.refresh({ refreshToken, signal: flight.controller.signal }))
      .then(
        (result) => report.onResult(flight, result),
        (cause) => report.onError(flight, cause),
      );
  if (!tabs) {
    void call();
    return;
  }
  // One tab at a time; once it holds the lock, a tab first adopts what another one refreshed meanwhile.
  tabs
    .exclusive(flight.controller.signal, async () => {
      if (!report.isCurrent(flight)) return; // dropped or timed out while it waited
      const seen = readStoredTokens(options.storage, options.storageKey);
      if (!seen) return call();
      if (seen.refreshToken === refreshToken && seen.accessToken === sent.accessToken) return call();
      // Other tokens are another tab's refresh, unless a write of ours failed: then storage holds older tokens
      // (adopting them would send a spent refresh token again, or bring back the previous user), and only
      // tokens received after ours are news.
      if (!options.isStorageCurrent() && seen.receivedAt <= sent.receivedAt) return call();
      report.onAdopt(flight, seen);
    })
    // A lock that fails (Web Locks throw SecurityError in sandboxed frames) must not stop refreshes.
    .catch(() => {
      if (report.isCurrent(flight)) void call();
    });
}
