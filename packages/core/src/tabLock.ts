import type { LeaseMessage } from './tabMessages';
import { abortReason, deferred, waitFor } from './utils';

/**
 * The part of `navigator.locks` (Web Locks) reauth uses: `navigator.locks` works as it is. The callback runs
 * while the lock named `name` is held, the lock is released when its promise settles, and aborting `signal`
 * gives up waiting for it (the returned promise rejects).
 *
 * `steal: true` (given without a `signal`, as Web Locks require) takes the lock over from its holder at once:
 * the holder's request rejects with an `AbortError`. reauth asks for it only when the lock looks orphaned (held
 * far longer than any refresh of reauth's can hold it, with no holder heard from). A lock may ignore it and
 * grant the lock as usual: the wait stays bounded by `refreshTimeoutMs` all the same.
 */
export interface LockLike {
  request(
    name: string,
    options: { signal?: AbortSignal; steal?: boolean },
    callback: () => Promise<unknown>,
  ): Promise<unknown>;
}

/** Long enough for a message to reach the other tabs: two claims inside it are told apart by their order. */
const CLAIM_WINDOW_MS = 30;

/** Node timers would keep a process alive for a session no one uses any more. */
export function unref<T>(timer: T): T {
  (timer as { unref?: () => void } | undefined)?.unref?.();
  return timer;
}

/** Resolves after `ms`, on a timer that never keeps a Node process alive by itself. */
export const sleep = (ms: number) => new Promise<void>((done) => unref(setTimeout(done, ms)));

/** A random id, to tell tabs and their generations apart. */
export const randomId = (): string => Math.random().toString(36).slice(2);

/** Whether `a` (a claim's time, or a generation's stamp) comes before `b`; a tie goes to the smaller id. */
export const isBefore = (a: number, aId: string, b: number, bId: string): boolean =>
  a < b || (a === b && aId < bId);

/**
 * A lock over a BroadcastChannel, for where Web Locks are missing (Node 20, older Safari). A tab claims the
 * lease and holds it when no earlier claim reached it within the claim window; the holder repeats its claim
 * while it holds, so a tab that died holding it is taken over `leaseMs` after its last claim.
 * @param id this tab's
 */
export function createLeaseLock(post: (message: LeaseMessage) => void, leaseMs: number, id: string) {
  // The lease as this tab knows it: the earliest live claim of another tab (`holder`, until it lapses), and
  // this tab's own claim while it claims or holds (`mine`, lost once an earlier claim reached it).
  let holder: { id: string; at: number; until: number } | null = null;
  let mine: { at: number; isLost?: boolean } | null = null;
  let released = deferred<void>();
  const claim = (at: number) => post({ type: 'claim', id, at });

  /** Waits `ms`, or until a release with `isWakeable`; rejects when `signal` aborts. */
  const pause = (ms: number, signal: AbortSignal | undefined, isWakeable?: boolean) =>
    waitFor(isWakeable ? Promise.race([released.promise, sleep(ms)]) : sleep(ms), signal);

  async function acquire(signal: AbortSignal | undefined, callback: () => Promise<unknown>) {
    for (;;) {
      const now = Date.now();
      if (holder && holder.until > now) {
        await pause(holder.until - now, signal, true);
        continue;
      }
      if (signal?.aborted) throw abortReason(signal);
      const own: { at: number; isLost?: boolean } = { at: now };
      mine = own;
      claim(now);
      let renew: ReturnType<typeof setInterval> | undefined;
      try {
        await pause(CLAIM_WINDOW_MS, signal);
        // After a stalled event loop the window's timer runs before the claims that arrived meanwhile (Node runs
        // timers before I/O): one more turn lets them in before this tab decides it holds the lease.
        await pause(0, signal);
        if (own.isLost) continue;
        renew = unref(setInterval(() => claim(now), leaseMs / 3));
        return await callback();
      } finally {
        // Held, lost or given up: no tab may wait for this claim any more.
        clearInterval(renew);
        mine = null;
        post({ type: 'release', id });
      }
    }
  }
  // One claim per tab at a time: a refresh abandoned here may still hold the lease while the next one asks.
  let turns: Promise<unknown> = Promise.resolve();
  const lock: LockLike = {
    request(_name, { signal }, callback) {
      const turn = turns.then(() => acquire(signal, callback));
      turns = turn.catch(() => {});
      return turn;
    },
  };

  function receive(message: LeaseMessage): void {
    if (message.type === 'release') {
      if (holder?.id === message.id) holder = null;
      released.resolve();
      released = deferred();
    } else if (mine && !mine.isLost && isBefore(mine.at, id, message.at, message.id)) {
      // A tab that missed our claim (opened since, or slow): tell it we were first.
      claim(mine.at);
    } else {
      if (mine) mine.isLost = true;
      // Keep the earliest live claim: a later one lost to it and waits too.
      const isLive = holder && holder.until > Date.now() && holder.id !== message.id;
      if (!isLive || isBefore(message.at, message.id, holder!.at, holder!.id)) {
        holder = { ...message, until: Date.now() + leaseMs };
      }
    }
  }

  return { lock, receive };
}
