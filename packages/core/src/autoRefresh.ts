import { unref } from './tabLock';
import type { SessionOptions, WakeSignal } from './types';

/** What background refresh and the wake-up signals need of a session. */
export interface ExpiryWatch {
  subscribe(listener: () => void): unknown;
  /** When the token enters its refresh leeway (epoch ms), or null when no background refresh is due. */
  dueAt(): number | null;
  /** Refreshes now if the token needs it; never rejects. */
  check(): void;
  now(): number;
  /** Refresh ahead of expiry on a timer, and (without `wake`) listen to the browser. */
  autoRefresh: boolean;
  /** The app's own wake-up signals; replace the browser's listeners. */
  wake?: SessionOptions['wake'];
  /** The device went offline (false) or came back (true). */
  onNetwork(isOnline: boolean): void;
}

const isHidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden';
/** `addEventListener` of a global that may lack it (React Native has a `window` without it, and no `document`). */
const listen = (target: unknown, type: string, listener: () => void) => {
  const add = (target as { addEventListener?: unknown } | undefined)?.addEventListener;
  if (typeof add === 'function') add.call(target, type, listener);
};

/**
 * Refreshes ahead of expiry while the page is visible, and checks at once when it becomes visible again or
 * comes back online (timers of hidden tabs are throttled, and a laptop wakes with an expired token). With `wake`,
 * the app says when it returns to the foreground or the network changes.
 */
export function watchExpiry({
  subscribe,
  dueAt,
  check,
  now,
  autoRefresh: isTimed,
  wake,
  onNetwork,
}: ExpiryWatch): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Tokens already due when they arrive (a lifetime shorter than the leeway, a server clock behind ours) would
  // be refreshed again the moment each refresh lands, in a loop against the auth server: only a due time still
  // ahead arms the timer. At start, a restored token already due is checked once.
  const arm = (isStart?: boolean) => {
    clearTimeout(timer);
    const at = dueAt();
    const delay = at === null ? 0 : Math.max(at - now(), 0);
    timer =
      !isTimed || isHidden() || at === null || (delay === 0 && !isStart)
        ? undefined
        : unref(setTimeout(wakeUp, Math.min(delay, 2 ** 31 - 1)));
  };
  const wakeUp = () => {
    if (!isHidden()) check();
    arm();
  };
  const notify = (signal?: WakeSignal) => {
    if (signal === 'offline') return onNetwork(false);
    if (signal === 'online') onNetwork(true);
    wakeUp();
  };
  if (wake) {
    // Kept for the session's lifetime, as the session is.
    wake(notify);
  } else if (isTimed) {
    listen(globalThis.document, 'visibilitychange', wakeUp);
    listen(globalThis.window, 'online', () => notify('online'));
    listen(globalThis.window, 'offline', () => notify('offline'));
  }
  if (!isTimed) return;
  subscribe(() => arm());
  arm(true);
}
