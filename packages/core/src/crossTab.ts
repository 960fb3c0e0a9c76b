import { createLeaseLock, type LeaseMessage, type LockLike, unref } from './tabLock';
import { fromStored, type TokenSet, toStored } from './tokens';
import { waitFor, warnOnce } from './utils';

declare const process: { env: { NODE_ENV?: string } };

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

/** Where tokens announced to the other tabs come from: a sign-in, a refresh, or an answer to a new tab. */
export type TokensKind = 'signIn' | 'refresh' | 'state';

/** What tabs of one session say to each other. Tokens travel in it (same origin only), never in a log. */
type TabMessage = (
  | LeaseMessage
  | { t: 'locked' | 'unlocked'; id: string }
  | {
      t: 'tokens';
      kind: TokensKind;
      tokens: ReturnType<typeof toStored>;
      g: Generation | null;
      from?: string;
    }
  | { t: 'signOut'; g: Generation }
  | { t: 'refused'; refreshToken: string }
  | { t: 'hello' }
) & { k?: string };

/**
 * Which sign-in or sign-out a tab's session comes from: a Lamport stamp, ordered across tabs, and a random
 * id. A sign-in and a sign-out (or two sign-ins) that cross on the channel converge on the later one.
 */
type Generation = { s: number; id: string };
/** What a tab holds once its session ended without a sign-out (refused): below every real generation. */
const NO_SESSION: Generation = { s: 0, id: '' };

/** What the session does with the other tabs' news. */
export interface TabListener {
  /**
   * @param from for a refresh result, the refresh token it replaced: only a tab holding it takes the result
   * @returns whether the session took them
   */
  tokens(tokens: TokenSet, kind: TokensKind, from?: string): boolean;
  signOut(): void;
  refused(refreshToken: string): void;
  /** The tokens to hand a new tab, if any. */
  current(): TokenSet | null;
}

export interface Tabs {
  announce(tokens: TokenSet, kind: TokensKind, from?: string): void;
  signOut(): void;
  refused(refreshToken: string): void;
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

/**
 * Connects a session to the other tabs of its origin on the channel `name`: news both ways, and one refresh
 * at a time (Web Locks where present, else `lock`, else a lease on the channel).
 * @param key the session's storage key: a session with another key on the same channel takes none of its news
 * @param refreshTimeoutMs the session's: its holders keep the lock at most twice as long
 */
export function connectTabs(
  name: string,
  listener: TabListener,
  leaseMs: number,
  lock?: LockLike,
  key?: string,
  refreshTimeoutMs = Number.POSITIVE_INFINITY,
): Tabs {
  const channel = unref(new BroadcastChannel(name));
  const post = (message: TabMessage) => {
    try {
      channel.postMessage(key === undefined ? message : { ...message, k: key });
    } catch {
      // closed (the page is going away): the other tabs go on without this one
    }
  };
  const webLocks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  const lease = lock || webLocks ? null : createLeaseLock(post, leaseMs);
  const chosen = (lock ?? webLocks ?? lease?.lock) as LockLike;
  // Web Locks and the channel are separate paths: the next holder could get the lock before the last one's result
  // reaches it, and send the refresh token that result rotated away. So a holder says `locked` and, after its
  // result (one sender's messages keep their order), `unlocked`; the next waits for that word, a moment at most
  // (a holder that died never says it). The lease needs none of it: its release follows the result likewise.
  const id = Math.random().toString(36).slice(2);
  let busy: string | null = null;
  // How long this tab's requests have waited for the lock in vain (across refreshes, idle time between them not
  // counted) since a holder last said a word: longer than any holder of ours can hold it, the lock is orphaned.
  let deniedMs = 0;
  let heardAt = Number.NEGATIVE_INFINITY;
  const orphanMs = 2 * refreshTimeoutMs + ORPHAN_MARGIN_MS;
  let unlocked = () => {};
  let answered = () => {};
  let clock = 0;
  let held: Generation | null = null;
  // The last refresh result heard of while this tab had no session, for an answer to it that crosses it.
  let rotated: { from: string | undefined; tokens: TokenSet } | null = null;
  const stamp = (s = ++clock) => {
    held = { s, id: Math.random().toString(36).slice(2) };
    return held;
  };
  const send = (tokens: TokenSet, kind: TokensKind, from?: string) => {
    if (kind === 'signIn') stamp();
    // A session restored from storage comes before anything said on the channel: it must not outrank a sign-in
    // or a sign-out that crosses this answer.
    else if (kind === 'state' && !held) stamp(0);
    post({ t: 'tokens', kind, tokens: toStored(tokens), g: held, ...(from ? { from } : {}) });
  };
  // News of a later generation than the one this tab holds is taken (unless `take` says false), and held.
  const takeIfLater = (g: Generation | null | undefined, take: () => unknown) => {
    clock = Math.max(clock, g?.s ?? 0);
    const isEarlier = !g || (held && (g.s < held.s || (g.s === held.s && g.id < held.id)));
    if (!isEarlier && take() !== false) held = g as Generation;
  };

  channel.onmessage = ({ data }: MessageEvent<TabMessage>) => {
    // Untagged news (an older reauth) is read as before; news tagged with another key is another session's.
    if (data?.k !== undefined && data.k !== key) return;
    if (data?.t === 'claim' || data?.t === 'release') lease?.receive(data);
    else if (data?.t === 'locked' || data?.t === 'unlocked') {
      heardAt = Date.now();
      deniedMs = 0;
      if (data.t === 'locked') busy = data.id;
      else if (busy === data.id) {
        busy = null;
        unlocked();
      }
    } else if (data?.t === 'signOut') takeIfLater(data.g, listener.signOut);
    else if (data?.t === 'refused') {
      held ??= NO_SESSION;
      listener.refused(data.refreshToken);
    } else if (data?.t === 'hello') {
      const current = listener.current();
      if (current) send(current, 'state');
    } else if (data?.t === 'tokens') {
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
        takeIfLater(data.g, () => listener.tokens(next, data.kind));
      }
      if (data.kind === 'state') answered();
    }
  };

