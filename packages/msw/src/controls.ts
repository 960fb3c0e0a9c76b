import type { CredentialModel } from './models';
import { isAcr } from './protect';
import type { TokenStore } from './tokens';
import type { CookieModel, IssueOptions, MockAuthControls, MockAuthStats, RefreshFailureKind } from './types';

const counters = () => ({ logins: 0, failedLogins: 0, refreshes: 0, reuseDetected: 0, logouts: 0 });

/** The kit's mutable state: its clock, the forced refresh failures and delay, and the live stats. */
export function createServerState(baseNow: () => number) {
  let clockOffsetMs = 0;
  let refreshDelayMs = 0;
  // Bumped by reset(): work tagged with an older generation started on the server before it.
  let generation = 0;
  const failures: RefreshFailureKind[] = [];
  // Hung refresh calls ('hang'), each waiting on its request's abort or on reset(): no timer holds them.
  const hung = new Set<() => void>();
  // Refresh calls waiting for releaseRefresh() (or reset()) while holdRefresh() is on; null when off.
  let held: Set<() => void> | null = null;
  const releaseHeld = () => {
    const waiting = held ?? new Set();
    held = null;
    for (const release of waiting) release();
  };
  // One object, mutated in place: `auth.stats` read at any time (or kept in a variable) is current.
  const stats = { ...counters(), requests: [], refreshCalls: [] } as unknown as MockAuthStats;
  // Not enumerable: a stats object compared whole, or printed, looks as it did before step-up existed.
  Object.defineProperty(stats, 'stepUps', { value: 0, writable: true, enumerable: false });
  const clearStats = () => {
    Object.assign(stats, counters());
    stats.stepUps = 0;
    stats.requests.length = 0;
    stats.refreshCalls.length = 0;
  };

  return {
    stats,
    now: () => baseNow() + clockOffsetMs,
    refreshDelayMs: () => refreshDelayMs,
    /**
     * Tag a request on arrival: the returned check stays true until the next reset(). A request that
     * started before a reset is not recorded and is answered as the reset server would answer it.
     */
    tagWork(): () => boolean {
      const tagged = generation;
      return () => tagged === generation;
    },
    /**
     * Holds a hung refresh call until its request aborts (`'aborted'`) or the next reset() (`'reset'`),
     * whichever comes first; either way nothing is left behind (no listener, no timer, no Set entry).
     */
    hang(signal: AbortSignal): Promise<'aborted' | 'reset'> {
      if (signal.aborted) return Promise.resolve('aborted');
      return new Promise((resolve) => {
        const release = (why: 'aborted' | 'reset') => {
          hung.delete(onReset);
          signal.removeEventListener('abort', onAbort);
          resolve(why);
        };
        const onAbort = () => release('aborted');
        const onReset = () => release('reset');
        hung.add(onReset);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    /** Resolves at once, or while refreshes are held, at the next releaseRefresh() or reset(). */
    whileHeld(): Promise<void> {
      const waiting = held;
      return waiting === null ? Promise.resolve() : new Promise((resolve) => waiting.add(() => resolve()));
    },
    holdRefresh(): void {
      held ??= new Set();
    },
    releaseRefresh: releaseHeld,
    /** The next forced failure, consumed; undefined when none is queued. */
    takeFailure: (): RefreshFailureKind | undefined => failures.shift(),
    advanceClock(ms: number): void {
      clockOffsetMs += ms;
    },
    delayRefresh(ms: number): void {
      refreshDelayMs = Math.max(0, ms);
    },
    failNextRefresh(count: number, kind: RefreshFailureKind): void {
      for (let i = 0; i < count; i++) failures.push(kind);
    },
    clearStats,
    reset(): void {
      generation++;
      clockOffsetMs = 0;
      refreshDelayMs = 0;
      failures.length = 0;
      clearStats();
      // A hung call is answered as the reset server would answer it: nothing stays pending into the next test.
      for (const release of [...hung]) release();
      releaseHeld();
    },
  };
}

export type ServerState = ReturnType<typeof createServerState>;

const KINDS: readonly RefreshFailureKind[] = ['rejected', 'server', 'network', 'hang'];

function assertMs(name: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new TypeError(`[reauth/msw] ${name} expects a number of milliseconds >= 0, got ${String(ms)}`);
  }
}

/** The public `controls`, with their arguments checked (a typo in a test should fail loudly). */
export function createControls(
  state: ServerState,
  store: TokenStore,
  model: CredentialModel,
): MockAuthControls<CookieModel | undefined> {
  return {
    expireAccessTokens: () => store.expireAccessTokens(),
    revokeRefreshTokens: () => store.revokeRefreshTokens(),
    failNextRefresh(count = 1, kind = 'rejected') {
      if (!Number.isInteger(count) || count < 0) {
        throw new TypeError(`[reauth/msw] failNextRefresh expects a count >= 0, got ${String(count)}`);
      }
      if (!KINDS.includes(kind)) {
        throw new TypeError(`[reauth/msw] failNextRefresh kind must be one of ${KINDS.join(', ')}`);
      }
      state.failNextRefresh(count, kind);
    },
    delayRefresh(ms) {
      assertMs('delayRefresh', ms);
      state.delayRefresh(ms);
    },
    holdRefresh: () => state.holdRefresh(),
    releaseRefresh: () => state.releaseRefresh(),
    advanceClock(ms) {
      assertMs('advanceClock', ms);
      state.advanceClock(ms);
    },
    reset() {
      state.reset();
      store.forget();
    },
    clearStats: () => state.clearStats(),
    issueTokens(username, options: IssueOptions = {}) {
      const { acr = 'pwd', authTime = state.now() / 1000 } = options;
      if (!isAcr(acr)) {
        throw new TypeError(
          "[reauth/msw] issueTokens acr expects an acr value without spaces, quotes or backslashes, e.g. 'mfa'",
        );
      }
      if (!Number.isFinite(authTime) || authTime < 0) {
        throw new TypeError(
          `[reauth/msw] issueTokens authTime expects epoch seconds (a number >= 0), got ${String(authTime)}`,
        );
      }
      return model.issue(username, { acr, authTime });
    },
  };
}
