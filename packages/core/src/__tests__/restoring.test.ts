import { createSession, isAuthError, type SessionStatus, type WakeSignal } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asReactNative, asyncStorage, restoreGlobals, stored, T0, withWake } from './support/asyncStorage';
import { makeJwt } from './support/jwt';

const statuses = (session: { subscribe(listener: (state: { status: SessionStatus }) => void): unknown }) => {
  const seen: SessionStatus[] = [];
  session.subscribe((state) => seen.push(state.status));
  return seen;
};

beforeEach(asReactNative);
afterEach(restoreGlobals);

describe('restoring from an asynchronous storage in an app', () => {
  it('starts restoring, then signs in with what storage held; a request waits for it', async () => {
    const token = makeJwt({ sub: 'alice', exp: T0 / 1000 + 3600 });
    const kit = asyncStorage({ reauth: stored(token) });
    const session = createSession({ storage: kit.storage, refresh: vi.fn() });
    expect(session.getState().status).toBe('restoring');
    const request = session.getAccessToken();
    await session.ready();
    expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
    await expect(request).resolves.toBe(token);
    expect(kit.calls).toEqual(['get reauth']);
  });

  it('ends signed out when nothing is stored, or the read fails, and never removes the entry', async () => {
    const empty = asyncStorage();
    const first = createSession({ storage: empty.storage });
    await first.ready();
    expect(first.getState().status).toBe('signedOut');

    const failing = asyncStorage({ reauth: stored('a1') });
    failing.storage.getItem = () => Promise.reject(new Error('disk busy'));
    const second = createSession({ storage: failing.storage });
    await second.ready();
    expect(second.getState().status).toBe('signedOut');
    expect(failing.items.has('reauth')).toBe(true);
    expect(failing.calls.filter((call) => call.startsWith('remove'))).toEqual([]);
  });

  it('lets a sign-in made while the read is pending win; the late read is dropped', async () => {
    const kit = asyncStorage({ reauth: stored('old-token') });
    kit.hold();
    const session = createSession({ storage: kit.storage });
    const seen = statuses(session);
    session.signIn({ accessToken: 'new-token', refreshToken: 'r2' });
    await session.ready();
    kit.held.shift()?.resolve(); // the read answers now, with the old session
    await vi.advanceTimersByTimeAsync(0);
    expect(await session.getAccessToken()).toBe('new-token');
    expect(seen).toEqual(['signedIn']);
  });

  it('lets a sign-out made while the read is pending win', async () => {
    const kit = asyncStorage({ reauth: stored('old-token') });
    kit.hold();
    const session = createSession({ storage: kit.storage });
    session.signOut();
    kit.held.shift()?.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.getState().status).toBe('signedOut');
    expect(await session.getAccessToken()).toBeNull();
  });

  it('ends signed out with a warning when the read never answers, the entry untouched', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kit = asyncStorage({ reauth: stored('a1') });
    kit.hold();
    const session = createSession({ storage: kit.storage, refreshTimeoutMs: 2_000 });
    const request = session.getAccessToken();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(session.getState().status).toBe('restoring');
    await vi.advanceTimersByTimeAsync(1);
    expect(session.getState().status).toBe('signedOut');
    await expect(request).resolves.toBeNull();
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^\[reauth\] storage did not answer within 2000 ms/),
    );
    expect(kit.items.get('reauth')).toBe(stored('a1'));
  });

  it('keeps the order of writes, one at a time, the last one winning', async () => {
    const kit = asyncStorage();
    const session = createSession({ storage: kit.storage });
    await session.ready();
    kit.hold();
    session.signIn({ accessToken: 'first', refreshToken: 'r1' });
    session.signIn({ accessToken: 'second', refreshToken: 'r2' });
    session.signOut();
    session.signIn({ accessToken: 'third', refreshToken: 'r3' });
    expect(kit.held.map((write) => write.op)).toEqual(['set reauth']);
    kit.hold(false);
    kit.held.shift()?.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(JSON.parse(kit.items.get('reauth') as string).accessToken).toBe('third');
    expect(kit.calls.slice(1)).toEqual(['set reauth', 'set reauth']);
  });

  it('does not let a write that never settles hold back the next one past refreshTimeoutMs', async () => {
    const kit = asyncStorage({ reauth: stored('old') });
    const session = createSession({ storage: kit.storage, refreshTimeoutMs: 2_000 });
    await session.ready();
    kit.hold();
    session.signIn({ accessToken: 'a1', refreshToken: 'r1' }); // this write hangs
    kit.hold(false);
    session.signOut();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(kit.calls.filter((call) => call.startsWith('remove'))).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(kit.calls.filter((call) => call.startsWith('remove'))).toEqual(['remove reauth']);
    expect(kit.items.has('reauth')).toBe(false);
  });

  it('warns of a rejected write and goes on in memory, with no unhandled rejection', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kit = asyncStorage();
    kit.storage.setItem = () => Promise.reject(new DOMException('full', 'QuotaExceededError'));
    const session = createSession({ storage: kit.storage });
    await session.ready();
    session.signIn({ accessToken: 'a1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('storage failed (QuotaExceededError)'));
    expect(await session.getAccessToken()).toBe('a1');
  });
});

