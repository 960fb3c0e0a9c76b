import {
  type AuthEvent,
  createEventLog,
  createSession,
  diagnose401,
  isAuthError,
  type Session,
} from '@reauth/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectMisuse, recordConsole, shown } from '#test-support/exposure';
import { makeJwt } from './support/jwt';

// A demanding user's view: a wrong call is a TypeError at that call, prefixed [reauth], naming what was wrong
// and what was expected; no token ever in a message, an event, a log entry or a console line; every request
// settles, whatever the app's callbacks do.

const SECRET_ACCESS = 'at-SECRET-4f9c1a';
const SECRET_REFRESH = 'rt-SECRET-88d0e2';

const output = recordConsole();
const consoleText = output.text;
afterEach(() => {
  vi.useRealTimers();
});

const base = { crossTab: false, autoRefresh: false } as const;

describe('createSession options: misuse is a TypeError naming the option', () => {
  it('refreshTimeoutMs: NaN', () => {
    expectMisuse(() => createSession({ ...base, refreshTimeoutMs: Number.NaN }), /refreshTimeoutMs/);
  });
  it("refreshTimeoutMs: '15000' (a string, e.g. from an env variable)", () => {
    expectMisuse(() => createSession({ ...base, refreshTimeoutMs: '15000' as never }), /refreshTimeoutMs/);
  });
  it('refreshTimeoutMs: -1', () => {
    expectMisuse(() => createSession({ ...base, refreshTimeoutMs: -1 }), /refreshTimeoutMs/);
  });
  it("refreshLeewayMs: '5000' (a string)", () => {
    expectMisuse(() => createSession({ ...base, refreshLeewayMs: '5000' as never }), /refreshLeewayMs/);
  });
  it('refreshLeewayMs: NaN', () => {
    expectMisuse(() => createSession({ ...base, refreshLeewayMs: Number.NaN }), /refreshLeewayMs/);
  });
  it("storageKey: '' (every app on the origin would share the empty key)", () => {
    expectMisuse(() => createSession({ ...base, storageKey: '' }), /storageKey/);
  });
  it('storageKey: 42 (not a string)', () => {
    expectMisuse(() => createSession({ ...base, storageKey: 42 as never }), /storageKey/);
  });
  it('refresh: a string', () => {
    expectMisuse(() => createSession({ ...base, refresh: '/auth/refresh' as never }), /refresh/);
  });
  it('storage: an object without removeItem', () => {
    expectMisuse(
      () => createSession({ ...base, storage: { getItem: () => null, setItem() {} } as never }),
      /storage/,
    );
  });
  it("cookies: 'yes'", () => {
    expectMisuse(() => createSession({ ...base, cookies: 'yes' as never }), /cookies/);
  });
  it('now: a number instead of a clock', () => {
    expectMisuse(() => createSession({ ...base, now: 1_000 as never }), /now/);
  });
  it('wake: a string', () => {
    expectMisuse(() => createSession({ ...base, wake: 'visibilitychange' as never }), /wake/);
  });
  it('createSession(null): a reauth TypeError, not a destructuring crash', () => {
    expectMisuse(() => createSession(null as never), /createSession/);
  });
  it("autoRefresh: 'false' (a string from an env variable turns background refresh on)", () => {
    expectMisuse(() => createSession({ crossTab: false, autoRefresh: 'false' as never }), /autoRefresh/);
  });
});

