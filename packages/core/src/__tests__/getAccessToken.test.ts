import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, httpError, recordEvents, rejection, setup, T0, track } from './support/harness';
import { makeJwt } from './support/jwt';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the clock to `ms` after T0. */
const at = (ms: number) => vi.advanceTimersByTimeAsync(T0 + ms - Date.now());

/** Whether getAccessToken() asks for a refresh now (the refresh is answered so nothing stays pending). */
async function refreshesNow(harness: ReturnType<typeof setup>): Promise<boolean> {
  const before = harness.refresh.mock.calls.length;
  const result = track(harness.session.getAccessToken());
  await flushMicrotasks();
  const refreshed = harness.refresh.mock.calls.length > before;
  if (refreshed) harness.call(before).resolve({ accessToken: `access-${before + 2}`, expiresIn: 600 });
  await flushMicrotasks();
  expect(result.state).toBe('fulfilled');
  return refreshed;
}

describe('getAccessToken: leeway', () => {
  it('returns the current token without refreshing while it is far from expiry', async () => {
    const harness = setup();
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 3600 });
    expect(await harness.session.getAccessToken()).toBe('access-1');
    expect(harness.refresh).not.toHaveBeenCalled();
  });

  it('refreshes first at 30 s before expiry by default, not at 30.001 s', async () => {
    const harness = setup();
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 3600 });
    await at(3_600_000 - 30_001);
    expect(await refreshesNow(harness)).toBe(false);
    await at(3_600_000 - 30_000);
    expect(await refreshesNow(harness)).toBe(true);
  });

  it('returns the refreshed token when it refreshes first', async () => {
    const harness = setup();
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 3600 });
    await at(3_600_000 - 10_000);
    const result = track(harness.session.getAccessToken());
    await flushMicrotasks();
    harness.call(0).resolve({ accessToken: 'access-2' });
    await flushMicrotasks();
    expect(result.value).toBe('access-2');
  });

  it('caps the default leeway at half the lifetime: a 40 s token refreshes at 20 s left, not at 30 s', async () => {
    const harness = setup();
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 40 });
    await at(10_000);
    expect(await refreshesNow(harness)).toBe(false);
    await at(19_999);
    expect(await refreshesNow(harness)).toBe(false);
    await at(20_000);
    expect(await refreshesNow(harness)).toBe(true);
  });

  it("counts the lifetime for the cap from receipt, not from the JWT's iat", async () => {
    const harness = setup();
    const issuedLongAgo = makeJwt({ sub: 'alice', iat: T0 / 1000 - 3600, exp: T0 / 1000 + 40 });
    harness.session.signIn({ accessToken: issuedLongAgo, refreshToken: 'r' });
    await at(19_999);
    expect(await refreshesNow(harness)).toBe(false);
    await at(20_000);
    expect(await refreshesNow(harness)).toBe(true);
  });

  it('does not cap an explicit refreshLeewayMs', async () => {
    const harness = setup({ refreshLeewayMs: 30_000 });
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 40 });
    await at(9_999);
    expect(await refreshesNow(harness)).toBe(false);
    await at(10_000);
    expect(await refreshesNow(harness)).toBe(true);
  });

  it('with refreshLeewayMs 0, never refreshes ahead, not even past the expiry: only a 401 does', async () => {
    // The escape from a skewed client clock: DESIGN's "0 = only after a 401".
    const harness = setup({ refreshLeewayMs: 0 });
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 40 });
    await at(39_999);
    expect(await refreshesNow(harness)).toBe(false);
    await at(3_600_000);
    expect(await refreshesNow(harness)).toBe(false);
    expect(await harness.session.getAccessToken()).toBe('access-1');
  });

  it('with refreshLeewayMs 1, refreshes once the token has expired', async () => {
    const harness = setup({ refreshLeewayMs: 1 });
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 40 });
    await at(39_998);
    expect(await refreshesNow(harness)).toBe(false);
    await at(40_000);
    expect(await refreshesNow(harness)).toBe(true);
  });

  it('never refreshes ahead for a token of unknown expiry', async () => {
    const harness = setup();
    harness.session.signIn({ accessToken: 'opaque', refreshToken: 'r' });
    await at(365 * 86_400_000);
    expect(await refreshesNow(harness)).toBe(false);
  });

  it('returns the old token when the proactive refresh fails transiently while it is still valid', async () => {
    const harness = setup();
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 40 });
    await at(25_000);
    const result = track(harness.session.getAccessToken());
    await flushMicrotasks();
    harness.call(0).reject(httpError(503));
    await flushMicrotasks();
    expect(result.state).toBe('fulfilled');
    expect(result.value).toBe('access-1');
  });

  it('returns the old token when the proactive refresh times out while it is still valid', async () => {
    const harness = setup({ refreshTimeoutMs: 1_000 });
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 40 });
    await at(25_000);
    const result = track(harness.session.getAccessToken());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(result.value).toBe('access-1');
  });

  it('rejects when the refresh of an expired token fails transiently', async () => {
    const harness = setup();
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 40 });
    await at(40_000);
    const result = track(harness.session.getAccessToken());
    await flushMicrotasks();
    harness.call(0).reject(new TypeError('Failed to fetch'));
    await flushMicrotasks();
    expect(rejection(result).code).toBe('REFRESH_UNAVAILABLE');
  });
});

