import { type AsyncStorageLike, createSession, type RefreshContext } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubBroadcastChannel } from './support/fakeChannel';
import { inProcessLock } from './support/inProcessLock';
import { makeJwt } from './support/jwt';

// With cross-tab on, a tab that takes the refresh lock first reads storage: another tab may have refreshed
// meanwhile. With an asynchronous storage that read must come after the session's own writes, or it answers with
// what they replace (a write queued behind a pending one), and the session adopts older tokens as "another tab's".

beforeEach(() => {
  vi.useFakeTimers();
  stubBroadcastChannel();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** A Promise storage that answers in the order it was asked (as IndexedDB and AsyncStorage do); `release` answers. */
function orderedStorage() {
  const items = new Map<string, string>();
  const queue: (() => void)[] = [];
  const ask = <T>(run: () => T) => new Promise<T>((resolve) => void queue.push(() => resolve(run())));
  const storage: AsyncStorageLike = {
    getItem: (key) => ask(() => items.get(key) ?? null),
    setItem: (key, value) => ask(() => void items.set(key, value)),
    removeItem: (key) => ask(() => void items.delete(key)),
  };
  /** Answers everything asked so far and since, in order, until storage is quiet. */
  const release = async () => {
    for (let turn = 0; turn < 10; turn += 1) {
      for (let next = queue.shift(); next; next = queue.shift()) next();
      await vi.advanceTimersByTimeAsync(0);
    }
  };
  return { storage, release };
}

describe('the refresh lock’s read of storage', () => {
  it('comes after the session’s own writes: a second sign-in still being written is not undone by the refresh', async () => {
    const kit = orderedStorage();
    const presented: (string | null)[] = [];
    const refresh = vi.fn(async ({ refreshToken }: RefreshContext) => {
      presented.push(refreshToken);
      return { accessToken: makeJwt({ sub: 'bob', n: 2 }), refreshToken: 'bob-r2', expiresIn: 3600 };
    });
    const { lock } = inProcessLock();
    const session = createSession({
      storage: kit.storage,
      refresh,
      refreshTimeoutMs: 1_000,
      autoRefresh: false,
      crossTab: { lock },
    });
    await kit.release();

    session.signIn({ accessToken: makeJwt({ sub: 'alice' }), refreshToken: 'alice-r1', expiresIn: 3600 });
    // Bob signs in while alice's tokens are still being written: bob's write waits behind hers.
    session.signIn({ accessToken: makeJwt({ sub: 'bob' }), refreshToken: 'bob-r1', expiresIn: 3600 });
    const refreshed = session.refresh();
    await vi.advanceTimersByTimeAsync(10); // the lock is granted and its read asked for, storage still busy
    await kit.release();
    await refreshed;

    expect(presented, "bob's refresh token, not alice's").toEqual(['bob-r1']);
    expect(session.getState().user?.sub).toBe('bob');
  });
});
