import { createSession, type SessionOptions, type SessionState } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, setup, T0, track } from './support/harness';
import { makeJwt } from './support/jwt';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createSession: misuse', () => {
  it.each<[string, unknown, RegExp]>([
    [
      'a refresh that is not a function',
      { refresh: 'https://api.test/auth/refresh' },
      /`refresh` must be a function/,
    ],
    ['a negative refreshTimeoutMs', { refreshTimeoutMs: -1 }, /`refreshTimeoutMs` must be a positive number/],
    ['a NaN refreshTimeoutMs', { refreshTimeoutMs: Number.NaN }, /`refreshTimeoutMs`/],
    ['a negative refreshLeewayMs', { refreshLeewayMs: -5 }, /`refreshLeewayMs` must be a finite number/],
    ['an infinite refreshLeewayMs', { refreshLeewayMs: Number.POSITIVE_INFINITY }, /`refreshLeewayMs`/],
    [
      'a storage without getItem',
      { storage: { setItem() {}, removeItem() {} } },
      /`storage` must have getItem/,
    ],
  ])('throws a TypeError saying what was expected for %s', (_, options, expected) => {
    expect(() => createSession(options as SessionOptions)).toThrow(TypeError);
    expect(() => createSession(options as SessionOptions)).toThrow(expected);
    expect(() => createSession(options as SessionOptions)).toThrow(/^\[reauth\] createSession: /);
  });

  it('throws a TypeError saying a function was expected for onReauth(non-function)', () => {
    const session = createSession();
    expect(() => session.onReauth('open the modal' as never)).toThrow(TypeError);
    expect(() => session.onReauth(null as never)).toThrow(/onReauth\(handler\).*expected a function/);
  });

  it('accepts refreshTimeoutMs: Infinity (no timeout) and refreshLeewayMs: 0', () => {
    expect(() =>
      createSession({ refreshTimeoutMs: Number.POSITIVE_INFINITY, refreshLeewayMs: 0 }),
    ).not.toThrow();
  });
});

describe('createSession: defaults', () => {
  it('works with no options: signed out, in-memory, no refresh', async () => {
    const session = createSession();
    expect(session.getState()).toEqual({ status: 'signedOut', user: null, expiresAt: null, error: null });
    expect(await session.getAccessToken()).toBeNull();
    session.signIn({ accessToken: 'a' });
    expect(await session.getAccessToken()).toBe('a');
  });

  it('keeps sessions apart: two sessions with default (memory) storage share nothing', () => {
    const first = createSession();
    first.signIn({ accessToken: 'a' });
    expect(createSession().getState().status).toBe('signedOut');
  });

  it('waits up to 15 s for a refresh by default', async () => {
    const session = createSession({ refresh: () => new Promise(() => {}), now: () => Date.now() });
    session.signIn({ accessToken: 'a', refreshToken: 'r' });
    const waiter = track(session.refresh());
    await vi.advanceTimersByTimeAsync(14_999);
    expect(waiter.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(waiter.state).toBe('rejected');
  });
});

describe('state', () => {
  it('tells subscribers each change with the state and the previous state', async () => {
    const { session, call } = setup();
    const changes: Array<[SessionState['status'], SessionState['status']]> = [];
    session.subscribe((state, previous) => changes.push([previous.status, state.status]));
    session.signIn({ accessToken: makeJwt({ sub: 'alice' }), refreshToken: 'r' });
    void track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: 'a2' });
    await flushMicrotasks();
    session.signOut();
    expect(changes).toEqual([
      ['signedOut', 'signedIn'],
      ['signedIn', 'refreshing'],
      ['refreshing', 'signedIn'],
      ['signedIn', 'signedOut'],
    ]);
  });

  it('stops telling a subscriber after it unsubscribes', () => {
    const { session } = setup();
    const listener = vi.fn();
    const unsubscribe = session.subscribe(listener);
    session.signIn({ accessToken: 'a' });
    unsubscribe();
    session.signOut();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('goes on when a subscriber throws: the refresh still lands and its waiters resolve', async () => {
    const { session, call } = setup();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    session.signIn({ accessToken: 'old-access', refreshToken: 'refresh-1' });
    session.subscribe(() => {
      throw new Error('subscriber bug');
    });
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: 'new-access' });
    await flushMicrotasks();
    expect(waiter.state).toBe('fulfilled');
    expect(session.getState().status).toBe('signedIn');
    expect(await session.getAccessToken()).toBe('new-access');
    expect(consoleError).toHaveBeenCalled();
    consoleError.mockRestore();
  });

  it('never holds a token: getState() has status, user, expiresAt and error only', async () => {
    const { session, call } = setup();
    const accessToken = makeJwt({ sub: 'alice', exp: T0 / 1000 + 600 });
    session.signIn({ accessToken, refreshToken: 'refresh-secret' });
    const states = [session.getState()];
    void track(session.refresh());
    await flushMicrotasks();
    states.push(session.getState());
    call(0).resolve({ accessToken: 'opaque-secret', refreshToken: 'refresh-secret-2' });
    await flushMicrotasks();
    states.push(session.getState());
    for (const state of states) {
      expect(Object.keys(state).sort()).toEqual(['error', 'expiresAt', 'status', 'user']);
      const json = JSON.stringify(state);
      for (const secret of [accessToken, 'refresh-secret', 'opaque-secret'])
        expect(json).not.toContain(secret);
    }
  });
});