describe('signIn: misuse is a TypeError naming the field, never quoting the token', () => {
  const session = () => createSession(base);
  it('signIn({})', () => {
    expectMisuse(() => session().signIn({} as never), /accessToken/);
  });
  it("signIn({ accessToken: '' })", () => {
    expectMisuse(() => session().signIn({ accessToken: '' }), /accessToken/);
  });
  it('signIn(token string) does not echo the token', () => {
    const error = expectMisuse(() => session().signIn(SECRET_ACCESS as never), /expected an object/);
    expect(shown(error)).not.toContain(SECRET_ACCESS);
  });
  it('signIn({ accessToken, expiresIn: -5 })', () => {
    expectMisuse(() => session().signIn({ accessToken: SECRET_ACCESS, expiresIn: -5 }), /expiresIn/);
  });
  it('signIn({ accessToken, expiresAt: seconds })', () => {
    expectMisuse(
      () => session().signIn({ accessToken: SECRET_ACCESS, expiresAt: Math.floor(Date.now() / 1000) + 60 }),
      /expiresAt.*1000/,
    );
  });
  it('signIn({ accessToken, expiresAt: a Date })', () => {
    expectMisuse(
      () => session().signIn({ accessToken: SECRET_ACCESS, expiresAt: new Date() as never }),
      /expiresAt/,
    );
  });
  it('signIn({ accessToken, refreshToken: 123 }) does not quote either token', () => {
    const error = expectMisuse(
      () => session().signIn({ accessToken: SECRET_ACCESS, refreshToken: 123 as never }),
      /refreshToken/,
    );
    expect(shown(error)).not.toContain(SECRET_ACCESS);
  });
  it('signIn with a token holding a space names the position, not the token', () => {
    const token = `${SECRET_ACCESS} tail`;
    const error = expectMisuse(() => session().signIn({ accessToken: token }), /accessToken/);
    expect(shown(error)).not.toContain(SECRET_ACCESS);
  });
  // The token is the server's, which the app can't change: signIn takes it (throwing would fail the login), and a
  // development warning names the claim and what to do. The expiry stays as read (a 401 still refreshes).
  it("signIn with a JWT whose exp is not numeric ('tomorrow'): signed in, a warning naming exp and expiresIn", () => {
    const jwt = makeJwt({ sub: 'alice', exp: 'tomorrow' });
    const s = session();
    s.signIn({ accessToken: jwt });
    expect(s.getState()).toMatchObject({ status: 'signedIn', expiresAt: null });
    expect(consoleText()).toMatch(/`exp` claim is not a number.*give `expiresIn`/is);
    expect(consoleText()).not.toContain(jwt);
  });
  it('signIn with a JWT whose exp is in milliseconds: signed in, a warning naming exp and expiresIn', () => {
    const jwt = makeJwt({ sub: 'alice', exp: Date.now() + 3_600_000 });
    session().signIn({ accessToken: jwt });
    expect(consoleText()).toMatch(/`exp` claim looks like milliseconds.*give `expiresIn`/is);
    expect(consoleText()).not.toContain(jwt);
  });
  it('an expiresIn given with the tokens wins: no warning for an odd exp', () => {
    const jwt = makeJwt({ sub: 'alice', exp: 'whenever' });
    const s = session();
    s.signIn({ accessToken: jwt, expiresIn: 60 });
    expect(s.getState().expiresAt).toBeGreaterThan(Date.now());
    expect(consoleText()).not.toMatch(/exp/);
  });
});

describe('other calls: misuse is a TypeError at the call', () => {
  it("onReauth('x')", () => {
    expectMisuse(() => createSession(base).onReauth('x' as never), /onReauth/);
  });
  it('createEventLog(session, { size: 0 }) names size', () => {
    expectMisuse(() => createEventLog(createSession(base), { size: 0 }), /size/);
  });
  it("createEventLog(session, { size: '10' }) names size", () => {
    expectMisuse(() => createEventLog(createSession(base), { size: '10' as never }), /size/);
  });
  it('createEventLog(session, null) is a reauth TypeError, not a destructuring crash', () => {
    expectMisuse(() => createEventLog(createSession(base), null as never), /createEventLog/);
  });
  it('createEventLog({}) (not a session)', () => {
    expectMisuse(() => createEventLog({} as never), /session/);
  });
  it('hasRole(5) (not a role name) is a TypeError naming role', () => {
    const session = createSession(base);
    session.signIn({ accessToken: makeJwt({ sub: 'alice', roles: ['admin'] }) });
    expectMisuse(() => session.hasRole(5 as never), /role/);
  });
  // A getRoles returning the space-separated `scope` string: String#includes then matches substrings.
  it("a getRoles that returns a string never grants a role by substring ('min' of 'admin')", () => {
    const session = createSession({ ...base, getRoles: (claims) => claims.scope as never });
    session.signIn({ accessToken: makeJwt({ sub: 'alice', scope: 'read admin' }) });
    let granted: unknown;
    try {
      granted = session.hasRole('min');
    } catch (error) {
      granted = error;
    }
    expect(granted === false || granted instanceof TypeError).toBe(true);
  });
  it('diagnose401() with no argument is a reauth TypeError', () => {
    expectMisuse(() => diagnose401(undefined as never), /diagnose401/);
  });
});

