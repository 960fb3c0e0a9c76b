import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, flushMicrotasks, setup, track, url, userPrompt } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A setup where /first got its 401 and the refresh runs for another 100 ms. */
async function refreshing() {
  const context = setup();
  context.api.expireAccessTokens();
  context.api.setRefreshDelay(100);
  const first = track(context.authFetch(url('/first')));
  await vi.advanceTimersByTimeAsync(20);
  expect(context.session.getState().status).toBe('refreshing');
  return { ...context, first };
}

describe('aborting a request that waits', () => {
  it('rejects at once with fetch’s AbortError (the signal’s reason); never sent; the refresh goes on', async () => {
    const { api, authFetch, session, first } = await refreshing();
    const controller = new AbortController();
    const aborted = track(authFetch(url('/aborted'), { signal: controller.signal }));
    const other = track(authFetch(url('/other')));
    await flushMicrotasks();

    controller.abort();
    await flushMicrotasks();

    expect(aborted.rejected).toBe(true);
    expect(aborted.error).toBeInstanceOf(DOMException);
    expect(aborted.error).toMatchObject({ name: 'AbortError' });
    expect(aborted.error).toBe(controller.signal.reason);
    expect(session.getState().status).toBe('refreshing');

    await vi.advanceTimersByTimeAsync(200);
    expect([first.value?.status, other.value?.status]).toEqual([200, 200]);
    expect(api.sendsOf('/aborted')).toEqual([]);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it('rejects with the reason given to abort(reason), as fetch does', async () => {
    const { authFetch } = await refreshing();
    const controller = new AbortController();
    const reason = new Error('the user left the page');
    const aborted = track(authFetch(url('/aborted'), { signal: controller.signal }));
    await flushMicrotasks();

    controller.abort(reason);
    await flushMicrotasks();

    expect(aborted.error).toBe(reason);
  });

  it('matches the rejection of the fetch it wraps on the same aborted signal', async () => {
    const { api, authFetch } = await refreshing();
    const controller = new AbortController();
    controller.abort();
    const native = await api.fetch(url('/native'), { signal: controller.signal }).catch((e: unknown) => e);

    const ours = await authFetch(url('/ours'), { signal: controller.signal }).catch((e: unknown) => e);

    expect(ours).toBe(native);
    expect(api.sendsOf('/ours')).toEqual([]);
  });

  it('waits and succeeds with signal: null (no signal), as fetch accepts it', async () => {
    const { api, authFetch } = await refreshing();
    const held = track(authFetch(url('/held'), { signal: null }));
    await vi.advanceTimersByTimeAsync(200);
    expect(held.value?.status).toBe(200);
    expect(api.sendsOf('/held').map((s) => s.authorization)).toEqual([bearer(api.lastIssued().accessToken)]);
  });

  it('rejects a Request input whose signal aborts while it waits', async () => {
    const { api, authFetch } = await refreshing();
    const controller = new AbortController();
    const request = new Request(url('/aborted'), { signal: controller.signal });
    const aborted = track(authFetch(request));
    await flushMicrotasks();

    controller.abort();
    await flushMicrotasks();

    expect(aborted.error).toMatchObject({ name: 'AbortError' });
    await vi.advanceTimersByTimeAsync(200);
    expect(api.sendsOf('/aborted')).toEqual([]);
  });

  it('rejects a request waiting after its own 401 with AbortError and does not replay it', async () => {
    const { api, authFetch, eventsOf } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const controller = new AbortController();
    const aborted = track(authFetch(url('/aborted'), { signal: controller.signal }));
    const other = track(authFetch(url('/other')));
    await vi.advanceTimersByTimeAsync(20);

    controller.abort();
    await flushMicrotasks();

    expect(aborted.error).toMatchObject({ name: 'AbortError' });
    await vi.advanceTimersByTimeAsync(200);
    expect(other.value?.status).toBe(200);
    expect(api.sendsOf('/aborted').map((s) => s.status)).toEqual([401]);
    expect(eventsOf('requestReplayed').map((e) => e.url)).toEqual([url('/other')]);
  });

  it('rejects a request waiting on the login prompt with AbortError; the others resume', async () => {
    const { api, authFetch, session } = setup();
    const prompt = userPrompt();
    session.onReauth(prompt.handler);
    api.expireAccessTokens();
    api.revokeRefreshTokens();
    const refused = track(authFetch(url('/refused')));
    await vi.advanceTimersByTimeAsync(100);
    const controller = new AbortController();
    const aborted = track(authFetch(url('/aborted'), { signal: controller.signal }));
    await flushMicrotasks();

    controller.abort();
    await flushMicrotasks();
    prompt.answer(api.issueTokens());
    await vi.advanceTimersByTimeAsync(100);

    expect(aborted.error).toMatchObject({ name: 'AbortError' });
    expect(refused.value?.status).toBe(200);
    expect(api.sendsOf('/aborted')).toEqual([]);
    expect(api.sendsOf('/refused').map((s) => s.authorization)).toEqual([
      expect.any(String),
      bearer(api.lastIssued().accessToken),
    ]);
  });
});
