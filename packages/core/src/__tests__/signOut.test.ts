import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, httpError, recordEvents, rejection, setup, T0, track } from './support/harness';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

async function refreshInFlight() {
  const harness = setup();
  harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 1 });
  await vi.advanceTimersByTimeAsync(1_000);
  const waiters = [
    track(harness.session.refresh()),
    track(harness.session.getAccessToken()),
    track(harness.session.getAccessToken()),
  ];
  await flushMicrotasks();
  return { ...harness, waiters };
}

describe('signOut', () => {
  it('clears tokens, state and storage', async () => {
    const { session, storage } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 600 });
    session.signOut();
    expect(session.getState()).toEqual({ status: 'signedOut', user: null, expiresAt: null, error: null });
    expect(storage.getItem('reauth')).toBeNull();
    expect(await session.getAccessToken()).toBeNull();
  });

  it('is harmless when already signed out', () => {
    const { session } = setup();
    expect(() => session.signOut()).not.toThrow();
    expect(session.getState().status).toBe('signedOut');
  });

  it('rejects every waiter of a refresh in flight with SIGNED_OUT', async () => {
    const { session, waiters } = await refreshInFlight();
    session.signOut();
    await flushMicrotasks();
    for (const waiter of waiters) expect(rejection(waiter).code).toBe('SIGNED_OUT');
  });

  it('aborts the refresh in flight', async () => {
    const { session, call } = await refreshInFlight();
    session.signOut();
    expect(call(0).signal.aborted).toBe(true);
  });

  it('discards a refresh that lands after the sign-out', async () => {
    const { session, storage, call } = await refreshInFlight();
    session.signOut();
    call(0).resolve({ accessToken: 'access-late', refreshToken: 'refresh-late', expiresIn: 600 });
    await flushMicrotasks();
    expect(session.getState().status).toBe('signedOut');
    expect(await session.getAccessToken()).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it('stays signed out, with no refreshFailure, when the grace period of the dropped refresh runs out', async () => {
    const { session, events } = await refreshInFlight().then((h) => ({
      ...h,
      events: recordEvents(h.session),
    }));
    session.signOut();
    await vi.advanceTimersByTimeAsync(2 * 1_000);
    expect(session.getState()).toEqual({ status: 'signedOut', user: null, expiresAt: null, error: null });
    expect(events.map((e) => e.type)).toEqual(['signedOut']);
    expect(await session.getAccessToken()).toBeNull();
  });

  it('discards a refresh that fails terminally after the sign-out (no prompt, no SESSION_EXPIRED)', async () => {
    const { session, call } = await refreshInFlight();
    const handler = vi.fn(async () => null);
    session.onReauth(handler);
    session.signOut();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    expect(handler).not.toHaveBeenCalled();
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: null });
  });

  it('rejects every waiter of an open reauth with SIGNED_OUT and ignores the handler answering later', async () => {
    const harness = setup();
    const { session, storage, call } = harness;
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    let answer: (tokens: { accessToken: string }) => void = () => {};
    session.onReauth(() => new Promise((resolve) => (answer = resolve)));
    const waiters = [track(session.refresh()), track(session.getAccessToken())];
    await flushMicrotasks();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    expect(session.getState().status).toBe('reauthRequired');

    session.signOut();
    await flushMicrotasks();
    for (const waiter of waiters) expect(rejection(waiter).code).toBe('SIGNED_OUT');
    answer({ accessToken: 'too-late' });
    await flushMicrotasks();
    expect(session.getState().status).toBe('signedOut');
    expect(await session.getAccessToken()).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it('lets a later signIn start a fresh session', async () => {
    const { session, refresh, call } = await refreshInFlight();
    session.signOut();
    session.signIn({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    void track(session.refresh());
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(call(1).refreshToken).toBe('refresh-2');
  });
});