describe('every request settles under a misbehaving refresh', () => {
  const signedIn = (refresh: () => unknown, extra: object = {}) => {
    const session = createSession({
      ...base,
      refreshTimeoutMs: 1_000,
      refresh: refresh as never,
      ...extra,
    });
    session.signIn({ accessToken: SECRET_ACCESS, refreshToken: SECRET_REFRESH, expiresIn: 0 });
    return session;
  };
  const settle = async (promise: Promise<unknown>, ms = 0) => {
    const outcome = promise.then(
      (value) => ({ value }),
      (error) => ({ error }),
    );
    await vi.advanceTimersByTimeAsync(ms);
    let done: unknown = 'pending';
    void outcome.then((o) => {
      done = o;
    });
    await vi.advanceTimersByTimeAsync(0);
    return done as { value?: unknown; error?: unknown } | 'pending';
  };

  it('a refresh that never resolves: REFRESH_TIMEOUT after refreshTimeoutMs', async () => {
    vi.useFakeTimers();
    const session = signedIn(() => new Promise(() => {}));
    const outcome = await settle(session.getAccessToken(), 1_000);
    expect(outcome).not.toBe('pending');
    expect((outcome as { error: { code: string } }).error?.code).toBe('REFRESH_TIMEOUT');
  });
  it('a refresh that returns a thenable that never settles: REFRESH_TIMEOUT', async () => {
    vi.useFakeTimers();
    const session = signedIn(() => ({
      // biome-ignore lint/suspicious/noThenProperty: a thenable that never settles is the point here
      then() {},
    }));
    const outcome = await settle(session.getAccessToken(), 1_000);
    expect((outcome as { error: { code: string } }).error?.code).toBe('REFRESH_TIMEOUT');
  });
  it('a refresh that throws synchronously: REFRESH_UNAVAILABLE at once, the error as cause', async () => {
    vi.useFakeTimers();
    const boom = new Error('refresh exploded');
    const session = signedIn(() => {
      throw boom;
    });
    const outcome = await settle(session.getAccessToken());
    expect((outcome as { error: { code: string } }).error?.code).toBe('REFRESH_UNAVAILABLE');
    expect((outcome as { error: { cause: unknown } }).error.cause).toBe(boom);
  });
  it('a refresh resolving with the token as a bare string: REFRESH_UNAVAILABLE, nothing shows it', async () => {
    vi.useFakeTimers();
    const fresh = 'at-SECRET-NEW-77aa';
    const events: AuthEvent[] = [];
    const session = signedIn(async () => fresh);
    session.on('*' as never, (event: AuthEvent) => events.push(event));
    const log = createEventLog(session);
    const outcome = await settle(session.getAccessToken());
    const error = (outcome as { error: Error & { code: string } }).error;
    expect(error?.code).toBe('REFRESH_UNAVAILABLE');
    expect(error.cause).toBeInstanceOf(TypeError);
    for (const text of [shown(error), shown(events), JSON.stringify(log.entries()), consoleText()]) {
      expect(text).not.toContain(fresh);
      expect(text).not.toContain(SECRET_ACCESS);
      expect(text).not.toContain(SECRET_REFRESH);
    }
  });
  it('a refresh resolving with { accessToken: 42 }: REFRESH_UNAVAILABLE naming accessToken', async () => {
    vi.useFakeTimers();
    const session = signedIn(async () => ({ accessToken: 42 }));
    const outcome = await settle(session.getAccessToken());
    const error = (outcome as { error: Error & { code: string } }).error;
    expect(error?.code).toBe('REFRESH_UNAVAILABLE');
    expect(String(error.cause)).toMatch(/accessToken/);
  });
  it('an isRefreshRejected that throws: the request still settles at once (no unhandled rejection)', async () => {
    vi.useFakeTimers();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const session = signedIn(
        async () => {
          throw Object.assign(new Error('bad gateway'), { status: 502 });
        },
        {
          isRefreshRejected: () => {
            throw new Error('classifier bug');
          },
        },
      );
      const outcome = await settle(session.getAccessToken());
      expect(outcome).not.toBe('pending');
      await vi.advanceTimersByTimeAsync(10);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
  it('a refresh rejecting with an error that quotes the refresh token: no reauth-built text shows it', async () => {
    vi.useFakeTimers();
    const events: AuthEvent[] = [];
    const session = signedIn(async () => {
      throw Object.assign(new Error(`refresh failed for ${SECRET_REFRESH}`), { status: 503 });
    });
    session.on('*' as never, (event: AuthEvent) => events.push(event));
    const log = createEventLog(session);
    const outcome = await settle(session.getAccessToken());
    const error = (outcome as { error: Error & { code: string } }).error;
    expect(error?.code).toBe('REFRESH_UNAVAILABLE');
    expect(error.message).not.toContain(SECRET_REFRESH);
    expect(String(error)).not.toContain(SECRET_REFRESH);
    expect(JSON.stringify(error)).not.toContain(SECRET_REFRESH);
    expect(JSON.stringify(events)).not.toContain(SECRET_REFRESH);
    expect(JSON.stringify(log.entries())).not.toContain(SECRET_REFRESH);
    expect(consoleText()).not.toContain(SECRET_REFRESH);
  });
  // A clock answering NaN would make every token look expired (each request a refresh): refused at once.
  it('`now` returning NaN is a TypeError naming now, at createSession', () => {
    expectMisuse(() => createSession({ ...base, now: () => Number.NaN }), /now/);
    expectMisuse(() => createSession({ ...base, now: () => Number.POSITIVE_INFINITY }), /now/);
  });
});

describe('every request settles under a misbehaving prompt or storage', () => {
  const refused = async () => {
    throw Object.assign(new Error('invalid_grant'), { status: 400 });
  };
  const promptSession = (extra: object = {}) => {
    const session = createSession({ ...base, refreshTimeoutMs: 1_000, refresh: refused, ...extra });
    session.signIn({ accessToken: SECRET_ACCESS, refreshToken: SECRET_REFRESH, expiresIn: 0 });
    return session;
  };
  const outcomeOf = async (promise: Promise<unknown>, ms = 0) => {
    let done: unknown = 'pending';
    promise.then(
      (value) => {
        done = { value };
      },
      (error) => {
        done = { error };
      },
    );
    await vi.advanceTimersByTimeAsync(ms);
    return done as { value?: unknown; error?: Error & { code?: string } } | 'pending';
  };

  it('an onReauth handler that throws synchronously: REAUTH_CANCELLED', async () => {
    vi.useFakeTimers();
    const session = promptSession();
    session.onReauth(() => {
      throw new Error('modal crashed');
    });
    const outcome = await outcomeOf(session.getAccessToken());
    expect(outcome).not.toBe('pending');
    expect((outcome as { error: { code: string } }).error.code).toBe('REAUTH_CANCELLED');
  });
  it('an onReauth handler returning tokens (not a promise) resumes the request', async () => {
    vi.useFakeTimers();
    const session = promptSession();
    session.onReauth((() => ({ accessToken: 'fresh-after-login' })) as never);
    const outcome = await outcomeOf(session.getAccessToken());
    expect(outcome).toEqual({ value: 'fresh-after-login' });
  });
  it('an onReauth handler resolving with the token as a string: settles, and no text shows it', async () => {
    vi.useFakeTimers();
    const fresh = 'at-SECRET-FROM-MODAL-9911';
    const session = promptSession();
    const events: AuthEvent[] = [];
    session.on('*' as never, (event: AuthEvent) => events.push(event));
    const log = createEventLog(session);
    session.onReauth((async () => fresh) as never);
    const outcome = await outcomeOf(session.getAccessToken());
    expect(outcome).not.toBe('pending');
    const error = (outcome as { error: Error & { code: string } }).error;
    expect(error?.code).toBe('REAUTH_CANCELLED');
    for (const text of [shown(error), shown(events), JSON.stringify(log.entries()), consoleText()]) {
      expect(text).not.toContain(fresh);
      expect(text).not.toContain(SECRET_ACCESS);
      expect(text).not.toContain(SECRET_REFRESH);
    }
  });
  it('an onReauth handler that never answers while the user signs out: SIGNED_OUT', async () => {
    vi.useFakeTimers();
    const session = promptSession();
    session.onReauth(() => new Promise(() => {}));
    const pending = session.getAccessToken();
    await vi.advanceTimersByTimeAsync(0);
    expect(session.getState().status).toBe('reauthRequired');
    session.signOut();
    const outcome = await outcomeOf(pending);
    expect((outcome as { error: { code: string } }).error?.code).toBe('SIGNED_OUT');
  });
  it('a storage whose methods all throw: sign-in works in memory, the warning quotes no token', async () => {
    const fail = () => {
      throw new Error(`quota exceeded writing ${SECRET_ACCESS}`);
    };
    const session = createSession({
      ...base,
      storage: { getItem: fail, setItem: fail, removeItem: fail },
    });
    session.signIn({ accessToken: SECRET_ACCESS, refreshToken: SECRET_REFRESH, expiresIn: 3600 });
    expect(session.getState().status).toBe('signedIn');
    expect(await session.getAccessToken()).toBe(SECRET_ACCESS);
    session.signOut();
    expect(consoleText()).not.toContain(SECRET_ACCESS);
  });
  it('an asynchronous storage whose read never settles: restore ends within refreshTimeoutMs', async () => {
    vi.useFakeTimers();
    const session = createSession({
      ...base,
      refreshTimeoutMs: 1_000,
      storage: {
        getItem: () => new Promise<string | null>(() => {}),
        setItem: () => new Promise<void>(() => {}),
        removeItem: () => new Promise<void>(() => {}),
      },
    });
    const restored = outcomeOf(session.restore(), 0);
    await restored;
    const pending = session.getAccessToken();
    const outcome = await outcomeOf(pending, 1_000);
    expect(outcome).toEqual({ value: null });
    expect(session.getState().status).toBe('signedOut');
  });
  it('a wake that throws: createSession throws that error or survives — never half-built', () => {
    const boom = new Error('AppState missing');
    let made: Session | undefined;
    let error: unknown;
    try {
      made = createSession({
        ...base,
        wake: () => {
          throw boom;
        },
      });
    } catch (e) {
      error = e;
    }
    if (made) {
      made.signIn({ accessToken: 'a' });
      expect(made.getState().status).toBe('signedIn');
    } else {
      expect(error === boom || (error instanceof TypeError && /wake/.test(String(error)))).toBe(true);
    }
  });
});

describe('a session of another copy of @reauth/core', () => {
  it('isAuthError recognises the other copy, and createEventLog/diagnose401 accept its session', async () => {
    vi.resetModules();
    const other = await import('@reauth/core');
    expect(other.createSession).not.toBe(createSession);
    const session = other.createSession(base);
    expect(isAuthError(new other.AuthError('SIGNED_OUT'))).toBe(true);
    const log = createEventLog(session);
    session.signIn({ accessToken: 'a' });
    expect(log.entries().map((e) => e.type)).toContain('signedIn');
    expect(() =>
      diagnose401({ status: 401, headers: {}, requestHeaders: {}, url: 'https://x.test/a', session }),
    ).not.toThrow();
  });
});

describe('more calls a user gets wrong', () => {
  it("on('signedIn', 'x') (a listener that is not a function) is a TypeError at the call", () => {
    expectMisuse(() => createSession(base).on('signedIn', 'x' as never), /listener|function/);
  });
  // TypeScript refuses it; in JavaScript a development warning names it and the events there are.
  it("on('signedin', fn) (an event type that does not exist): a warning naming it and the events", () => {
    createSession(base).on('signedin' as never, () => {});
    expect(consoleText()).toMatch(/on\('signedin'\) never fires: the events are signedIn, signedOut, /);
    output.clear();
    createSession(base).on('*' as never, () => {});
    createSession(base).on('unauthorized', () => {});
    expect(consoleText()).toBe('');
  });
  it('subscribe(null) is a TypeError at the call', () => {
    expectMisuse(() => createSession(base).subscribe(null as never), /subscribe|listener|function/);
  });
  it('refresh() with no refresh function configured settles', async () => {
    vi.useFakeTimers();
    const session = createSession(base);
    session.signIn({ accessToken: 'a', refreshToken: 'r', expiresIn: 3600 });
    let done = false;
    session.refresh().then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
  });
  // The classic mistake: the refresh call goes through the session's own gate (e.g. an authed client without
  // skipAuth). It can never finish; the user should learn why, not only get REFRESH_TIMEOUT after 15 s.
  it('a refresh that waits on the session itself (getAccessToken inside refresh): settles, with a warning that says so', async () => {
    vi.useFakeTimers();
    let session!: Session;
    session = createSession({
      ...base,
      refreshTimeoutMs: 1_000,
      refresh: async () => {
        await session.getAccessToken();
        return { accessToken: 'new' };
      },
    });
    session.signIn({ accessToken: SECRET_ACCESS, refreshToken: SECRET_REFRESH, expiresIn: 0 });
    let outcome: unknown = 'pending';
    session.getAccessToken().then(
      (value) => {
        outcome = { value };
      },
      (error) => {
        outcome = { error };
      },
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(outcome).not.toBe('pending');
    expect(consoleText()).toMatch(/skipAuth|inside refresh|deadlock/i);
  });
});

describe('a few more misconfigurations', () => {
  it('a wake that calls notify() synchronously while createSession runs does not break the session', () => {
    const session = createSession({
      ...base,
      refresh: async () => ({ accessToken: 'b' }),
      wake: (notify) => {
        notify('offline');
        notify('online');
        notify();
        notify('bogus' as never);
        return () => {};
      },
    });
    session.signIn({ accessToken: 'a', refreshToken: 'r', expiresIn: 3600 });
    expect(session.getState().status).toBe('signedIn');
  });
  it('a refresh resolving with null: REFRESH_UNAVAILABLE (transient), tokens kept', async () => {
    vi.useFakeTimers();
    const session = createSession({ ...base, refresh: async () => null as never });
    session.signIn({ accessToken: SECRET_ACCESS, refreshToken: SECRET_REFRESH, expiresIn: 3600 });
    let error: unknown;
    session.refresh().catch((e) => {
      error = e;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect((error as { code?: string }).code).toBe('REFRESH_UNAVAILABLE');
    expect(await session.getAccessToken()).toBe(SECRET_ACCESS);
    expect(shown(error)).not.toContain(SECRET_ACCESS);
  });
  it("cookies: 'session' with signIn('alice') is a TypeError naming user", () => {
    const session = createSession({ ...base, cookies: 'session' });
    expectMisuse(() => session.signIn('alice' as never), /user/);
  });
  it('crossTab: { lock: {} } is a TypeError naming crossTab.lock', () => {
    expectMisuse(
      () => createSession({ autoRefresh: false, crossTab: { lock: {} as never } }),
      /crossTab\.lock/,
    );
  });
  it('refreshTimeoutMs: 2 ** 31 (beyond what a timer holds) is a TypeError', () => {
    expectMisuse(() => createSession({ ...base, refreshTimeoutMs: 2 ** 31 }), /refreshTimeoutMs/);
  });
});

describe('a silently accepted string option changes behaviour', () => {
  // refreshLeewayMs: 0 means "trust no clock: refresh only after a 401". '0' (from an env variable) passed the
  // range check but was compared with === 0, so the session trusted the clock again: refused in development.
  it("refreshLeewayMs: '0' is a TypeError naming it (development)", () => {
    expectMisuse(
      () =>
        createSession({
          ...base,
          refreshLeewayMs: '0' as never,
          refresh: async () => ({ accessToken: 'b' }),
        }),
      /refreshLeewayMs.*not a string/,
    );
  });
});
