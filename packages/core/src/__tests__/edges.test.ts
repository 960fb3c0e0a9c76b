import { createSession, diagnose401 } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, httpError, rejection, setup, T0, track } from './support/harness';
import { makeJwt } from './support/jwt';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('timers', () => {
  it.each([
    ['signOut()', (session: ReturnType<typeof setup>['session']) => session.signOut()],
    ['signIn()', (session: ReturnType<typeof setup>['session']) => session.signIn({ accessToken: 'other' })],
  ])('leaves no timer behind when %s drops a refresh in flight (a Node process can exit)', async (_, end) => {
    const { session } = setup({ refreshTimeoutMs: 15_000 });
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    void track(session.refresh());
    await flushMicrotasks();
    end(session);
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a refreshTimeoutMs a timer cannot hold, and accepts Infinity', () => {
    expect(() => createSession({ refreshTimeoutMs: 2 ** 31 })).toThrow(/refreshTimeoutMs.*at most 2\^30/);
    expect(() => createSession({ refreshTimeoutMs: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe('listeners that change the session from inside an update', () => {
  it('a subscriber that signs out while a refresh lands: the waiters reject SIGNED_OUT, no token handed out', async () => {
    const { session, call } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const waiter = track(session.refresh());
    const token = track(session.getAccessToken());
    await flushMicrotasks();
    const unsubscribe = session.subscribe((state) => {
      if (state.status === 'signedIn') {
        unsubscribe();
        session.signOut();
      }
    });
    call(0).resolve({ accessToken: 'access-2' });
    await flushMicrotasks();
    expect(rejection(waiter).code).toBe('SIGNED_OUT');
    expect(rejection(token).code).toBe('SIGNED_OUT');
    expect(session.getState().status).toBe('signedOut');
  });

  it('a reauthCancelled listener that signs in keeps that sign-in, and the waiters resume with it', async () => {
    const { session, call } = setup();
    let dismiss: (value: null) => void = () => {};
    session.onReauth(() => new Promise<null>((resolve) => (dismiss = resolve)));
    session.on('reauthCancelled', () => session.signIn({ accessToken: 'signed-in-by-listener' }));
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    void track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(400));
    await flushMicrotasks();
    const token = track(session.getAccessToken());
    dismiss(null);
    await flushMicrotasks();
    expect(session.getState().status).toBe('signedIn');
    expect(token.state).toBe('fulfilled');
    expect(token.value).toBe('signed-in-by-listener');
  });
});

describe('reauth handlers', () => {
  it('unregistering the handler whose prompt is open dismisses it: the waiters reject REAUTH_CANCELLED', async () => {
    const { session, call } = setup();
    const unregister = session.onReauth(() => new Promise(() => {})); // a modal no one will answer
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    expect(session.getState().status).toBe('reauthRequired');
    unregister();
    await flushMicrotasks();
    expect(rejection(waiter).code).toBe('REAUTH_CANCELLED');
    expect(session.getState().status).toBe('signedOut');
  });

  it('unregistering another handler leaves the open prompt alone', async () => {
    const { session, call } = setup();
    const unregisterOld = session.onReauth(async () => null);
    session.onReauth(() => new Promise(() => {}));
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    unregisterOld();
    await flushMicrotasks();
    expect(waiter.state).toBe('pending');
    expect(session.getState().status).toBe('reauthRequired');
  });
});

describe('diagnose401 with a custom header', () => {
  it('reads the token from the header it was sent in, not from Authorization', () => {
    const expired = makeJwt({ sub: 'alice', exp: T0 / 1000 - 60 });
    const diagnosis = diagnose401({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      requestHeaders: { 'X-Api-Token': expired },
      header: 'X-Api-Token',
    });
    expect(diagnosis.cause).toBe('expired_token');
    expect(diagnosis.hint).not.toContain(expired);
  });
});
