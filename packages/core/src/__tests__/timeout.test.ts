import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, rejection, setup, T0, track } from './support/harness';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const TIMEOUT = 1_000;

/** Signed in with an expired access token, so getAccessToken() must wait for the refresh. */
async function hangingRefresh() {
  const harness = setup({ refreshTimeoutMs: TIMEOUT });
  harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 1 });
  await vi.advanceTimersByTimeAsync(1_000);
  const waiters = [track(harness.session.refresh()), track(harness.session.getAccessToken())];
  await flushMicrotasks();
  return { ...harness, waiters };
}

describe('refresh timeout', () => {
  it('rejects waiters with REFRESH_TIMEOUT at refreshTimeoutMs while the refresh hangs', async () => {
    const { waiters } = await hangingRefresh();
    await vi.advanceTimersByTimeAsync(TIMEOUT - 1);
    expect(waiters.map((w) => w.state)).toEqual(['pending', 'pending']);
    await vi.advanceTimersByTimeAsync(1);
    for (const waiter of waiters) expect(rejection(waiter).code).toBe('REFRESH_TIMEOUT');
  });

  it('times a burst of waiters with one timer, and each joiner from when it joined', async () => {
    const { session, waiters } = await hangingRefresh();
    const timers = vi.getTimerCount();
    const burst = Array.from({ length: 1_000 }, () => track(session.getAccessToken()));
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(timers); // joined in the same millisecond: the same wait
    await vi.advanceTimersByTimeAsync(TIMEOUT / 2);
    const late = track(session.getAccessToken());
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(timers + 1);

    await vi.advanceTimersByTimeAsync(TIMEOUT / 2);
    for (const waiter of [...waiters, ...burst]) expect(rejection(waiter).code).toBe('REFRESH_TIMEOUT');
    expect(late.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(TIMEOUT / 2);
    expect(rejection(late).code).toBe('REFRESH_TIMEOUT');
  });

  it('does not abort the refresh when the waiters time out', async () => {
    const { call } = await hangingRefresh();
    await vi.advanceTimersByTimeAsync(TIMEOUT);
    expect(call(0).signal.aborted).toBe(false);
  });

  it('adopts the tokens of a refresh that lands within the grace period', async () => {
    const { session, storage, call } = await hangingRefresh();
    await vi.advanceTimersByTimeAsync(TIMEOUT + TIMEOUT / 2);
    call(0).resolve({ accessToken: 'access-late', refreshToken: 'refresh-late', expiresIn: 600 });
    await flushMicrotasks();
    expect(session.getState().status).toBe('signedIn');
    expect(await session.getAccessToken()).toBe('access-late');
    expect(JSON.parse(storage.getItem('reauth') ?? 'null').refreshToken).toBe('refresh-late');
  });

  it('joins the timed-out refresh when refresh() is asked for during the grace period', async () => {
    const { session, refresh, call } = await hangingRefresh();
    await vi.advanceTimersByTimeAsync(TIMEOUT + 100);
    const joined = [track(session.refresh()), track(session.getAccessToken())];
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(1);
    call(0).resolve({ accessToken: 'access-late', refreshToken: 'refresh-late' });
    await flushMicrotasks();
    expect(joined.map((j) => j.state)).toEqual(['fulfilled', 'fulfilled']);
    expect(joined[1]?.value).toBe('access-late');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('aborts the refresh after the grace period and lets a later refresh() send the same refresh token', async () => {
    const { session, refresh, call } = await hangingRefresh();
    await vi.advanceTimersByTimeAsync(2 * TIMEOUT - 1);
    expect(call(0).signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(call(0).signal.aborted).toBe(true);
    expect(session.getState().status).toBe('signedIn');

    void track(session.refresh());
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(call(1).refreshToken).toBe('refresh-1');
  });

  it('rejects callers that joined during the grace period with REFRESH_TIMEOUT when it runs out', async () => {
    const { session, call } = await hangingRefresh();
    await vi.advanceTimersByTimeAsync(TIMEOUT + 500);
    const joined = track(session.refresh());
    await vi.advanceTimersByTimeAsync(TIMEOUT / 2);
    expect(rejection(joined).code).toBe('REFRESH_TIMEOUT');
    expect(call(0).signal.aborted).toBe(true);
  });

  it('ignores the result of an abandoned refresh that lands after the grace period', async () => {
    const { session, storage, call } = await hangingRefresh();
    await vi.advanceTimersByTimeAsync(2 * TIMEOUT);
    call(0).resolve({ accessToken: 'access-abandoned', refreshToken: 'refresh-abandoned' });
    await flushMicrotasks();
    expect(JSON.parse(storage.getItem('reauth') ?? 'null').accessToken).toBe('access-1');
    expect(session.getState().status).toBe('signedIn');
  });

  it('does not send the same refresh token twice while the timed-out refresh is still in its grace', async () => {
    const { session, refresh } = await hangingRefresh();
    await vi.advanceTimersByTimeAsync(TIMEOUT);
    for (let step = 0; step < 5; step++) {
      await vi.advanceTimersByTimeAsync(TIMEOUT / 5 - 1);
      void track(session.refresh());
      void track(session.getAccessToken());
    }
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});
