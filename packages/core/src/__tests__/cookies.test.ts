import {
  type AuthEvent,
  type CookieRefreshContext,
  createAuthorizer,
  createSession,
  isAuthError,
  type ReauthHandler,
  type Session,
  type TokensInput,
} from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asReactNative, asyncStorage, restoreGlobals, T0 } from './support/asyncStorage';
import { memoryStorage } from './support/harness';
import { makeJwt } from './support/jwt';

/**
 * A refresh endpoint behind an httpOnly cookie, as the browser sees it: the cookie rotates on every refresh and
 * the server detects a reused one (the family is revoked). JS never sees `cookie`.
 */
function cookieServer({ ttlS = 300 } = {}) {
  let cookie: string | null = null;
  let serial = 0;
  const spent = new Set<string>();
  let isRevoked = false;
  const calls: { refreshToken: string | null; cookie: string | null }[] = [];
  const held: (() => void)[] = [];
  let isHolding = false;
  let failNext: 'refused' | 'network' | null = null;
  const issue = () => {
    serial += 1;
    cookie = `c${serial}`;
    return {
      accessToken: makeJwt({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + ttlS, n: serial }),
      expiresIn: ttlS,
    };
  };
  const answer = (presented: string | null): TokensInput => {
    const failure = failNext;
    failNext = null;
    if (failure === 'network') throw new TypeError('Failed to fetch');
    if (failure === 'refused' || !presented || isRevoked || spent.has(presented) || presented !== cookie) {
      if (presented && spent.has(presented)) isRevoked = true; // reuse: the family is revoked
      throw Object.assign(new Error('invalid_grant'), { status: 400 });
    }
    spent.add(presented);
    return issue();
  };
  const refresh = vi.fn(({ refreshToken, signal }: CookieRefreshContext): Promise<TokensInput> => {
    // The browser sends the cookie it holds when the request goes out.
    const presented = cookie;
    calls.push({ refreshToken, cookie: presented });
    const run = () => answer(presented);
    if (!isHolding) return Promise.resolve().then(run);
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason));
      held.push(() => {
        try {
          resolve(run());
        } catch (error) {
          reject(error);
        }
      });
    });
  });
  return {
    refresh,
    calls,
    /** A login: sets the cookie, answers the access token only. */
    login: () => issue(),
    clearCookie() {
      cookie = null;
    },
    revoke() {
      isRevoked = true;
    },
    failNext(kind: 'refused' | 'network') {
      failNext = kind;
    },
    hold(on = true) {
      isHolding = on;
    },
    release() {
      for (const run of held.splice(0)) run();
    },
    get reused() {
      return isRevoked;
    },
  };
}

const events = (session: Session) => {
  const seen: AuthEvent['type'][] = [];
  session.on('*', (event) => seen.push(event.type));
  return seen;
};

/** A request sent now and refused with a 401, as an adapter reports it: the header its replay carries. */
async function unauthorized(session: Session) {
  const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
  const ticket = await authorizer.authorize({ url: '/items' });
  const next = await authorizer.handleUnauthorized(ticket, { status: 401, shouldRefresh: true });
  return next && authorizer.credentials(next);
}

afterEach(restoreGlobals);

describe('createSession({ cookies }) validation', () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));

  it('names the option for an unknown model, and asks for refresh with a refresh cookie', () => {
    expect(() => createSession({ cookies: 'jar' } as never)).toThrow(
      /\[reauth\] createSession: `cookies` must be 'refresh' .* or 'session' .*got 'jar'/,
    );
    expect(() => createSession({ cookies: 'refresh' } as never)).toThrow(
      /`refresh` is needed with cookies: 'refresh'/,
    );
  });
});

