import { createSession, type SessionOptions, type StorageLike } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeChannel, rawTab, stubBroadcastChannel } from './support/fakeChannel';
import { controlledRefresh, httpError, memoryStorage, settle, T0, track } from './support/harness';
import { inProcessLock } from './support/inProcessLock';

// Races between tabs that the happy-path tests in crossTab.test.ts do not reach: news slower than the lock,
// a tab that dies holding Web Locks, news crossing on the channel, and two sessions sharing one channel.

const TIMEOUT = 1_000;
let keys = 0;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  stubBroadcastChannel();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** A stored session, as a tab restored from its own storage (sessionStorage, a reload) has it. */
const stored = (accessToken: string, refreshToken: string) =>
  JSON.stringify({ v: 1, accessToken, refreshToken, expiresAt: null, receivedAt: T0 });

function tabsOn(options: SessionOptions) {
  const control = controlledRefresh();
  const open = (extra: SessionOptions = {}) =>
    createSession({
      refresh: control.refresh,
      storage: memoryStorage(),
      now: () => Date.now(),
      refreshTimeoutMs: TIMEOUT,
      ...options,
      ...extra,
    });
  return { open, ...control };
}

describe('cross-tab races', () => {
  it('a refresh result slower than the lock hand-over is still adopted: the refresh token is sent once', async () => {
    const { lock } = inProcessLock();
    const { open, refresh, call } = tabsOn({ storageKey: `slow-${++keys}`, crossTab: { lock } });
    const [a, b] = [open(), open()];
    a.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 60 });
    await settle();
    // Tab b is busy: what a says reaches it 100 ms late, later than a's lock reaches it.
    FakeChannel.delayMs = 100;
    await vi.advanceTimersByTimeAsync(60_000);
    const waiting = [track(a.getAccessToken()), track(b.getAccessToken())];
    await vi.advanceTimersByTimeAsync(200);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(500);

    expect(refresh.mock.calls.map(([context]) => context.refreshToken)).toEqual(['refresh-1']);
    expect(waiting.map((w) => w.value)).toEqual(['access-2', 'access-2']);
  });

  it('a tab that died holding the lock does not stop the next one refreshing, within the timeout', async () => {
    const { lock } = inProcessLock();
    const storageKey = `dead-${++keys}`;
    const { open, call } = tabsOn({ storageKey, crossTab: { lock } });
    const tab = open();
    tab.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 60 });
    // It said it took the lock, then its page was closed (Web Locks freed its lock at once).
    rawTab(`reauth:${storageKey}`).postMessage({ type: 'locked', id: 'dead' });
    await vi.advanceTimersByTimeAsync(60_000);
    const token = track(tab.getAccessToken());
    await vi.advanceTimersByTimeAsync(TIMEOUT - 100);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await settle();
    expect(token.value).toBe('access-2');
  });

  it('a tab restored from its own storage, answering a new tab, does not outrank a sign-in crossing its answer', async () => {
    const storageKey = `restored-${++keys}`;
    const { open } = tabsOn({ storageKey, crossTab: true });
    const restoredStorage: StorageLike = memoryStorage({ [storageKey]: stored('access-old', 'refresh-old') });
    const restored = open({ storage: restoredStorage });
    const fresh = open(); // asks the open tabs for the session
    // Which of two crossing generations wins is decided by their random ids: make the sign-in's the smaller.
    vi.spyOn(Math, 'random').mockReturnValueOnce(0.1).mockReturnValueOnce(0.9);
    fresh.signIn({ accessToken: 'access-new', refreshToken: 'refresh-new' });
    await vi.advanceTimersByTimeAsync(10);

    expect(await restored.getAccessToken()).toBe('access-new');
    expect(await fresh.getAccessToken()).toBe('access-new');
  });

  it('a session with another storageKey takes nothing from a channel it shares (a custom channelName)', async () => {
    const { open } = tabsOn({ crossTab: { channelName: 'one-app' } });
    const user = open({ storageKey: 'user' });
    const admin = open({ storageKey: 'admin' });
    admin.signIn({ accessToken: 'admin-access', refreshToken: 'admin-refresh' });
    await vi.advanceTimersByTimeAsync(200);
    expect(user.getState().status).toBe('signedOut');
    expect(await user.getAccessToken()).toBeNull();

    user.signIn({ accessToken: 'user-access', refreshToken: 'user-refresh' });
    user.signOut();
    await vi.advanceTimersByTimeAsync(10);
    expect(await admin.getAccessToken()).toBe('admin-access');
  });

  it.each(['here', 'in another tab'])(
    'a late answer to a new tab does not bring back a session refused %s',
    async (where) => {
      const storageKey = `ended-${++keys}`;
      const { open, call } = tabsOn({ storageKey, crossTab: true });
      const tab = open({ storage: memoryStorage({ [storageKey]: stored('access-1', 'refresh-1') }) });
      if (where === 'here') {
        void track(tab.refresh());
        await vi.advanceTimersByTimeAsync(50); // the lease is claimed, the refresh sent
        call(0).reject(httpError(401));
      } else rawTab(`reauth:${storageKey}`).postMessage({ type: 'refused', refreshToken: 'refresh-1' });
      await vi.advanceTimersByTimeAsync(100);
      expect(tab.getState()).toMatchObject({ status: 'signedOut', error: { code: 'SESSION_EXPIRED' } });
      // Another tab that has not heard of the refusal yet answers a third, new tab: everyone hears it.
      rawTab(`reauth:${storageKey}`).postMessage({
        type: 'tokens',
        kind: 'state',
        tokens: JSON.parse(stored('access-1', 'refresh-1')),
        gen: { seq: 0, id: 'x' },
      });
      await settle();
      expect(tab.getState().status).toBe('signedOut');
      expect(await tab.getAccessToken()).toBeNull();
    },
  );

  it('a new tab whose answer crosses a refresh takes the refreshed tokens, never the rotated refresh token', async () => {
    const storageKey = `crossing-${++keys}`;
    const { open, refresh, call } = tabsOn({ storageKey, crossTab: true });
    const fresh = open(); // asks the open tabs
    const other = rawTab(`reauth:${storageKey}`);
    const tokens = (access: string, refreshToken: string) => JSON.parse(stored(access, refreshToken));
    // One tab refreshes; another, which has not heard of it yet, answers with the tokens it replaced.
    other.postMessage({
      type: 'tokens',
      kind: 'refresh',
      tokens: tokens('access-2', 'refresh-2'),
      gen: null,
      from: 'refresh-1',
    });
    other.postMessage({
      type: 'tokens',
      kind: 'state',
      tokens: tokens('access-1', 'refresh-1'),
      gen: { seq: 1, id: 'y' },
    });
    await settle();
    expect(await fresh.getAccessToken()).toBe('access-2');
    void track(fresh.refresh());
    await vi.advanceTimersByTimeAsync(100);
    expect(refresh.mock.calls.map(([context]) => context.refreshToken)).toEqual(['refresh-2']);
    call(0).resolve({ accessToken: 'access-3' });
  });
});