describe('restoring on a server', () => {
  it('takes what a synchronous storage holds now on restore(), as at start-up: no sign-in event', async () => {
    vi.unstubAllGlobals();
    const items = new Map<string, string>();
    const storage = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    const session = createSession({ storage });
    const events: string[] = [];
    session.on('*', (event) => events.push(event.type));
    await session.restore();
    expect(session.getState().status).toBe('signedOut');
    items.set('reauth', stored('a1'));
    await session.restore();
    expect(session.getState().status).toBe('signedIn');
    expect(await session.getAccessToken()).toBe('a1');
    expect(events).toEqual([]);
  });

  it('reads an asynchronous storage only on restore()', async () => {
    vi.unstubAllGlobals();
    const kit = asyncStorage({ reauth: stored('a1') });
    const session = createSession({ storage: kit.storage });
    expect(session.getState().status).toBe('signedOut');
    await session.ready();
    const restoring = session.restore();
    expect(session.getState().status).toBe('restoring');
    await restoring;
    expect(session.getState().status).toBe('signedIn');
    expect(await session.getAccessToken()).toBe('a1');
    await expect(session.restore()).resolves.toBeUndefined();
  });
});

describe('wake-up signals', () => {
  it('does not crash on React Native globals with autoRefresh on', () => {
    expect(() => createSession({ autoRefresh: true })).not.toThrow();
  });

  it('checks the token at once when the app returns to the foreground', async () => {
    const refresh = vi.fn(async () => ({ accessToken: 'a2', expiresIn: 3600 }));
    const { session, notify, unsubscribe } = withWake({ refresh, refreshLeewayMs: 60_000 });
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 600 });
    vi.setSystemTime(T0 + 590_000); // inside the leeway, no timer ran (autoRefresh is off here)
    expect(refresh).not.toHaveBeenCalled();
    notify('foreground');
    await vi.advanceTimersByTimeAsync(0);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(await session.getAccessToken()).toBe('a2');
    expect(unsubscribe).not.toHaveBeenCalled();
  });

  it('holds a refresh while offline and sends it once online', async () => {
    const refresh = vi.fn(async () => ({ accessToken: 'a2', expiresIn: 3600 }));
    const { session, notify } = withWake({ refresh });
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    notify('offline');
    vi.setSystemTime(T0 + 61_000);
    const request = session.getAccessToken();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(refresh).not.toHaveBeenCalled();
    notify('online');
    await expect(request).resolves.toBe('a2');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('rejects the waiting requests with REFRESH_TIMEOUT when the network stays away, keeping the tokens', async () => {
    const refresh = vi.fn(async () => ({ accessToken: 'a2', expiresIn: 3600 }));
    const { session, notify } = withWake({ refresh, refreshTimeoutMs: 4_000 });
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    notify('offline');
    vi.setSystemTime(T0 + 61_000);
    const request = session.getAccessToken().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(4_000);
    const error = await request;
    expect(isAuthError(error) && error.code).toBe('REFRESH_TIMEOUT');
    await vi.advanceTimersByTimeAsync(4_000); // the held refresh is given up too
    expect(session.getState().status).toBe('signedIn');
    notify('online');
    await expect(session.getAccessToken()).resolves.toBe('a2');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('sends again, once online, a refresh that failed with a network error while offline', async () => {
    const wiring: { notify?: (signal?: WakeSignal) => void } = {};
    const refresh = vi
      .fn()
      .mockImplementationOnce(async () => {
        wiring.notify?.('offline');
        throw new TypeError('fetch failed');
      })
      .mockImplementation(async () => ({ accessToken: 'a2', expiresIn: 3600 }));
    const { session, notify } = withWake({ refresh });
    wiring.notify = notify;
    session.signIn({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 60 });
    vi.setSystemTime(T0 + 61_000);
    const request = session.getAccessToken();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refresh).toHaveBeenCalledTimes(1);
    notify('online');
    await expect(request).resolves.toBe('a2');
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('refuses a wake that is not a function, naming the option', () => {
    expect(() => createSession({ wake: 'app-state' as never })).toThrow(
      /createSession: `wake` must be a function/,
    );
  });
});
