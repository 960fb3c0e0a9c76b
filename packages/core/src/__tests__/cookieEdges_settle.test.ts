import { type CookieRefreshContext, createAuthorizer, createSession } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asReactNative, asyncStorage, restoreGlobals } from './support/asyncStorage';
import { track } from './support/harness';

afterEach(restoreGlobals);
let hang = vi.fn((_context: CookieRefreshContext) => new Promise<never>(() => {}));
let transient = vi.fn(async (_context: CookieRefreshContext) => {
  throw new TypeError('Failed to fetch');
});
beforeEach(() => {
  hang = vi.fn((_context: CookieRefreshContext) => new Promise<never>(() => {}));
  transient = vi.fn(async (_context: CookieRefreshContext) => {
    throw new TypeError('Failed to fetch');
  });
});

describe('nothing waits forever', () => {
  beforeEach(asReactNative);

  it('restoring: an aborted request rejects at once; a sign-out ends restoring; nothing left', async () => {
    const session = createSession({
      cookies: 'refresh',
      refresh: hang,
      crossTab: false,
      refreshTimeoutMs: 1_000,
    });
    const controller = new AbortController();
    const aborted = track(session.getAccessToken({ signal: controller.signal }));
    const other = track(session.getAccessToken());
    const joined = track(session.refresh());
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted.state).toBe('rejected');
    session.signOut();
    await vi.advanceTimersByTimeAsync(0);
    // The refresh() queued behind restoring must not start a new cookie refresh after the sign-out.
    expect(hang).toHaveBeenCalledTimes(1);
    expect(session.getState().status).toBe('signedOut');
    expect(other.state).toBe('fulfilled');
    expect(joined.state).toBe('rejected');
    await expect(session.ready()).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('restore() twice, async storage then the cookie: one refresh, both settle', async () => {
    vi.unstubAllGlobals(); // a server
    const kit = asyncStorage();
    const session = createSession({ cookies: 'refresh', refresh: transient, storage: kit.storage });
    const first = track(session.restore());
    const second = track(session.restore());
    await vi.advanceTimersByTimeAsync(0);
    expect([first.state, second.state]).toEqual(['fulfilled', 'fulfilled']);
    expect(transient).toHaveBeenCalledTimes(1);
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: { code: 'REFRESH_UNAVAILABLE' } });
  });

  it('a signed-out silent refresh held offline: the request rejects with REFRESH_TIMEOUT, then nothing left', async () => {
    vi.unstubAllGlobals();
    vi.stubGlobal('navigator', { onLine: false });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = createSession({ cookies: 'refresh', refresh: hang, refreshTimeoutMs: 1_000 });
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const ticket = await authorizer.authorize({ url: '/a' });
    const replay = track(authorizer.handleUnauthorized(ticket, { status: 401, shouldRefresh: true }));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(replay.state).toBe('rejected');
    expect((replay.error as { code?: string }).code).toBe('REFRESH_TIMEOUT');
    expect(hang).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(session.getState().status).toBe('signedOut');
  });
});

describe('refresh() during restoring joins the restoring refresh', () => {
  beforeEach(asReactNative);

  it('a sign-out during restoring: a refresh() asked before it never presents the cookie after it', async () => {
    let calls = 0;
    const refresh = vi.fn(async (_context: CookieRefreshContext) => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { accessToken: `a${calls}`, expiresIn: 300 };
    });
    const session = createSession({ cookies: 'refresh', refresh, crossTab: false });
    const onMount = track(session.refresh()); // e.g. an app refreshing on mount
    await vi.advanceTimersByTimeAsync(10);
    session.signOut(); // the user signs out (the logout call to the server follows)
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toBe(1);
    expect(session.getState().status).toBe('signedOut');
    expect(onMount.state).toBe('rejected');
  });

  it('refresh() while an asynchronous storage is read: one refresh call in all, not the restore and then another', async () => {
    const refresh = vi.fn(async (_context: CookieRefreshContext) => ({ accessToken: 'a1', expiresIn: 300 }));
    const kit = asyncStorage();
    const session = createSession({ cookies: 'refresh', refresh, storage: kit.storage, crossTab: false });
    const joined = track(session.refresh());
    await vi.advanceTimersByTimeAsync(100);
    expect(joined.state).toBe('fulfilled');
    expect(session.getState().status).toBe('signedIn');
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});
