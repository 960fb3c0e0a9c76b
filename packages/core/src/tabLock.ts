import { abortReason } from './utils';

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

/** The lease messages tabs exchange on the session's channel. */
export type LeaseMessage = { t: 'claim'; id: string; at: number } | { t: 'release'; id: string };

/** Long enough for a message to reach the other tabs: two claims inside it are told apart by their order. */
const CLAIM_WINDOW_MS = 30;

/** Node timers would keep a process alive for a session no one uses any more. */
export function unref<T>(timer: T): T {
  (timer as { unref?: () => void } | undefined)?.unref?.();
  return timer;
}

/**
 * A lock over a BroadcastChannel, for where Web Locks are missing (Node 20, older Safari). A tab claims the
 * lease and holds it when no earlier claim reached it within the claim window; the holder repeats its claim
 * while it holds, so a tab that died holding it is taken over `leaseMs` after its last claim.
 */
export function createLeaseLock(post: (message: LeaseMessage) => void, leaseMs: number) {
  const id = Math.random().toString(36).slice(2);
  // The earliest claim another tab made, while it lasts; and ours, while we claim or hold.
  let holder: { id: string; at: number; until: number } | null = null;
  let mine: { id: string; at: number; lost: boolean } | null = null;
  const wakers = new Set<() => void>();
  const isEarlier = (a: { id: string; at: number }, b: { id: string; at: number }) =>
    a.at < b.at || (a.at === b.at && a.id < b.id);

  /** Waits `ms`; with `wakeable`, a release ends the wait early. Rejects when `signal` aborts. */
  const pause = (ms: number, signal: AbortSignal | undefined, wakeable: boolean) =>
    new Promise<void>((resolve, reject) => {
      const end = (error?: unknown) => {
        clearTimeout(timer);
        wakers.delete(wake);
        signal?.removeEventListener('abort', abort);
        error ? reject(error) : resolve();
      };
      const wake = () => end();
      const abort = () => end(abortReason(signal as AbortSignal));
      const timer = unref(setTimeout(wake, ms));
      if (wakeable) wakers.add(wake);
      signal?.addEventListener('abort', abort);
      if (signal?.aborted) abort();
    });

  async function acquire(signal: AbortSignal | undefined, callback: () => Promise<unknown>) {
    for (;;) {
      const now = Date.now();
      if (holder && holder.until > now) {
        await pause(holder.until - now, signal, true);
        continue;
      }
      if (signal?.aborted) throw abortReason(signal);
      const claim = { id, at: now, lost: false };
      mine = claim;
      post({ t: 'claim', id, at: now });
      let renew: ReturnType<typeof setInterval> | undefined;
      try {
        await pause(CLAIM_WINDOW_MS, signal, false);
        // After a stalled event loop the window's timer runs before the claims that arrived meanwhile (Node runs
        // timers before I/O): one more turn lets them in before this tab decides it holds the lease.
        await pause(0, signal, false);
        if (claim.lost) continue;
        renew = unref(setInterval(() => post({ t: 'claim', id, at: claim.at }), leaseMs / 3));
        return await callback();
      } finally {
        // Held, lost or given up: no tab may wait for this claim any more.
        clearInterval(renew);
        mine = null;
        post({ t: 'release', id });
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
    if (message.t === 'release') {
      if (holder?.id === message.id) holder = null;
      for (const wake of [...wakers]) wake();
    } else if (mine && !mine.lost && isEarlier(mine, message)) {
      // A tab that missed our claim (opened since, or slow): tell it we were first.
      post({ t: 'claim', id, at: mine.at });
    } else {
      if (mine) mine.lost = true;
      // Keep the earliest live claim: a later one lost to it and waits too.
      const isLive = holder && holder.until > Date.now() && holder.id !== message.id;
      if (!isLive || isEarlier(message, holder as { id: string; at: number })) {
        holder = { id: message.id, at: message.at, until: Date.now() + leaseMs };
      }
    }
  }

  return { lock, receive };
}
