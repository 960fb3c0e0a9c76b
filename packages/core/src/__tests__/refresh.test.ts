import { type AuthError, isAuthError } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, httpError, rejection, setup, T0, track } from './support/harness';
import { makeJwt } from './support/jwt';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function signedIn(options: Parameters<typeof setup>[0] = {}) {
  const harness = setup(options);
  harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 600 });
  return harness;
}

describe('refresh: single flight', () => {
  it('calls refresh once for many concurrent refresh() and getAccessToken() callers', async () => {
    const { session, refresh, call } = signedIn();
    const callers = [
      track(session.refresh()),
      track(session.refresh()),
      track(session.getAccessToken()),
      track(session.refresh()),
      track(session.getAccessToken()),
    ];
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(session.getState().status).toBe('refreshing');

    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await flushMicrotasks();
    expect(callers.map((c) => c.state)).toEqual(Array(5).fill('fulfilled'));
    expect(callers[2]?.value).toBe('access-2');
    expect(callers[4]?.value).toBe('access-2');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(session.getState().status).toBe('signedIn');
  });

  it('passes the refresh token and an AbortSignal to refresh', async () => {
    const { session, refresh, call } = signedIn();
    void track(session.refresh());
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledWith({ refreshToken: 'refresh-1', signal: expect.any(AbortSignal) });
    expect(call(0).signal.aborted).toBe(false);
  });

  it('starts a new refresh after the previous one landed', async () => {
    const { session, refresh, call } = signedIn();
    const first = track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await flushMicrotasks();
    expect(first.state).toBe('fulfilled');

    void track(session.refresh());
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(call(1).refreshToken).toBe('refresh-2');
  });

  it("updates user and expiresAt from the refreshed token's claims", async () => {
    const { session, call } = signedIn();
    void track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: makeJwt({ sub: 'alice', exp: T0 / 1000 + 900, scope: 'new' }) });
    await flushMicrotasks();
    expect(session.getState()).toMatchObject({
      status: 'signedIn',
      user: { sub: 'alice', scope: 'new' },
      expiresAt: T0 + 900_000,
    });
  });

  it('keeps the old refresh token when the result has refreshToken: undefined', async () => {
    const { session, storage, call } = signedIn();
    void track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: 'access-2', refreshToken: undefined });
    await flushMicrotasks();
    expect(await session.getAccessToken()).toBe('access-2');
    expect(JSON.parse(storage.getItem('reauth') ?? 'null').refreshToken).toBe('refresh-1');

    void track(session.refresh());
    await flushMicrotasks();
    expect(call(1).refreshToken).toBe('refresh-1');
  });

  it('drops the refresh token when the result has refreshToken: null', async () => {
    const handler = vi.fn(() => new Promise<null>(() => {}));
    const { session, storage, refresh, call } = signedIn();
    session.onReauth(handler);
    void track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: 'access-2', refreshToken: null });
    await flushMicrotasks();
    expect(JSON.parse(storage.getItem('reauth') ?? 'null').refreshToken).toBeNull();

    void track(session.refresh());
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ reason: 'no_refresh_token' }));
  });

  it('fails with REFRESH_UNAVAILABLE, a TypeError naming the field as cause, when the result has no accessToken', async () => {
    const { session, call } = signedIn();
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ refreshToken: 'refresh-2', expiresIn: 600 });
    await flushMicrotasks();

    expect(waiter.state).toBe('rejected');
    const error = waiter.error as AuthError;
    expect(isAuthError(error) && error.code).toBe('REFRESH_UNAVAILABLE');
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((error.cause as TypeError).message).toMatch(/`accessToken`/);
    expect((error.cause as TypeError).message).not.toContain('refresh-2');
    expect(session.getState().status).toBe('signedIn');
    expect(await session.getAccessToken()).toBe('access-1');
  });

  it('keeps the old refresh token after a result without accessToken (the next refresh sends it)', async () => {
    const { session, call } = signedIn();
    void track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ refreshToken: 'refresh-2' });
    await flushMicrotasks();
    void track(session.refresh());
    await flushMicrotasks();
    expect(call(1).refreshToken).toBe('refresh-1');
  });

  it('rejects refresh() with SIGNED_OUT when no one is signed in, without calling refresh', async () => {
    const { session, refresh } = setup();
    const result = track(session.refresh());
    await flushMicrotasks();
    expect(rejection(result).code).toBe('SIGNED_OUT');
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('refresh: transient failure', () => {
  it.each([
    ['a 503 (axios-shaped)', () => httpError(503)],
    ['a 500 (fetch-shaped status)', () => httpError(500, 'status')],
    ['a network TypeError', () => new TypeError('Failed to fetch')],
  ])('%s rejects waiters with REFRESH_UNAVAILABLE and keeps the tokens', async (_, makeError) => {
    const { session, storage, call } = signedIn();
    const storedBefore = storage.getItem('reauth');
    const waiters = [track(session.refresh()), track(session.refresh())];
    await flushMicrotasks();
    const cause = makeError();
    call(0).reject(cause);
    await flushMicrotasks();

    for (const waiter of waiters) {
      expect(rejection(waiter).code).toBe('REFRESH_UNAVAILABLE');
      expect(rejection(waiter).cause).toBe(cause);
    }
    expect(session.getState().status).toBe('signedIn');
    expect(storage.getItem('reauth')).toBe(storedBefore);
    expect(await session.getAccessToken()).toBe('access-1');
  });

  it('retries with the SAME refresh token on the next refresh() after a transient failure', async () => {
    const { session, refresh, call } = signedIn();
    void track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(503));
    await flushMicrotasks();

    const retry = track(session.refresh());
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(call(1).refreshToken).toBe('refresh-1');
    call(1).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await flushMicrotasks();
    expect(retry.state).toBe('fulfilled');
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: null });
  });

  it('records the transient failure in state.error', async () => {
    const { session, call } = signedIn();
    void track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(502));
    await flushMicrotasks();
    expect(session.getState().error?.code).toBe('REFRESH_UNAVAILABLE');
  });

  it('treats an error as transient when a custom isRefreshRejected says no, even a 401', async () => {
    const { session, call } = signedIn({ isRefreshRejected: () => false });
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    expect(rejection(waiter).code).toBe('REFRESH_UNAVAILABLE');
    expect(session.getState().status).toBe('signedIn');
  });

  it('treats a throwing isRefreshRejected as a transient failure: waiters reject at once, nothing hangs', async () => {
    // A predicate written for HTTP errors only, as users write them: a network error has no `response`.
    const isRefreshRejected = (error: unknown) =>
      (error as { response: { status: number } }).response.status === 400;
    const { session, call } = signedIn({ isRefreshRejected });
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).reject(new TypeError('Failed to fetch'));
    await flushMicrotasks();
    expect(waiter.state).toBe('rejected');
    expect(rejection(waiter).code).toBe('REFRESH_UNAVAILABLE');
    expect(session.getState().status).toBe('signedIn');
  });
});
