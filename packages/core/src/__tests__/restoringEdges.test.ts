import { createSession, isAuthError } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asReactNative, asyncStorage, restoreGlobals, stored, T0, withWake } from './support/asyncStorage';
import { rawTab, stubBroadcastChannel } from './support/fakeChannel';
import { controlledRefresh } from './support/harness';

beforeEach(asReactNative);
afterEach(restoreGlobals);

describe('restoring and offline, edge cases', () => {
  it('adopts, after taking the lock, what another tab wrote to an asynchronous storage, instead of sending a spent refresh token', async () => {
    stubBroadcastChannel();
    const kit = asyncStorage();
    const control = controlledRefresh();
    const session = createSession({
      storage: kit.storage,
      storageKey: 'k',
      refresh: control.refresh,
      crossTab: true,
      now: () => Date.now(),
      refreshTimeoutMs: 1_000,
    });
    await session.ready();
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(200);
    // Another tab refreshed r1 -> r2 and wrote it; this tab missed the broadcast.
    kit.items.set('k', stored('a2', 'r2', T0 + 100, T0 + 3_600_000));
    vi.setSystemTime(T0 + 61_000);
    void session.refresh().catch(() => {});
    await vi.advanceTimersByTimeAsync(200);
    // Old code (and a sync storage today) adopts a2/r2 from storage without calling refresh.
    expect(control.refresh).not.toHaveBeenCalled();
  });

  it('takes another tab’s refresh result heard while restoring over the stale read', async () => {
    const Channel = stubBroadcastChannel();
    const other = rawTab('reauth:k');
    const kit = asyncStorage({ k: stored('a1', 'r1', T0, T0 + 60_000) });
    kit.hold();
    const control = controlledRefresh();
    const session = createSession({
      storage: kit.storage,
      storageKey: 'k',
      refresh: control.refresh,
      crossTab: true,
      now: () => Date.now(),
      refreshTimeoutMs: 1_000,
    });
    expect(session.getState().status).toBe('restoring');
    // The other tab (whose prompt is open, or whose answer is late) broadcasts its refresh r1 -> r2.
    other.postMessage({
      type: 'tokens',
      kind: 'refresh',
      key: 'k',
      gen: null,
      from: 'r1',
      tokens: { v: 1, accessToken: 'a2', refreshToken: 'r2', expiresAt: T0 + 3_600_000, receivedAt: T0 },
    });
    await vi.advanceTimersByTimeAsync(5);
    kit.hold(false);
    kit.held.shift()?.resolve(); // the read answers with what storage held when it began: r1
    await vi.advanceTimersByTimeAsync(200); // past the hello
    vi.setSystemTime(T0 + 61_000);
    void session.getAccessToken().catch(() => {});
    await vi.advanceTimersByTimeAsync(200);
    expect(control.refresh.mock.calls.map(([c]) => c.refreshToken)).toEqual([]); // gets ['r1']: spent token
    void Channel;
  });

  it('issues a sign-out’s removal after a slow write lands', async () => {
    const kit = asyncStorage();
    const session = createSession({ storage: kit.storage });
    await session.ready();
    kit.hold();
    session.signIn({ accessToken: 'a1', refreshToken: 'r1' });
    kit.hold(false);
    session.signOut();
    kit.held.shift()?.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(kit.items.has('reauth')).toBe(false);
  });

  it('sends a refresh held offline once a new request finds the network back, with no online listener (autoRefresh off)', async () => {
    const nav = { onLine: false };
    vi.stubGlobal('navigator', nav);
    const listeners: Record<string, (() => void)[]> = {};
    vi.stubGlobal('window', {
      addEventListener: (t: string, l: () => void) => {
        listeners[t] = [...(listeners[t] ?? []), l];
      },
    });
    vi.stubGlobal('document', { visibilityState: 'visible', addEventListener() {} });
    const control = controlledRefresh();
    const session = createSession({
      refresh: control.refresh,
      autoRefresh: false,
      crossTab: false,
      now: () => Date.now(),
      refreshTimeoutMs: 1_000,
    });
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    vi.setSystemTime(T0 + 61_000);
    const first = session.getAccessToken().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    nav.onLine = true;
    for (const l of listeners.online ?? []) l();
    const second = session.getAccessToken().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(control.refresh).toHaveBeenCalledTimes(1); // 0: the online device never sends it
    void first;
    void second;
  });

  it('sends a request at once with its still-valid token while offline, the early refresh held for the network', async () => {
    const control = controlledRefresh();
    const { session, notify } = withWake({ refresh: control.refresh, refreshTimeoutMs: 15_000 });
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 600 });
    notify('offline');
    vi.setSystemTime(T0 + 590_000); // inside the leeway, token valid for 10 s more
    let got: unknown;
    void session.getAccessToken().then(
      (t) => (got = t),
      (e) => (got = e),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(got).toBe('a1'); // not held for the network: the token is good for 10 s more
  });

  it('refreshes at once a token restored from an asynchronous storage that is already inside its leeway', async () => {
    const refresh = vi.fn(async () => ({ accessToken: 'a2', expiresIn: 3600 }));
    const kit = asyncStorage({ reauth: stored('a1', 'r1', T0, T0 + 60_000) }); // expires T0+60s, received T0
    vi.setSystemTime(T0 + 45_000); // past half-life: due
    const session = createSession({
      storage: kit.storage,
      refresh,
      autoRefresh: true,
      now: () => Date.now(),
    });
    await session.ready();
    await vi.advanceTimersByTimeAsync(10);
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});

describe('restoring beside a synchronous storage, sign-out and restore()', () => {
  it('adopts, after taking the lock, what another tab wrote to a synchronous storage', async () => {
    stubBroadcastChannel();
    const items = new Map<string, string>();
    const storage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    };
    const control = controlledRefresh();
    const session = createSession({
      storage,
      storageKey: 'k',
      refresh: control.refresh,
      crossTab: true,
      now: () => Date.now(),
      refreshTimeoutMs: 1_000,
    });
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(200);
    items.set('k', stored('a2', 'r2', T0 + 100, T0 + 3_600_000));
    vi.setSystemTime(T0 + 61_000);
    void session.refresh().catch(() => {});
    await vi.advanceTimersByTimeAsync(200);
    expect(control.refresh).not.toHaveBeenCalled();
    expect(await session.getAccessToken()).toBe('a2');
  });

  it('does not take an answer to its hello that arrives after its own read landed', async () => {
    stubBroadcastChannel();
    const other = rawTab('reauth:k');
    const kit = asyncStorage({ k: stored('a1', 'r1', T0, T0 + 60_000) });
    kit.hold();
    const control = controlledRefresh();
    const session = createSession({
      storage: kit.storage,
      storageKey: 'k',
      refresh: control.refresh,
      crossTab: true,
      now: () => Date.now(),
      refreshTimeoutMs: 1_000,
    });
    other.postMessage({
      type: 'tokens',
      kind: 'refresh',
      key: 'k',
      gen: null,
      from: 'r1',
      tokens: { v: 1, accessToken: 'a2', refreshToken: 'r2', expiresAt: T0 + 3_600_000, receivedAt: T0 },
    });
    await vi.advanceTimersByTimeAsync(5);
    kit.hold(false);
    kit.held.shift()?.resolve();
    await vi.advanceTimersByTimeAsync(1);
    other.postMessage({
      type: 'tokens',
      kind: 'state',
      key: 'k',
      gen: { seq: 0, id: 'x' },
      tokens: { v: 1, accessToken: 'a2', refreshToken: 'r2', expiresAt: T0 + 3_600_000, receivedAt: T0 },
    });
    await vi.advanceTimersByTimeAsync(200);
    expect(await session.getAccessToken()).toBe('a2'); // gets a1 (r1 kept)
  });

  it('refreshes at start a token restored from a synchronous storage that is already inside its leeway', async () => {
    const refresh = vi.fn(async () => ({ accessToken: 'a2', expiresIn: 3600 }));
    const items = new Map([['reauth', stored('a1', 'r1', T0, T0 + 60_000)]]);
    const storage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    };
    vi.setSystemTime(T0 + 45_000);
    createSession({ storage, refresh, autoRefresh: true, now: () => Date.now() });
    await vi.advanceTimersByTimeAsync(10);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('rejects the waiters of a refresh held offline with SIGNED_OUT on a sign-out, and sends nothing once online', async () => {
    const control = controlledRefresh();
    const { session, notify } = withWake({ refresh: control.refresh, refreshTimeoutMs: 1_000 });
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    notify('offline');
    vi.setSystemTime(T0 + 61_000);
    const waiting = session.getAccessToken().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    session.signOut();
    const error = await waiting;
    expect(isAuthError(error) && error.code).toBe('SIGNED_OUT');
    expect(vi.getTimerCount()).toBe(0);
    notify('online');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(control.refresh).not.toHaveBeenCalled();
  });

  it('does nothing on restore() while a refresh runs; a tab’s answer while restoring wins over the read', async () => {
    const kit = asyncStorage();
    const control = controlledRefresh();
    const session = createSession({ storage: kit.storage, refresh: control.refresh, now: () => Date.now() });
    await session.ready();
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    vi.setSystemTime(T0 + 61_000);
    const p = session.refresh();
    await session.restore();
    expect(session.getState().status).toBe('refreshing');
    control.call(0).resolve({ accessToken: 'a2', expiresIn: 60 });
    await p;
    expect(control.refresh).toHaveBeenCalledTimes(1);
  });
});

describe('the late read and restore()', () => {
  it('keeps the stored tokens of a sign-in made while an unreadable read was pending', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kit = asyncStorage({ reauth: '{"v":2,"something":"of another version"}' });
    kit.hold();
    const session = createSession({ storage: kit.storage });
    session.signIn({ accessToken: 'new-token', refreshToken: 'r2' }); // wins; its write is queued behind nothing
    kit.hold(false);
    expect(kit.held.map((h) => h.op)).toEqual(['get reauth', 'set reauth']);
    kit.held[1]?.resolve(); // the sign-in's write lands
    await vi.advanceTimersByTimeAsync(0);
    expect(JSON.parse(kit.items.get('reauth') ?? 'null')?.accessToken).toBe('new-token');
    kit.held[0]?.resolve(); // then the late read answers with the unreadable entry
    await vi.advanceTimersByTimeAsync(0);
    expect(session.getState().status).toBe('signedIn');
    expect(JSON.parse(kit.items.get('reauth') ?? 'null')?.accessToken).toBe('new-token'); // removed: null
  });

  it('clears the error of an ended session when restore() finds a new one, and refreshes it in the background', async () => {
    vi.unstubAllGlobals();
    const items = new Map<string, string>();
    const storage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    };
    const refresh = vi.fn(async () => {
      throw Object.assign(new Error('x'), { status: 400 });
    });
    const session = createSession({
      storage,
      refresh,
      autoRefresh: true,
      now: () => Date.now(),
      crossTab: false,
    });
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    vi.setSystemTime(T0 + 61_000);
    await session.refresh().catch(() => {});
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: { code: 'SESSION_EXPIRED' } });
    items.set('reauth', stored('a2', 'r2', T0 + 61_000, T0 + 61_000 + 3_600_000));
    await session.restore();
    expect(session.getState().status).toBe('signedIn');
    expect(session.getState().error).toBeNull();
  });
});
