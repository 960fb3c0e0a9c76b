import { createLeaseLock, isBefore, type LockLike, randomId, sleep, unref } from './tabLock';
import type { Generation, TabMessage, TokensKind } from './tabMessages';
import { fromStored, type TokenSet, toStored } from './tokens';
import { waitFor, warnOnce } from './utils';

export type { TokensKind } from './tabMessages';

/** How long a new tab waits for an open tab to hand it the session. */
const ASK_MS = 100;
/** How long a tab keeps the lock after a refresh, so that its result reaches the others first. */
const SETTLE_MS = 50;
/**
 * A holder of ours keeps the lock at most twice the refresh timeout (the grace period abandons its refresh), and
 * says `locked` within a second of taking it. Past both, with room for messages on their way and for a hidden
 * tab's timers (browsers run them up to a second late), a lock denied in silence is orphaned.
 */
const ORPHAN_MARGIN_MS = 5_000;
/** What a tab holds once its session ended without a sign-out (refused): below every real generation. */
const ENDED: Generation = { seq: 0, id: '' };

/** What the session does with the other tabs' news. */
export interface TabListener {
  /**
   * @param from for a refresh result, the refresh token it replaced: only a tab holding it takes the result
   * @returns whether the session took them
   */
  tokens(tokens: TokenSet, kind: TokensKind, from?: string): boolean;
  signOut(): void;
  refused(refreshToken: string | null, since?: number): void;
  /** The tokens to hand a new tab, if any. */
  current(): TokenSet | null;
}

export interface Tabs {
  announce(tokens: TokenSet, kind: TokensKind, from?: string): void;
  signOut(): void;
  refused(refreshToken: string | null, since?: number): void;
  /**
   * Asks the open tabs for the current session; an answer comes as `tokens` of kind `state`.
   * @returns a promise that resolves with the first answer, or after a moment without one
   */
  ask(): Promise<void>;
  /**
   * Runs `task` holding the cross-tab refresh lock, which is held until the task ends or `signal` aborts (an
   * abandoned refresh must not hold the other tabs). Rejects when the lock could not be taken (`signal`
   * aborted while waiting, or the lock failed); the task handles its own outcome. A Web Lock (or an injected
   * lock) denied for longer than a holder of ours can hold it, with no holder heard from, is taken over
   * (`steal`); a tab that loses the lock so before its task started never starts it.
   */
  exclusive(signal: AbortSignal, task: () => Promise<void>): Promise<void>;
}

export interface TabsOptions {
  /** The channel's name, and the lock's. */
  channelName: string;
  /** What the session does with the other tabs' news. */
  listener: TabListener;
  /** How long the channel lease outlives its holder's last claim (a tab that died holding it). */
  leaseMs: number;
  /** Used instead of Web Locks; without either, a lease on the channel. */
  lock?: LockLike | undefined;
  /** The session's storage key: a session with another key on the same channel takes none of its news. */
  storageKey?: string | undefined;
  /** The session's: its holders keep the lock at most twice as long. */
  refreshTimeoutMs: number;
}

/**
 * Connects a session to the other tabs of its origin on the channel `channelName`: news both ways, and one
 * refresh at a time (Web Locks where present, else `lock`, else a lease on the channel).
 */
