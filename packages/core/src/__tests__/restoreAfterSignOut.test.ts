import { type AsyncStorageLike, createSession, type RefreshContext } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asReactNative, asyncStorage, restoreGlobals, stored, T0 } from './support/asyncStorage';

// restore() reads storage again when signed out (DESIGN.md, "Start-up: restoring"). Right after a sign-out the
// removal it wrote may not have reached storage yet: the read must come after it, or it brings back the session
// the user just ended. Found by restoringProperties.test.ts (seeds 241661964 and 1110237034: a refresh token
// presented again after signOut + restore).

beforeEach(asReactNative);
afterEach(restoreGlobals);

/** A Promise storage that answers in the order it was asked (as IndexedDB and AsyncStorage do); `release` answers. */
function orderedStorage() {
  const items = new Map<string, string>();
  const queue: { op: string; answer(): void }[] = [];
  const ask = <T>(op: string, run: () => T) =>
    new Promise<T>((resolve) => void queue.push({ op, answer: () => resolve(run()) }));
  const storage: AsyncStorageLike = {
    getItem: (key) => ask(`get ${key}`, () => items.get(key) ?? null),
    setItem: (key, value) => ask(`set ${key}`, () => void items.set(key, value)),
    removeItem: (key) => ask(`remove ${key}`, () => void items.delete(key)),
  };
  /** Answers everything asked so far and since, in order, until storage is quiet. */
  const release = async () => {
    for (let turn = 0; turn < 10; turn += 1) {
      for (let next = queue.shift(); next; next = queue.shift()) next.answer();
      await vi.advanceTimersByTimeAsync(0);
    }
  };
  return { storage, items, release };
}

describe('restore() right after a sign-out', () => {
  it('does not read storage ahead of the sign-out still being written (the removal queued behind a write)', async () => {
    const kit = orderedStorage();
    const session = createSession({ storage: kit.storage, refresh: vi.fn(), refreshTimeoutMs: 1_000 });
    await kit.release();
    expect(session.getState().status).toBe('signedOut');

    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 3600 }); // its write is under way
    session.signOut(); // its removal waits for that write
    const restored = session.restore();
    await kit.release();
    await restored;

    expect(kit.items.size, 'storage holds nothing after the sign-out').toBe(0);
    expect(session.getState().status, 'the ended session is not restored').toBe('signedOut');
    expect(session.getState().user).toBeNull();
  });

  it('never presents again the refresh token of a refresh that the sign-out dropped', async () => {
    const presented: string[] = [];
    let issued = 1;
    const refresh = vi.fn(
      ({ refreshToken }: RefreshContext) =>
        new Promise<{ accessToken: string; refreshToken: string; expiresIn: number }>((resolve) => {
          presented.push(refreshToken);
          // The server spends the token when the call reaches it, whether the client still waits or not.
          setTimeout(() => {
            issued += 1;
            resolve({ accessToken: `a${issued}`, refreshToken: `r${issued}`, expiresIn: 60 });
          }, 0);
        }),
    );
    const kit = asyncStorage({ reauth: stored('a1', 'r1', T0, T0 + 60_000) });
    const session = createSession({
      storage: kit.storage,
      refresh,
      refreshTimeoutMs: 1_000,
      autoRefresh: true,
      wake: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(30_000); // inside the leeway: the background refresh sends r1
    expect(presented).toEqual(['r1']);

    session.signOut();
    const restored = session.restore();
    await vi.advanceTimersByTimeAsync(0);
    await restored;
    expect(session.getState().status, 'the ended session is not restored').toBe('signedOut');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(new Set(presented).size, 'no refresh token presented twice').toBe(presented.length);
  });
});
