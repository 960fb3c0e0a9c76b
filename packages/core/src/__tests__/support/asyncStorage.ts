import { type AsyncStorageLike, createSession, type SessionOptions, type WakeSignal } from '@reauth/core';
import { vi } from 'vitest';

/** The fake clock's start in the restoring tests. */
export const T0 = Date.UTC(2030, 0, 1);

/** A stored session as reauth writes it (`v: 1`). */
export const stored = (
  accessToken: string,
  refreshToken: string | null = 'r1',
  receivedAt = T0,
  expiresAt = T0 + 3_600_000,
) => JSON.stringify({ v: 1, accessToken, refreshToken, expiresAt, receivedAt });

/**
 * A Promise storage (AsyncStorage's shape). A read takes what is stored when it is asked and answers later, as
 * IndexedDB does; with `hold()`, every operation waits in `held` until the test resolves (or rejects) it.
 * `calls` records what it was asked.
 */
export function asyncStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  const calls: string[] = [];
  const held: { resolve(): void; reject(error: unknown): void; op: string }[] = [];
  let isHolding = false;
  const answer = <T>(op: string, run: () => T): Promise<T> => {
    calls.push(op);
    if (!isHolding) return Promise.resolve().then(run);
    return new Promise<T>((resolve, reject) => {
      held.push({ op, resolve: () => resolve(run()), reject });
    });
  };
  const storage: AsyncStorageLike = {
    getItem: (key) => {
      const snapshot = items.get(key) ?? null;
      return answer(`get ${key}`, () => snapshot);
    },
    setItem: (key, value) => answer(`set ${key}`, () => void items.set(key, value)),
    removeItem: (key) => answer(`remove ${key}`, () => void items.delete(key)),
  };
  const hold = (on = true) => {
    isHolding = on;
  };
  return { storage, items, calls, held, hold };
}

/** Fake timers from T0 and React Native's globals: `navigator.product`, a `window` without addEventListener. */
export function asReactNative() {
  vi.useFakeTimers({ now: T0 });
  vi.stubGlobal('navigator', { product: 'ReactNative' });
  vi.stubGlobal('window', {});
}

export function restoreGlobals() {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.restoreAllMocks();
}

/** A session whose wake-up signals the test sends with `notify`; `unsubscribe` is what its `wake` returned. */
export function withWake(options: Omit<SessionOptions, 'wake'>): {
  session: ReturnType<typeof createSession>;
  notify: (signal?: WakeSignal) => void;
  unsubscribe: ReturnType<typeof vi.fn>;
} {
  const wiring: { notify?: (signal?: WakeSignal) => void } = {};
  const unsubscribe = vi.fn();
  const session = createSession({
    ...options,
    wake: (notify) => {
      wiring.notify = notify;
      return unsubscribe;
    },
  });
  const notify = (signal?: WakeSignal) => wiring.notify?.(signal);
  return { session, notify, unsubscribe };
}
