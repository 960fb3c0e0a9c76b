import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, rejection, setup, track } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets pending promise callbacks run without moving the clock. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

describe('aborting a request that waits for the refresh', () => {
  it('rejects it at once as a CanceledError; it is never sent, and the others succeed', async () => {
    const { api, http, session, eventsOf } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const first = track(http.get('/a'));
    await vi.advanceTimersByTimeAsync(20); // the refresh runs
    const controller = new AbortController();
    const aborted = track(http.get('/b', { signal: controller.signal }));
    const other = track(http.get('/c'));
    await flushMicrotasks();
    expect(eventsOf('requestQueued').map((e) => e.url)).toContain('https://api.test/b');

    controller.abort();
    await flushMicrotasks();

    expect(aborted.rejected).toBe(true);
    expect(axios.isCancel(aborted.error)).toBe(true);
    expect(session.getState().status).toBe('refreshing');

    await vi.advanceTimersByTimeAsync(200);
    expect([first.rejected, other.rejected]).toEqual([false, false]);
    expect([first.settled, other.settled]).toEqual([true, true]);
    expect(api.sendsOf('/b')).toHaveLength(0);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/c').map((s) => s.authorization)).toEqual([bearer(api.lastIssued().accessToken)]);
  });

  it('rejects a request waiting after its own 401 as a CanceledError, and does not replay it', async () => {
    const { api, http } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const controller = new AbortController();
    const aborted = track(http.get('/a', { signal: controller.signal }));
    const other = track(http.get('/b'));
    await vi.advanceTimersByTimeAsync(20); // both got their 401 and wait for the refresh

    controller.abort();
    await flushMicrotasks();
    expect(aborted.rejected).toBe(true);
    expect(axios.isCancel(aborted.error)).toBe(true);

    await vi.advanceTimersByTimeAsync(200);
    expect(other).toMatchObject({ settled: true, rejected: false });
    expect(api.sendsOf('/a')).toHaveLength(1);
    expect(api.sendsOf('/b')).toHaveLength(2);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it('rejects a request waiting for the reauth prompt as a CanceledError, and the prompt stays open', async () => {
    const { api, http, session } = setup();
    api.expireAccessTokens();
    api.failNextRefresh('rejected');
    const prompt = vi.fn(() => new Promise<null>(() => {}));
    session.onReauth(prompt);
    const first = track(http.get('/a'));
    await vi.advanceTimersByTimeAsync(100);
    const controller = new AbortController();
    const aborted = track(http.get('/b', { signal: controller.signal }));
    await flushMicrotasks();

    controller.abort();
    await flushMicrotasks();

    expect(axios.isCancel(aborted.error)).toBe(true);
    expect(first.settled).toBe(false);
    expect(session.getState().status).toBe('reauthRequired');
    expect(api.sendsOf('/b')).toHaveLength(0);
  });
});

describe('a request aborted before it starts', () => {
  it.each([
    ['while nothing waits', false],
    ['while a refresh runs', true],
  ])('rejects as a CanceledError and is never sent (%s)', async (_, refreshing) => {
    const { api, http } = setup();
    api.setRefreshDelay(100);
    if (refreshing) {
      api.expireAccessTokens();
      void http.get('/a');
      await vi.advanceTimersByTimeAsync(20);
    }
    const controller = new AbortController();
    controller.abort();

    const error = rejection(http.get('/b', { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(200);

    expect(axios.isCancel(await error)).toBe(true);
    expect(api.sendsOf('/b')).toHaveLength(0);
  });
});
