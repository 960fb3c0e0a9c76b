import { unref } from './tabLock';

/** What background refresh needs of a session. */
export interface ExpiryWatch {
  subscribe(listener: () => void): unknown;
  /** When the token enters its refresh leeway (epoch ms), or null when no background refresh is due. */
  dueAt(): number | null;
  /** Refreshes now if the token needs it; never rejects. */
  check(): void;
  now(): number;
}

const isHidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden';

/**
 * Refreshes ahead of expiry while the page is visible, and checks at once when it becomes visible again or
 * comes back online (timers of hidden tabs are throttled, and a laptop wakes with an expired token).
 */
export function watchExpiry({ subscribe, dueAt, check, now }: ExpiryWatch): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Tokens already due when they arrive (a lifetime shorter than the leeway, a server clock behind ours) would
  // be refreshed again the moment each refresh lands, in a loop against the auth server: only a due time still
  // ahead arms the timer. At start, a restored token already due is checked once.
  const arm = (isStart?: boolean) => {
    clearTimeout(timer);
    const at = dueAt();
    const delay = at === null ? 0 : Math.max(at - now(), 0);
    timer =
      isHidden() || at === null || (delay === 0 && !isStart)
        ? undefined
        : unref(setTimeout(wake, Math.min(delay, 2 ** 31 - 1)));
  };
  const wake = () => {
    if (!isHidden()) check();
    arm();
  };
  subscribe(() => arm());
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', wake);
  if (typeof window !== 'undefined') window.addEventListener('online', wake);
  arm(true);
}