describe("cookies: 'refresh' (an httpOnly refresh cookie)", () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));

  it('refreshes with refreshToken null, keeps only the access token, and ignores a refresh token given to signIn', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const server = cookieServer();
    const storage = memoryStorage();
    const session = createSession({
      cookies: 'refresh',
      refresh: server.refresh,
      storage,
      now: () => Date.now(),
    });
    session.signIn({ ...server.login(), refreshToken: 'should-not-be-here' });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/refreshToken given is ignored/));
    expect(storage.items.get('reauth')).not.toContain('should-not-be-here');
    const first = await session.getAccessToken();
    vi.advanceTimersByTime(301_000);
    const second = await session.getAccessToken();
    expect(second).not.toBe(first);
    expect(server.calls).toEqual([{ refreshToken: null, cookie: 'c1' }]);
    expect(JSON.parse(storage.items.get('reauth') as string).refreshToken).toBeNull();
  });

  it('one refresh for a burst of 401s, however many', async () => {
    const server = cookieServer();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, now: () => Date.now() });
    const { accessToken } = server.login();
    session.signIn({ accessToken: accessToken as string, expiresIn: 300 });
    server.hold();
    const replays = Array.from({ length: 5 }, () => unauthorized(session));
    await vi.advanceTimersByTimeAsync(0);
    server.release();
    const values = await Promise.all(replays);
    expect(server.refresh).toHaveBeenCalledTimes(1);
    expect(new Set(values).size).toBe(1);
    expect(values[0]).toMatch(/^Bearer /);
    expect(values[0]).not.toBe(`Bearer ${accessToken}`);
  });

  it('a signed-out 401 tries one silent refresh (the cookie may still be good), then replays', async () => {
    const server = cookieServer();
    server.login(); // a cookie from an earlier page
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, now: () => Date.now() });
    expect(session.getState().status).toBe('signedOut');
    const replay = await unauthorized(session);
    expect(replay).toMatch(/^Bearer /);
    expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
    expect(server.calls).toEqual([{ refreshToken: null, cookie: 'c1' }]);
  });

  it('a signed-out 401 whose cookie is refused prompts; once refused, the next one prompts at once', async () => {
    const server = cookieServer();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, now: () => Date.now() });
    const reasons: string[] = [];
    const handler: ReauthHandler = async ({ reason }) => {
      reasons.push(reason);
      return null;
    };
    session.onReauth(handler);
    await expect(unauthorized(session)).rejects.toMatchObject({ code: 'REAUTH_CANCELLED' });
    expect(server.refresh).toHaveBeenCalledTimes(1);
    await expect(unauthorized(session)).rejects.toMatchObject({ code: 'REAUTH_CANCELLED' });
    expect(server.refresh).toHaveBeenCalledTimes(1); // learned: no second call before a sign-in
    expect(reasons).toEqual(['unauthenticated', 'unauthenticated']);
    // A sign-in makes the cookie worth trying again: its token refused, the cookie renews it.
    session.signIn(server.login());
    expect(await unauthorized(session)).toMatch(/^Bearer /);
    expect(server.refresh).toHaveBeenCalledTimes(2);
  });

  it('after an explicit sign-out, a 401 prompts: the cookie does not sign the user back in', async () => {
    const server = cookieServer();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, now: () => Date.now() });
    session.signIn(server.login());
    session.signOut(); // the logout call that clears the cookie may still be on its way
    const prompt = vi.fn<ReauthHandler>(async () => null);
    session.onReauth(prompt);
    await expect(unauthorized(session)).rejects.toMatchObject({ code: 'REAUTH_CANCELLED' });
    expect(server.refresh).not.toHaveBeenCalled();
    expect(prompt).toHaveBeenCalledWith(expect.objectContaining({ reason: 'unauthenticated' }));
  });

  it('a visitor with no prompt registered gets the plain 401 back when the cookie is refused: nothing expired', async () => {
    const server = cookieServer();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, now: () => Date.now() });
    const seen = events(session);
    await expect(unauthorized(session)).resolves.toBeNull();
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: null });
    expect(seen).not.toContain('signedOut');
    expect(server.refresh).toHaveBeenCalledTimes(1);
  });

  it('never presents a refresh token stored by the model an app used before', async () => {
    const server = cookieServer();
    server.login();
    const storage = memoryStorage({
      reauth: JSON.stringify({
        v: 1,
        accessToken: 'a0',
        refreshToken: 'r-old',
        expiresAt: T0,
        receivedAt: T0 - 1,
      }),
    });
    const session = createSession({
      cookies: 'refresh',
      refresh: server.refresh,
      storage,
      now: () => Date.now(),
    });
    await session.getAccessToken();
    expect(server.calls).toEqual([{ refreshToken: null, cookie: 'c1' }]);
  });

  it('session.refresh() while signed out refreshes from the cookie instead of throwing SIGNED_OUT', async () => {
    const server = cookieServer();
    server.login();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, now: () => Date.now() });
    await session.refresh();
    expect(session.getState().status).toBe('signedIn');
  });

  it('a refused refresh of a signed-in session prompts with refresh_rejected, and tells no token', async () => {
    const server = cookieServer();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, now: () => Date.now() });
    const { accessToken } = server.login();
    session.signIn({ accessToken: accessToken as string });
    server.revoke();
    const prompt = vi.fn<ReauthHandler>(async () => server.login());
    session.onReauth(prompt);
    const replay = await unauthorized(session);
    expect(prompt).toHaveBeenCalledWith(expect.objectContaining({ reason: 'refresh_rejected' }));
    expect(replay).toMatch(/^Bearer /);
  });
});