export function connectTabs({
  channelName: name,
  listener,
  leaseMs,
  lock,
  storageKey: key,
  refreshTimeoutMs,
}: TabsOptions): Tabs {
  const channel = unref(new BroadcastChannel(name));
  const post = (message: TabMessage) => {
    try {
      channel.postMessage({ ...message, key });
    } catch {
      // closed (the page is going away): the other tabs go on without this one
    }
  };
  const id = randomId();
  const webLocks = globalThis.navigator?.locks;
  const lease = lock || webLocks ? null : createLeaseLock(post, leaseMs, id);
  const chosen = (lock ?? webLocks ?? lease?.lock) as LockLike;

  // What this tab knows of the session's history (`clock`, a Lamport clock), in one of three states, `held`:
  // - null: it has heard of no session (a new tab): an answer to its `hello` starts one;
  // - ENDED: its session ended without a sign-out (a refused refresh token): no late answer brings it back;
  // - a generation: the sign-in or sign-out it holds; only a later one replaces it.
  let clock = 0;
  let held: Generation | null = null;
  // The last refresh result heard of while this tab had no session, for an answer to it that crosses it.
  let rotated: { from: string | undefined; tokens: TokenSet } | null = null;
  let answered = () => {};

  // Web Locks and the channel are separate paths: the next holder could get the lock before the last one's result
  // reaches it, and send the refresh token that result rotated away. So a holder says `locked` and, after its
  // result (one sender's messages keep their order), `unlocked`; the next waits for that word, a moment at most
  // (a holder that died never says it). The lease needs none of it: its release follows the result likewise.
  // `holder`: the tab that said `locked` and has not said `unlocked` yet; `unlocked` wakes the tab waiting for it.
  let holder: string | null = null;
  let unlocked = () => {};
  // How long this tab's requests have waited for the lock in vain (across refreshes, idle time between them not
  // counted) since a holder last said a word: longer than any holder of ours can hold it, the lock is orphaned.
  let deniedMs = 0;
  let heardAt = 0;
  const orphanMs = 2 * refreshTimeoutMs + ORPHAN_MARGIN_MS;

  const stamp = (seq = ++clock) => (held = { seq, id: randomId() });
  const send = (tokens: TokenSet, kind: TokensKind, from?: string) => {
    if (kind === 'signIn') stamp();
    // A session restored from storage comes before anything said on the channel: it must not outrank a sign-in
    // or a sign-out that crosses this answer.
    else if (kind === 'state' && !held) stamp(0);
    post({ type: 'tokens', kind, tokens: toStored(tokens), gen: held, from });
  };
  // News of a later generation than the one this tab holds is taken (unless `take` says false), and held.
  const takeIfLater = (gen: Generation | null | undefined, take: () => unknown) => {
    clock = Math.max(clock, gen?.seq ?? 0);
    if (gen && !(held && isBefore(gen.seq, gen.id, held.seq, held.id)) && take() !== false) held = gen;
  };

  channel.onmessage = ({ data }: MessageEvent<TabMessage | null>) => {
    // News tagged with another key is another session's; untagged news is read as ours.
    if (data?.key !== undefined && data.key !== key) return;
    switch (data?.type) {
      case 'claim':
      case 'release':
        lease?.receive(data);
        break;
      case 'locked':
      case 'unlocked':
        heardAt = Date.now();
        deniedMs = 0;
        if (data.type === 'locked') holder = data.id;
        else if (holder === data.id) {
          holder = null;
          unlocked();
        }
        break;
      case 'signOut':
        takeIfLater(data.gen, listener.signOut);
        break;
      case 'refused':
        held ??= ENDED;
        listener.refused(data.refreshToken, data.since);
        break;
      case 'hello': {
        const current = listener.current();
        if (current) send(current, 'state');
        break;
      }
      case 'tokens': {
        let tokens: TokenSet;
        try {
          tokens = fromStored(data.tokens);
        } catch {
          return; // another version of reauth on the same channel: not ours to read
        }
        if (data.kind === 'refresh') {
          rotated = held ? null : { from: data.from, tokens };
          listener.tokens(tokens, 'refresh', data.from);
        } else if (data.kind === 'signIn' || !held) {
          // An answer from a tab that had not heard of a refresh yet carries the refresh token it rotated away.
          const next = tokens.refreshToken === rotated?.from ? rotated.tokens : tokens;
          // An older sign-in than this tab's is not taken: the other tab takes ours from our own announcement. An
          // answer to a new tab is taken only by a tab that has heard of no session: not by one whose session
          // ended since, which a late answer would bring back.
          takeIfLater(data.gen, () => listener.tokens(next, data.kind));
        }
        if (data.kind === 'state') answered();
      }
    }
  };

  return {
    announce: send,
    signOut: () => post({ type: 'signOut', gen: stamp() }),
    refused(refreshToken, since) {
      held ??= ENDED;
      post({ type: 'refused', refreshToken, since });
    },
    ask: () =>
      new Promise<void>((resolve) => {
        // Not unref()ed: a request waits for this, and Node would exit under it, the request never settled. Cleared
        // on the first answer, so it keeps no process alive longer than the ask.
        const timer = setTimeout(resolve, ASK_MS);
        answered = () => {
          clearTimeout(timer);
          resolve();
        };
        post({ type: 'hello' });
      }),
    exclusive(signal, task) {
      const askedAt = Date.now();
      const isStealing = !lease && deniedMs >= orphanMs;
      let isGranted = false;
      let isLost = false;
      /** Waits for `promise` (at most `ms`), or until `signal` aborts. */
      const wait = (promise: Promise<unknown>, ms?: number) =>
        waitFor(ms === undefined ? promise : Promise.race([promise, sleep(ms)]), signal).catch(() => {});
      /** Tells the other tabs (with Web Locks) that this one holds the lock, or left it. */
      const say = (type: 'locked' | 'unlocked') => lease || post({ type, id });
      const callback = async () => {
        isGranted = true;
        deniedMs = 0;
        const grantedAt = Date.now();
        // A result posted just before the lock came free may still be on its way: let it land first. A tab that
        // took the lock over waits longer: by then it has heard of a live holder it took it from, or lost it to
        // another tab taking it over at the same moment.
        await new Promise((next) => setTimeout(next, isStealing ? SETTLE_MS : 0));
        if (!lease && holder)
          await wait(new Promise<void>((done) => (unlocked = done)), Math.min(leaseMs, 1_000));
        holder = null; // a holder that has not said it left by now died holding the lock
        if (signal.aborted || isLost || (isStealing && heardAt >= grantedAt)) return;
        if (isStealing && process.env.NODE_ENV !== 'production') {
          warnOnce(
            `the cross-tab lock "${name}" was taken over: no tab released it or said it held it for ${orphanMs} ms, longer than reauth ever holds it (a browser fault, an extension or a frozen frame holds it).`,
          );
        }
        say('locked');
        await wait(task());
        // A next holder that has not heard we took the lock relies on this: hold on while the result travels.
        if (!signal.aborted) await sleep(SETTLE_MS);
        say('unlocked');
      };
      // Web Locks take no signal with `steal`; a lock that ignores `steal` is still given up on abort.
      const request = isStealing
        ? waitFor(chosen.request(name, { steal: true }, callback), signal)
        : chosen.request(name, { signal }, callback);
      return request.then(
        () => {},
        (error) => {
          if (!isGranted) {
            deniedMs += Date.now() - Math.max(askedAt, heardAt);
            throw error;
          }
          isLost = true; // taken over by another tab: if our refresh has not started, it never will
        },
      );
    },
  };
}