describe('getAccessToken', () => {
  it('returns null when signed out', async () => {
    const { session, refresh } = setup();
    expect(await session.getAccessToken()).toBeNull();
    expect(refresh).not.toHaveBeenCalled();
  });

  it('rejects at once with the abort reason when its signal aborts, without advancing timers', async () => {
    const { session } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'r' });
    void track(session.refresh());
    const controller = new AbortController();
    const aborted = track(session.getAccessToken({ signal: controller.signal }));
    await flushMicrotasks();
    expect(aborted.state).toBe('pending');

    const reason = new Error('user navigated away');
    controller.abort(reason);
    await flushMicrotasks();
    expect(aborted.state).toBe('rejected');
    expect(aborted.error).toBe(reason);
  });

  it('rejects at once with the reason of a signal that is already aborted when it must wait', async () => {
    const { session } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    const aborted = track(session.getAccessToken({ signal: AbortSignal.abort('already gone') }));
    await flushMicrotasks();
    expect(aborted.state).toBe('rejected');
    expect(aborted.error).toBe('already gone');
  });

  it('lets the shared refresh go on after one waiter aborts, and the others get the new token', async () => {
    const { session, refresh, call } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    const controller = new AbortController();
    const aborted = track(session.getAccessToken({ signal: controller.signal }));
    const others = [track(session.getAccessToken()), track(session.getAccessToken())];
    await flushMicrotasks();
    controller.abort();
    await flushMicrotasks();
    expect((aborted.error as Error).name).toBe('AbortError');
    expect(call(0).signal.aborted).toBe(false);

    call(0).resolve({ accessToken: 'access-2' });
    await flushMicrotasks();
    expect(others.map((o) => o.value)).toEqual(['access-2', 'access-2']);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('rejects with the abort reason while waiting on a reauth, leaving the reauth open', async () => {
    const { session, call } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'r' });
    session.onReauth(() => new Promise(() => {}));
    void track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    const controller = new AbortController();
    const aborted = track(session.getAccessToken({ signal: controller.signal }));
    await flushMicrotasks();
    controller.abort('gone');
    await flushMicrotasks();
    expect(aborted.error).toBe('gone');
    expect(session.getState().status).toBe('reauthRequired');
  });

  it('resolves waiters with the new token when signIn() happens during a refresh, discarding the late result', async () => {
    const { session, storage, call } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'r1', expiresIn: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    const waiters = [track(session.getAccessToken()), track(session.refresh())];
    await flushMicrotasks();

    session.signIn({ accessToken: 'signed-in-meanwhile', refreshToken: 'r-new', expiresIn: 600 });
    await flushMicrotasks();
    expect(waiters[0]?.value).toBe('signed-in-meanwhile');
    expect(waiters[1]?.state).toBe('fulfilled');
    expect(call(0).signal.aborted).toBe(true);

    call(0).resolve({ accessToken: 'late-refresh', refreshToken: 'r-late' });
    await flushMicrotasks();
    expect(await session.getAccessToken()).toBe('signed-in-meanwhile');
    expect(JSON.parse(storage.getItem('reauth') ?? 'null').refreshToken).toBe('r-new');
  });

  it('leaves the session alone when the grace period of a refresh superseded by signIn() runs out', async () => {
    const { session, call } = setup({ refreshTimeoutMs: 1_000 });
    session.signIn({ accessToken: 'access-1', refreshToken: 'r1' });
    void track(session.refresh());
    await flushMicrotasks();
    const events = recordEvents(session);
    session.signIn({ accessToken: 'signed-in-meanwhile', refreshToken: 'r-new' });
    await vi.advanceTimersByTimeAsync(2 * 1_000);
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: null });
    expect(events.map((e) => e.type)).toEqual(['signedIn']);
    expect(call(0).signal.aborted).toBe(true);
  });

  it('does not let the superseded refresh disturb a refresh started after the signIn()', async () => {
    const { session, refresh, call } = setup({ refreshTimeoutMs: 1_000 });
    session.signIn({ accessToken: 'access-1', refreshToken: 'r1' });
    void track(session.refresh());
    await flushMicrotasks();
    session.signIn({ accessToken: 'access-2', refreshToken: 'r2' });
    await vi.advanceTimersByTimeAsync(1_500);
    const second = track(session.refresh());
    await vi.advanceTimersByTimeAsync(600); // past the superseded refresh's grace (2 000 ms)
    void track(session.refresh());
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(2); // r2 is not sent twice
    call(1).resolve({ accessToken: 'access-3', refreshToken: 'r3' });
    await flushMicrotasks();
    expect(second.state).toBe('fulfilled');
    expect(await session.getAccessToken()).toBe('access-3');
  });
});
