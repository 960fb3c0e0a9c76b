import { createSession } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubBroadcastChannel } from './support/fakeChannel';
import { controlledRefresh, httpError, memoryStorage, settle, setup, T0, track } from './support/harness';

const LEEWAY = 10_000;
let keys = 0;

/** A page whose visibility the test sets; `visibilitychange` and `online` are dispatched by the test. */
function stubPage(visibilityState: 'visible' | 'hidden' = 'visible') {
  const page = Object.assign(new EventTarget(), { visibilityState });
  const window = new EventTarget();
  vi.stubGlobal('document', page);
  vi.stubGlobal('window', window);
  return {
    show: () => {
      page.visibilityState = 'visible';
      page.dispatchEvent(new Event('visibilitychange'));
    },
    hide: () => {
      page.visibilityState = 'hidden';
      page.dispatchEvent(new Event('visibilitychange'));
    },
    online: () => window.dispatchEvent(new Event('online')),
  };
}

/** Signed in with a token expiring in 60 s: the background refresh is due at 50 s. */
function signedIn(options: Parameters<typeof setup>[0] = {}) {
  const harness = setup({ autoRefresh: true, crossTab: false, refreshLeewayMs: LEEWAY, ...options });
  harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 60 });
  return harness;
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('autoRefresh', () => {
  it('refreshes when the token enters the leeway, with no request asking', async () => {
    const { refresh, call, session } = signedIn();
    await vi.advanceTimersByTimeAsync(50_000 - 1);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 60 });
    await settle();
    expect(session.getState()).toMatchObject({ status: 'signedIn', expiresAt: T0 + 110_000 });
  });

  it('goes on refreshing ahead of each new expiry', async () => {
    const { refresh, call } = signedIn();
    await vi.advanceTimersByTimeAsync(50_000);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(50_000);
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(call(1).refreshToken).toBe('refresh-2');
  });

  it('is the single flight: a request at the same moment joins the background refresh', async () => {
    const { refresh, call, session } = signedIn();
    await vi.advanceTimersByTimeAsync(50_000);
    const token = track(session.getAccessToken());
    const joined = track(session.refresh());
    call(0).resolve({ accessToken: 'access-2' });
    await settle();
    expect([token.value, joined.state]).toEqual(['access-2', 'fulfilled']);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('keeps the tokens after a transient background failure, rejects nothing, and retries on the next request', async () => {
    const { refresh, call, session } = signedIn();
    await vi.advanceTimersByTimeAsync(50_000);
    call(0).reject(httpError(503));
    await vi.advanceTimersByTimeAsync(5_000);
    // No retry loop against a failing server: the next request (or visibility, or `online`) tries again.
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: { code: 'REFRESH_UNAVAILABLE' } });
    const token = track(session.getAccessToken());
    await settle();
    call(1).resolve({ accessToken: 'access-2' });
    await settle();
    expect(token.value).toBe('access-2');
  });

  it('moves to reauthRequired when the background refresh is refused, as any refused refresh', async () => {
    const { call, session } = signedIn();
    const prompt = vi.fn(() => new Promise<null>(() => {}));
    session.onReauth(prompt);
    await vi.advanceTimersByTimeAsync(50_000);
    call(0).reject(httpError(400));
    await settle();
    expect(session.getState().status).toBe('reauthRequired');
    expect(prompt).toHaveBeenCalledWith(expect.objectContaining({ reason: 'refresh_rejected' }));
  });

  it('signs out with SESSION_EXPIRED when a background refresh is refused and no prompt is registered', async () => {
    const { call, session, storage } = signedIn();
    await vi.advanceTimersByTimeAsync(50_000);
    call(0).reject(httpError(401));
    await settle();
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: { code: 'SESSION_EXPIRED' } });
    expect(storage.getItem('reauth')).toBeNull();
  });

  it('waits while the page is hidden, and checks at once when it becomes visible', async () => {
    const page = stubPage('hidden');
    const { refresh } = signedIn();
    await vi.advanceTimersByTimeAsync(55_000);
    expect(refresh).not.toHaveBeenCalled();
    page.show();
    await settle();
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('stops its timer when the page is hidden', async () => {
    const page = stubPage();
    const { refresh } = signedIn();
    await vi.advanceTimersByTimeAsync(40_000);
    page.hide();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('checks at once when the page comes back online', async () => {
    const page = stubPage();
    const { refresh, call } = signedIn();
    await vi.advanceTimersByTimeAsync(50_000);
    call(0).reject(new TypeError('Failed to fetch'));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(refresh).toHaveBeenCalledTimes(1);
    page.online();
    await settle();
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['a lifetime shorter than the leeway', { expiresIn: 5 }],
    ['a server clock behind ours', { expiresAt: T0 + 49_000 }],
  ])(
    'does not refresh again at once in the background for a token already due when it arrives (%s)',
    async (_, expiry) => {
      const { refresh, call, session } = signedIn();
      await vi.advanceTimersByTimeAsync(50_000);
      call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', ...expiry });
      await vi.advanceTimersByTimeAsync(1_000);
      // No loop against the auth server: the next request, visibility or `online` refreshes it.
      expect(refresh).toHaveBeenCalledTimes(1);
      const token = track(session.getAccessToken());
      await settle();
      call(1).resolve({ accessToken: 'access-3', refreshToken: 'refresh-3', expiresIn: 60 });
      await settle();
      expect(token.value).toBe('access-3');
    },
  );

  it('refreshes at once a token restored from storage that is already due', async () => {
    const storage = memoryStorage({
      reauth: JSON.stringify({
        v: 1,
        accessToken: 'a',
        refreshToken: 'r',
        expiresAt: T0 + 5_000,
        receivedAt: T0 - 55_000,
      }),
    });
    const { refresh } = setup({ autoRefresh: true, crossTab: false, refreshLeewayMs: LEEWAY, storage });
    await settle();
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('does nothing in the background without a refresh token, or with refreshLeewayMs 0', async () => {
    const noRefreshToken = setup({ autoRefresh: true, refreshLeewayMs: LEEWAY });
    noRefreshToken.session.signIn({ accessToken: 'access-1', expiresIn: 60 });
    const prompt = vi.fn(() => new Promise<null>(() => {}));
    noRefreshToken.session.onReauth(prompt);
    const zeroLeeway = signedIn({ refreshLeewayMs: 0 });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(noRefreshToken.refresh).not.toHaveBeenCalled();
    expect(prompt).not.toHaveBeenCalled();
    expect(zeroLeeway.refresh).not.toHaveBeenCalled();
  });

  it('is off by default outside a browser', async () => {
    const { refresh, session } = setup({ refreshLeewayMs: LEEWAY });
    session.signIn({ accessToken: 'a', refreshToken: 'r', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('is on by default in a browser', async () => {
    stubPage();
    stubBroadcastChannel();
    const { refresh } = signedIn({ autoRefresh: undefined, storageKey: `browser-${++keys}` } as never);
    await vi.advanceTimersByTimeAsync(50_000);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('refreshes once for all tabs when their timers fire together', async () => {
    stubBroadcastChannel();
    const { refresh, call } = controlledRefresh();
    const storageKey = `auto-tabs-${++keys}`;
    const tabs = [0, 1, 2].map(() =>
      createSession({
        refresh,
        storage: memoryStorage(),
        storageKey,
        now: () => Date.now(),
        refreshLeewayMs: LEEWAY,
        autoRefresh: true,
        crossTab: true,
      }),
    );
    tabs[0]?.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(50_100);
    expect(refresh).toHaveBeenCalledTimes(1);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 60 });
    await settle();
    for (const tab of tabs) expect(await tab.getAccessToken()).toBe('access-2');
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});
