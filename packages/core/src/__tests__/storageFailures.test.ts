import { createSession, type LockLike, type RefreshContext, type TokensInput } from '@reauth/core';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * A Web Storage double whose writes can be made to fail (quota exceeded) while reads keep working; with
 * `removals`, removing fails too (storage that is stuck with what it holds).
 */
function flakyStorage(removals = false) {
  const items = new Map<string, string>();
  let failing = false;
  return {
    items,
    fail: (on: boolean) => {
      failing = on;
    },
    getItem: (key: string) => items.get(key) ?? null,
    setItem(key: string, value: string) {
      if (failing) throw new DOMException('quota', 'QuotaExceededError');
      items.set(key, value);
    },
    removeItem(key: string) {
      if (failing && removals) throw new DOMException('broken', 'InvalidStateError');
      items.delete(key);
    },
  };
}

// Grants at once: one tab, so no contention; what matters is the adopt-after-lock check behind it.
const lock: LockLike = { request: (_name, _options, callback) => callback() };
let keys = 0;
const sessions: { signOut(): void }[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.signOut();
});

/** A session with cross-tab on (so a refresh reads storage after taking the lock) over `storage`. */
function sessionOn(
  storage: ReturnType<typeof flakyStorage>,
  refresh: (context: RefreshContext) => Promise<TokensInput>,
) {
  const session = createSession({
    storage,
    storageKey: `storage-failures-${++keys}`,
    crossTab: { lock },
    autoRefresh: false,
    refresh,
  });
  sessions.push(session);
  return session;
}

const modes = [
  ['the stale entry can be removed', false],
  ['the stale entry stays', true],
] as const;

describe('a storage write that throws', () => {
  // After a failed write, storage holds tokens older than the session's: the refresh that takes the cross-tab
  // lock must not adopt them as another tab's refresh (it would present a spent refresh token again).
  it.each(modes)(
    'never makes the session go back to tokens it already rotated past (%s)',
    async (_, removals) => {
      const storage = flakyStorage(removals);
      const presented: string[] = [];
      let n = 0;
      const session = sessionOn(storage, async ({ refreshToken }) => {
        presented.push(refreshToken);
        n += 1;
        return { accessToken: `access-${n + 1}`, refreshToken: `refresh-${n + 1}`, expiresIn: 3600 };
      });
      session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });

      storage.fail(true); // quota exceeded for this one write
      await session.refresh(); // refresh-1 → access-2 / refresh-2, kept in memory
      storage.fail(false);
      expect(await session.getAccessToken()).toBe('access-2');
      expect(storage.items.size).toBe(removals ? 1 : 0); // a reload finds no stale session

      await session.refresh(); // must present refresh-2
      await session.refresh();

      expect(presented).toEqual(['refresh-1', 'refresh-2', 'refresh-3']);
    },
  );

  // The same after a sign-in of another user whose write failed: this tab must not go on as the previous user.
  it.each(modes)(
    'never makes the session go back to the tokens of the user signed in before (%s)',
    async (_, removals) => {
      const storage = flakyStorage(removals);
      const presented: string[] = [];
      const session = sessionOn(storage, async ({ refreshToken }) => {
        presented.push(refreshToken);
        return { accessToken: `${refreshToken}-next`, expiresIn: 3600 };
      });
      session.signIn({ accessToken: 'alice-access', refreshToken: 'alice-refresh', expiresIn: 3600 });
      storage.fail(true);
      session.signIn({ accessToken: 'bob-access', refreshToken: 'bob-refresh', expiresIn: 3600 });
      storage.fail(false);

      await session.refresh();

      expect(presented).toEqual(['bob-refresh']);
      expect(await session.getAccessToken()).toBe('bob-refresh-next');
    },
  );
});