describe("cookies: 'refresh', restoring in an app", () => {
  beforeEach(asReactNative);

  it('restores by one silent refresh before anything renders: restoring, then signed in; requests wait', async () => {
    const server = cookieServer();
    server.login();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, crossTab: false });
    const seen = events(session);
    expect(session.getState().status).toBe('restoring');
    const token = session.getAccessToken();
    await session.ready();
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: null });
    await expect(token).resolves.toMatch(/^eyJ/);
    expect(server.refresh).toHaveBeenCalledTimes(1);
    expect(seen).toEqual(['refreshStart', 'refreshSuccess']);
  });

  it('refused: signed out quietly — no prompt, no SESSION_EXPIRED; requests go out without a token', async () => {
    const server = cookieServer();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, crossTab: false });
    const prompt = vi.fn<ReauthHandler>(async () => null);
    session.onReauth(prompt);
    const token = session.getAccessToken();
    await session.ready();
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: null });
    await expect(token).resolves.toBeNull();
    expect(prompt).not.toHaveBeenCalled();
    // Refused since the last sign-in: a 401 now prompts at once, no second refresh.
    await expect(unauthorized(session)).rejects.toMatchObject({ code: 'REAUTH_CANCELLED' });
    expect(server.refresh).toHaveBeenCalledTimes(1);
  });

  it('transient: signed out with REFRESH_UNAVAILABLE, and the next 401 tries again', async () => {
    const server = cookieServer();
    server.login();
    server.failNext('network');
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, crossTab: false });
    await session.ready();
    const { status, error } = session.getState();
    expect(status).toBe('signedOut');
    expect(isAuthError(error) && error.code).toBe('REFRESH_UNAVAILABLE');
    expect(await unauthorized(session)).toMatch(/^Bearer /);
    expect(server.refresh).toHaveBeenCalledTimes(2);
  });

  it('a refresh that never answers ends restoring at refreshTimeoutMs, signed out, nothing left waiting', async () => {
    const server = cookieServer();
    server.login();
    server.hold();
    const session = createSession({
      cookies: 'refresh',
      refresh: server.refresh,
      crossTab: false,
      refreshTimeoutMs: 2_000,
    });
    const token = session.getAccessToken();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(session.getState().status).toBe('restoring');
    await vi.advanceTimersByTimeAsync(1);
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: { code: 'REFRESH_TIMEOUT' } });
    await expect(token).resolves.toBeNull();
    // The call keeps its grace period (a rotated cookie comes only with its answer), then is abandoned.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(session.getState().status).toBe('signedOut');
  });

  it('a restoring refresh answering after the timeout but within its grace is adopted', async () => {
    const server = cookieServer();
    server.login();
    server.hold();
    const session = createSession({
      cookies: 'refresh',
      refresh: server.refresh,
      crossTab: false,
      refreshTimeoutMs: 2_000,
    });
    await vi.advanceTimersByTimeAsync(2_500);
    expect(session.getState().status).toBe('signedOut');
    server.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: null });
  });

  it('offline at start-up: no refresh is sent; back online, the session restores from the cookie', async () => {
    const server = cookieServer();
    server.login();
    vi.stubGlobal('navigator', { product: 'ReactNative', onLine: false });
    let notify: (signal?: 'online' | 'offline' | 'foreground') => void = () => {};
    const session = createSession({
      cookies: 'refresh',
      refresh: server.refresh,
      crossTab: false,
      wake: (given) => {
        notify = given;
        return () => {};
      },
    });
    await session.ready();
    expect(server.refresh).not.toHaveBeenCalled();
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: { code: 'REFRESH_UNAVAILABLE' } });
    vi.stubGlobal('navigator', { product: 'ReactNative', onLine: true });
    notify('online');
    await session.ready();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: null });
  });

  it('refresh() asked while restoring joins it: one call; a sign-out meanwhile ends it, with no refresh after', async () => {
    const server = cookieServer();
    server.login();
    const first = createSession({ cookies: 'refresh', refresh: server.refresh, crossTab: false });
    await first.refresh();
    expect(server.refresh).toHaveBeenCalledTimes(1);
    server.hold();
    const second = createSession({ cookies: 'refresh', refresh: server.refresh, crossTab: false });
    const onMount = second.refresh();
    await vi.advanceTimersByTimeAsync(10);
    second.signOut();
    await expect(onMount).rejects.toMatchObject({ code: 'SIGNED_OUT' });
    server.release();
    await vi.advanceTimersByTimeAsync(100);
    expect(server.refresh).toHaveBeenCalledTimes(2);
    expect(second.getState().status).toBe('signedOut');
  });

  it('an access token restored from storage is used as is: no refresh at start-up', async () => {
    const server = cookieServer();
    const { accessToken } = server.login();
    const stored = JSON.stringify({
      v: 1,
      accessToken,
      refreshToken: null,
      expiresAt: T0 + 300_000,
      receivedAt: T0,
    });
    const kit = asyncStorage({ reauth: stored });
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, storage: kit.storage });
    expect(session.getState().status).toBe('restoring');
    await session.ready();
    expect(session.getState().status).toBe('signedIn');
    expect(server.refresh).not.toHaveBeenCalled();
  });

  it('nothing in an asynchronous storage: the read, then the silent refresh', async () => {
    const server = cookieServer();
    server.login();
    const kit = asyncStorage();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, storage: kit.storage });
    const statuses: string[] = [];
    session.subscribe((state) => statuses.push(state.status));
    await session.ready();
    expect(session.getState().status).toBe('signedIn');
    expect(statuses).not.toContain('signedOut');
    expect(server.refresh).toHaveBeenCalledTimes(1);
  });

  it('a sign-in while the silent refresh runs wins; the late answer is dropped', async () => {
    const server = cookieServer();
    server.login();
    server.hold();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh, crossTab: false });
    session.signIn({ accessToken: makeJwt({ sub: 'bob', exp: T0 / 1000 + 600 }) });
    await session.ready();
    server.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.getState().user).toMatchObject({ sub: 'bob' });
  });
});