  return {
    announce: send,
    signOut: () => post({ t: 'signOut', g: stamp() }),
    refused(refreshToken) {
      held ??= NO_SESSION;
      post({ t: 'refused', refreshToken });
    },
    ask: () =>
      new Promise<void>((resolve) => {
        // Not unref()ed: a request waits for this, and Node would exit under it, the request never settled.
        const timer = setTimeout(() => answered(), ASK_MS);
        answered = () => {
          clearTimeout(timer);
          resolve();
        };
        post({ t: 'hello' });
      }),
    exclusive(signal, task) {
      const askedAt = Date.now();
      const isStealing = !lease && deniedMs >= orphanMs;
      let isGranted = false;
      let isLost = false;
      const callback = async () => {
        isGranted = true;
        deniedMs = 0;
        const grantedAt = Date.now();
        // A result posted just before the lock came free may still be on its way: let it land first. A tab that
        // took the lock over waits longer: by then it has heard of a live holder it took it from, or lost it to
        // another tab taking it over at the same moment.
        await new Promise((next) => setTimeout(next, isStealing ? SETTLE_MS : 0));
        if (!lease && busy) {
          await new Promise((done) => {
            unlocked = () => done(null);
            unref(setTimeout(done, Math.min(leaseMs, 1_000)));
            signal.addEventListener('abort', done);
          });
        }
        busy = null; // a holder that has not said it left by now died holding the lock
        if (signal.aborted || isLost || (isStealing && heardAt >= grantedAt)) return;
        if (isStealing && process.env.NODE_ENV !== 'production') {
          warnOnce(
            `the cross-tab lock "${name}" was taken over: no tab released it or said it held it for ${orphanMs} ms, longer than reauth ever holds it (a browser fault, an extension or a frozen frame holds it).`,
          );
        }
        if (!lease) post({ t: 'locked', id });
        const run = task();
        await new Promise((done) => {
          run.then(done, done);
          signal.addEventListener('abort', done);
        });
        // A next holder that has not heard we took the lock relies on this: hold on while the result travels.
        if (!signal.aborted) await new Promise((next) => unref(setTimeout(next, SETTLE_MS)));
        if (!lease) post({ t: 'unlocked', id });
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
