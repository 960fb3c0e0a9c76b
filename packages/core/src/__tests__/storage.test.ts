import { createSession, type StorageLike } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryStorage, T0 } from './support/harness';
import { jwtExpiringIn } from './support/jwt';

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const now = () => Date.now();
const refresh = async () => ({ accessToken: 'refreshed' });

// warnOnce deduplicates identical messages for the module's life, and its messages name the key:
// each test that expects a warning uses a key of its own.
describe('storage', () => {
  it('persists the session in the versioned shape under storageKey', () => {
    const storage = memoryStorage();
    const session = createSession({ storage, storageKey: 'app-auth', now, refresh });
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 600 });
    expect([...storage.items.keys()]).toEqual(['app-auth']);
    expect(JSON.parse(storage.getItem('app-auth') ?? 'null')).toEqual({
      v: 1,
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      expiresAt: T0 + 600_000,
      receivedAt: T0,
    });
  });

  it('uses the key "reauth" by default', () => {
    const storage = memoryStorage();
    createSession({ storage, now }).signIn({ accessToken: 'access-1' });
    expect(storage.getItem('reauth')).not.toBeNull();
  });

  it('restores the session before createSession returns: signedIn on the first getState()', async () => {
    const storage = memoryStorage();
    const accessToken = jwtExpiringIn(600, T0);
    createSession({ storage, now, refresh }).signIn({ accessToken, refreshToken: 'refresh-1' });

    const restored = createSession({ storage, now, refresh });
    expect(restored.getState()).toEqual({
      status: 'signedIn',
      user: expect.objectContaining({ sub: 'alice' }),
      expiresAt: T0 + 600_000,
      error: null,
    });
    expect(await restored.getAccessToken()).toBe(accessToken);
  });

  it('restores the refresh token too: the restored session refreshes with it', async () => {
    const storage = memoryStorage();
    createSession({ storage, now, refresh }).signIn({ accessToken: 'a', refreshToken: 'kept', expiresIn: 1 });
    const refreshFn = vi.fn(async () => ({ accessToken: 'b' }));
    const restored = createSession({ storage, now, refresh: refreshFn });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await restored.getAccessToken()).toBe('b');
    expect(refreshFn).toHaveBeenCalledWith(expect.objectContaining({ refreshToken: 'kept' }));
  });

  it.each([
    ['non-JSON data', 'key-non-json', '{not json'],
    [
      'data of another version',
      'key-wrong-version',
      JSON.stringify({ v: 99, accessToken: 'a', receivedAt: 1 }),
    ],
    [
      'JSON that is not a session',
      'key-not-session',
      JSON.stringify({ v: 1, receivedAt: 1, accessToken: 5 }),
    ],
    ['a JSON null', 'key-null', 'null'],
  ])('ignores and removes %s, warning in development, without throwing', (_, key, raw) => {
    const storage = memoryStorage({ [key]: raw });
    const session = createSession({ storage, storageKey: key, now });
    expect(session.getState().status).toBe('signedOut');
    expect(storage.getItem(key)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(new RegExp(`^\\[reauth\\] .*"${key}".*discarded`));
  });

  it('starts signed out, warning, when storage.getItem throws', () => {
    const storage: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError: access denied');
      },
      setItem: () => {},
      removeItem: () => {},
    };
    const session = createSession({ storage, storageKey: 'key-getitem-throws', now });
    expect(session.getState().status).toBe('signedOut');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[reauth\] .*key-getitem-throws/));
  });

  it('does not warn about discarded data in production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const storage = memoryStorage({ 'key-production': '{not json' });
    const session = createSession({ storage, storageKey: 'key-production', now });
    expect(session.getState().status).toBe('signedOut');
    expect(storage.getItem('key-production')).toBeNull();
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps the session in memory when storage.setItem throws (quota exceeded, private mode)', async () => {
    const storage: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    const session = createSession({ storage, now });
    expect(() => session.signIn({ accessToken: 'in-memory', refreshToken: 'r' })).not.toThrow();
    expect(session.getState().status).toBe('signedIn');
    expect(await session.getAccessToken()).toBe('in-memory');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[reauth\] storage failed/));
    expect(JSON.stringify(warn.mock.calls)).not.toContain('in-memory');
  });

  it('discards an expired stored session that has no refresh token', async () => {
    const storage = memoryStorage();
    createSession({ storage, now }).signIn({ accessToken: 'short-lived', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(60_000);

    const restored = createSession({ storage, now });
    expect(restored.getState().status).toBe('signedOut');
    expect(await restored.getAccessToken()).toBeNull();
    expect(storage.getItem('reauth')).toBeNull();
  });

  it('keeps an expired stored session that has a refresh token, to refresh it', async () => {
    const storage = memoryStorage();
    createSession({ storage, now }).signIn({ accessToken: 'old', refreshToken: 'r', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(61_000);

    const restored = createSession({ storage, now, refresh });
    expect(restored.getState().status).toBe('signedIn');
    expect(await restored.getAccessToken()).toBe('refreshed');
  });

  it('clears the stored session on signOut', () => {
    const storage = memoryStorage();
    const session = createSession({ storage, now });
    session.signIn({ accessToken: 'a', refreshToken: 'r' });
    session.signOut();
    expect(storage.getItem('reauth')).toBeNull();
    expect(createSession({ storage, now }).getState().status).toBe('signedOut');
  });

  it('stores the new tokens after a refresh', async () => {
    const storage = memoryStorage();
    const session = createSession({
      storage,
      now,
      refresh: async () => ({ accessToken: 'new-access', refreshToken: 'new-refresh' }),
    });
    session.signIn({ accessToken: 'old-access', refreshToken: 'old-refresh' });
    await session.refresh();
    expect(JSON.parse(storage.getItem('reauth') ?? 'null')).toMatchObject({
      accessToken: 'new-access',
      refreshToken: 'new-refresh',
    });
  });
});