describe("cookies: 'refresh' on a server", () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));

  it('restores only through restore()', async () => {
    const server = cookieServer();
    server.login();
    const session = createSession({ cookies: 'refresh', refresh: server.refresh });
    expect(session.getState().status).toBe('signedOut');
    expect(server.refresh).not.toHaveBeenCalled();
    const restoring = session.restore();
    expect(session.getState().status).toBe('restoring');
    await restoring;
    expect(session.getState().status).toBe('signedIn');
  });
});

describe("cookies: 'session' (a cookie session, no token in JS)", () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));

  it('signs in with { user } or nothing; no header is sent; getAccessToken resolves null', async () => {
    const session = createSession({ cookies: 'session' });
    session.signIn();
    expect(session.getState()).toMatchObject({ status: 'signedIn', user: null, expiresAt: null });
    session.signIn({ user: { sub: 'alice', roles: ['admin'] } });
    expect(session.hasRole('admin')).toBe(true);
    await expect(session.getAccessToken()).resolves.toBeNull();
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const ticket = await authorizer.authorize({ url: '/items' });
    expect(authorizer.credentials(ticket)).toBeNull();
  });

  it('refuses a user that is not an object, saying what it takes', () => {
    const session = createSession({ cookies: 'session' });
    expect(() => session.signIn({ user: 'alice' } as never)).toThrow(
      /cookies: 'session', expected \{ user\? \}/,
    );
  });

  it('a 401 prompts; concurrent 401s share the prompt; its answer replays them all (no header)', async () => {
    const session = createSession({ cookies: 'session' });
    session.signIn({ user: { sub: 'alice' } });
    let answer: (value: { user: { sub: string } }) => void = () => {};
    const prompt = vi.fn<ReauthHandler>(() => new Promise((resolve) => (answer = resolve)));
    session.onReauth(prompt);
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const tickets = await Promise.all([1, 2, 3].map(() => authorizer.authorize({ url: '/items' })));
    const replays = tickets.map((ticket) =>
      authorizer.handleUnauthorized(ticket, { status: 401, shouldRefresh: true }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(prompt).toHaveBeenCalledWith(expect.objectContaining({ reason: 'unauthenticated' }));
    answer({ user: { sub: 'alice' } });
    const next = await Promise.all(replays);
    expect(next.map((ticket) => ticket && authorizer.credentials(ticket))).toEqual([null, null, null]);
    expect(next.every((ticket) => ticket?.attempt === 1)).toBe(true);
  });

  it('a late 401 (sent before the latest sign-in) replays with no new prompt', async () => {
    const session = createSession({ cookies: 'session' });
    session.signIn({ user: { sub: 'alice' } });
    const prompt = vi.fn<ReauthHandler>(async () => ({}));
    session.onReauth(prompt);
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const early = await authorizer.authorize({ url: '/a' });
    const first = await authorizer.authorize({ url: '/b' });
    await authorizer.handleUnauthorized(first, { status: 401, shouldRefresh: true });
    expect(prompt).toHaveBeenCalledTimes(1);
    const late = await authorizer.handleUnauthorized(early, { status: 401, shouldRefresh: true });
    expect(late?.attempt).toBe(1);
    expect(prompt).toHaveBeenCalledTimes(1);
  });

  it('a request that waited behind a prompt is sent in the new generation: its own 401 prompts again', async () => {
    const session = createSession({ cookies: 'session' });
    session.signIn({ user: { sub: 'alice' } });
    const prompt = vi.fn<ReauthHandler>(async () => ({ user: { sub: 'alice' } }));
    session.onReauth(prompt);
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const first = await authorizer.authorize({ url: '/a' });
    const replay = authorizer.handleUnauthorized(first, { status: 401, shouldRefresh: true });
    const waited = authorizer.authorize({ url: '/b' }); // waits for the prompt
    await replay;
    const second = await waited;
    await authorizer.handleUnauthorized(second, { status: 401, shouldRefresh: true });
    expect(prompt).toHaveBeenCalledTimes(2);
  });

  it('runs a sliding-session refresh when given, keeping the user when it answers nothing', async () => {
    const refresh = vi.fn(async (_context: CookieRefreshContext) => undefined);
    const session = createSession({ cookies: 'session', refresh });
    session.signIn({ user: { sub: 'alice' } });
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const ticket = await authorizer.authorize({ url: '/a' });
    const next = await authorizer.handleUnauthorized(ticket, { status: 401, shouldRefresh: true });
    expect(refresh).toHaveBeenCalledWith(expect.objectContaining({ refreshToken: null }));
    expect(next?.attempt).toBe(1);
    expect(session.getState().user).toEqual({ sub: 'alice' });
  });

  it('a refused sliding refresh prompts with refresh_rejected', async () => {
    const refresh = vi.fn(async () => {
      throw Object.assign(new Error('no session'), { status: 401 });
    });
    const session = createSession({ cookies: 'session', refresh });
    session.signIn({ user: { sub: 'alice' } });
    const prompt = vi.fn<ReauthHandler>(async () => ({ user: { sub: 'alice' } }));
    session.onReauth(prompt);
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const ticket = await authorizer.authorize({ url: '/a' });
    await authorizer.handleUnauthorized(ticket, { status: 401, shouldRefresh: true });
    expect(prompt).toHaveBeenCalledWith(expect.objectContaining({ reason: 'refresh_rejected' }));
  });

  it('storage holds only the user; a reload starts signed in with that user at once', () => {
    const storage = memoryStorage();
    const first = createSession({ cookies: 'session', storage });
    first.signIn({ user: { sub: 'alice' } });
    const saved = JSON.parse(storage.items.get('reauth') as string);
    expect(saved).toEqual({ v: 1, session: true, user: { sub: 'alice' }, receivedAt: T0 });
    const reloaded = createSession({ cookies: 'session', storage });
    expect(reloaded.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
  });

  it('does not take a stored session of another model for its own', () => {
    const storage = memoryStorage({
      reauth: JSON.stringify({
        v: 1,
        accessToken: 'a1',
        refreshToken: 'r1',
        expiresAt: null,
        receivedAt: T0,
      }),
    });
    expect(createSession({ cookies: 'session', storage }).getState().status).toBe('signedOut');
  });

  it('a 401 says which credential was missing: the cookie, not an Authorization header', async () => {
    const session = createSession({ cookies: 'session' });
    session.signIn();
    const seen: string[] = [];
    session.on('unauthorized', ({ diagnosis }) => seen.push(diagnosis.hint));
    session.onReauth(async () => ({}));
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const ticket = await authorizer.authorize({ url: '/a' });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await authorizer.handleUnauthorized(ticket, { status: 401, shouldRefresh: true });
    expect(seen[0]).toMatch(/No session cookie was accepted/);
  });
});
