import { type CookieRefreshContext, createAuthorizer, createSession } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeChannel, stubBroadcastChannel } from './support/fakeChannel';
import { controlledRefresh, memoryStorage, T0 } from './support/harness';
import { inProcessLock } from './support/inProcessLock';
import { makeJwt } from './support/jwt';
import { unauthorized } from './support/unauthorized';

let Channel: typeof FakeChannel;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  Channel = stubBroadcastChannel();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('cross-tab with a refresh cookie', () => {
  it("a stale refusal (a signed-out tab's refresh of the old cookie) does not end a sign-in made meanwhile in another tab", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const answers: ((error: unknown) => void)[] = [];
    const refresh = vi.fn(
      (_context: CookieRefreshContext) =>
        new Promise<never>((_resolve, reject) => {
          answers.push(reject);
        }),
    );
    const { lock } = inProcessLock();
    const options = {
      cookies: 'refresh' as const,
      refresh,
      crossTab: { lock },
      storageKey: 'stale',
      now: () => Date.now(),
    };
    const visitor = createSession({ ...options, storage: memoryStorage() });
    const user = createSession({ ...options, storage: memoryStorage() });
    await vi.advanceTimersByTimeAsync(200); // both asked: no session anywhere
    Channel.delayMs = 20; // a few ms on the channel
    // The visitor tab's page fetched /me: 401, one silent refresh with the (dead) old cookie goes out...
    const visitorRequest = unauthorized(visitor).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    // ...meanwhile the user logs in in the other tab: a new cookie family...
    user.signIn({ accessToken: makeJwt({ sub: 'alice', exp: T0 / 1000 + 600 }), expiresIn: 600 });
    // ...and the old cookie's refusal lands before that sign-in reached the visitor tab.
    (answers[0] as (error: unknown) => void)(Object.assign(new Error('invalid_grant'), { status: 400 }));
    await vi.advanceTimersByTimeAsync(500);
    await visitorRequest;
    // The tab where the user just logged in must still be signed in.
    expect(user.getState()).toMatchObject({ status: 'signedIn', error: null });
    expect(visitor.getState().status).toBe('signedIn');
  });

  it("never hands a refresh token to a 'refresh' model's refresh, also when it came over the channel", async () => {
    // Two tabs on one key during a switch of model (a rolling deploy, the playground's model switch): the tab
    // of the default model signs in with a refresh token in JS.
    const { lock } = inProcessLock();
    const control = controlledRefresh();
    const old = createSession({
      refresh: control.refresh,
      crossTab: { lock },
      storageKey: 'mixed',
      storage: memoryStorage(),
      now: () => Date.now(),
    });
    const cookieRefresh = vi.fn(async (_context: CookieRefreshContext) => ({
      accessToken: makeJwt({ sub: 'alice', n: 2 }),
      expiresIn: 300,
    }));
    const storage = memoryStorage();
    const cookieTab = createSession({
      cookies: 'refresh',
      refresh: cookieRefresh,
      crossTab: { lock },
      storageKey: 'mixed',
      storage,
      now: () => Date.now(),
    });
    await vi.advanceTimersByTimeAsync(200);
    old.signIn({ accessToken: makeJwt({ sub: 'alice', n: 1 }), refreshToken: 'r-secret', expiresIn: 300 });
    await vi.advanceTimersByTimeAsync(10);
    expect(cookieTab.getState().status).toBe('signedIn');
    expect(storage.items.get('mixed') ?? '').not.toContain('r-secret');
    const refreshed = cookieTab.refresh();
    await vi.advanceTimersByTimeAsync(200);
    await refreshed;
    expect(cookieRefresh).toHaveBeenCalledWith(expect.objectContaining({ refreshToken: null }));
  });

  it("a default-model tab never takes a cookie session's marker for an access token", async () => {
    const { lock } = inProcessLock();
    const tokensTab = createSession({
      refresh: controlledRefresh().refresh,
      crossTab: { lock },
      storageKey: 'mixed2',
      storage: memoryStorage(),
      now: () => Date.now(),
    });
    const sessionTab = createSession({
      cookies: 'session',
      crossTab: { lock },
      storageKey: 'mixed2',
      storage: memoryStorage(),
    });
    await vi.advanceTimersByTimeAsync(200);
    sessionTab.signIn({ user: { sub: 'alice' } });
    await vi.advanceTimersByTimeAsync(10);
    const authorizer = createAuthorizer(tokensTab, { baseURL: 'https://api.example.test' });
    const ticket = await authorizer.authorize({ url: '/items' });
    expect(authorizer.credentials(ticket)).toBeNull(); // not 'Bearer session#N'
  });
});

describe('a refusal heard while restoring', () => {
  it('a new tab that heard the cookie refused while it asked does not present it again to restore', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('navigator', { product: 'ReactNative' }); // an app: restores by the cookie
    vi.stubGlobal('window', {});
    const refresh = vi.fn(async (_context: CookieRefreshContext) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw Object.assign(new Error('invalid_grant'), { status: 400 });
    });
    const { lock } = inProcessLock();
    const options = { cookies: 'refresh' as const, refresh, crossTab: { lock }, storageKey: 'heard' };
    const open = createSession({ ...options, storage: memoryStorage() });
    open.signIn({ accessToken: makeJwt({ sub: 'alice', exp: T0 / 1000 + 600 }), expiresIn: 600 });
    open.onReauth(() => new Promise(() => {})); // its login modal stays open
    await vi.advanceTimersByTimeAsync(200);
    void open.refresh().catch(() => {}); // the open tab's refresh is about to be refused...
    await vi.advanceTimersByTimeAsync(3);
    Channel.delayMs = 3; // the hello reaches the open tab after the refusal, its prompt open: no answer
    const fresh = createSession({ ...options, storage: memoryStorage() }); // ...while a new tab asks (100 ms)
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(fresh.getState().status).toBe('signedOut');
  });
});
