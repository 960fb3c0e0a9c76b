import type { AuthError } from '@reauth/core';
import { isAxiosError } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RefreshFailure } from './support/fakeApi';
import { bearer, codeOf, rejection, setup, track } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a refresh that hangs', () => {
  it('rejects the waiting requests with REFRESH_TIMEOUT at refreshTimeoutMs', async () => {
    const { api, http, session } = setup({ session: { refreshTimeoutMs: 1000 } });
    api.expireAccessTokens();
    api.failNextRefresh('hang');

    const request = track(http.get('/a'));
    await vi.advanceTimersByTimeAsync(10); // the 401 is in: the refresh starts now
    expect(api.refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(request.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    expect(codeOf(request.error)).toBe('REFRESH_TIMEOUT');
    expect(session.getState().status).not.toBe('signedOut');
  });

  it('keeps the refresh token: after the grace period a later request refreshes with it and succeeds', async () => {
    const { api, http, tokens } = setup({ session: { refreshTimeoutMs: 1000 } });
    api.expireAccessTokens();
    api.failNextRefresh('hang');
    const first = rejection(http.get('/a'));
    await vi.advanceTimersByTimeAsync(1100);
    expect(codeOf(await first)).toBe('REFRESH_TIMEOUT');
    const { signal } = api.refresh.mock.calls[0]![0];
    expect(signal.aborted).toBe(false); // the grace period
    await vi.advanceTimersByTimeAsync(1000);
    expect(signal.aborted).toBe(true); // the hung call is abandoned

    const later = http.get('/b');
    await vi.advanceTimersByTimeAsync(100);

    expect((await later).status).toBe(200);
    expect(api.refreshTokensPresented).toEqual([tokens.refreshToken, tokens.refreshToken]);
    expect(api.sendsOf('/b').map((s) => s.authorization)).toEqual([bearer(api.lastIssued().accessToken)]);
  });

  it('joins a request made during the grace period to the hung refresh instead of starting another', async () => {
    const { api, http } = setup({ session: { refreshTimeoutMs: 1000 } });
    api.expireAccessTokens();
    api.failNextRefresh('hang');
    const first = rejection(http.get('/a'));
    await vi.advanceTimersByTimeAsync(1100);
    await first;

    const during = rejection(http.get('/b'));
    await vi.advanceTimersByTimeAsync(2000);

    expect(codeOf(await during)).toBe('REFRESH_TIMEOUT');
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/b')).toHaveLength(0);
  });

  it('adopts the tokens of a refresh that lands within the grace period', async () => {
    const { api, http } = setup({ session: { refreshTimeoutMs: 1000 } });
    api.expireAccessTokens();
    api.setRefreshDelay(1500);
    const first = rejection(http.get('/a'));
    await vi.advanceTimersByTimeAsync(1100);
    expect(codeOf(await first)).toBe('REFRESH_TIMEOUT');
    await vi.advanceTimersByTimeAsync(500); // the slow refresh lands

    const later = http.get('/b');
    await vi.advanceTimersByTimeAsync(100);

    expect((await later).status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/b').map((s) => s.authorization)).toEqual([bearer(api.lastIssued().accessToken)]);
  });
});

describe('a refresh that fails for a transient reason', () => {
  it.each<[string, RefreshFailure]>([
    ['a network error', 'network'],
    ['a 5xx', 'server'],
  ])(
    '%s on refresh: REFRESH_UNAVAILABLE, the refresh token kept, a later request refreshes',
    async (_, kind) => {
      const { api, http, session, tokens } = setup();
      api.expireAccessTokens();
      api.failNextRefresh(kind);

      const waiting = ['/a', '/b'].map((url) => rejection(http.get(url)));
      await vi.advanceTimersByTimeAsync(100);
      const errors = await Promise.all(waiting);

      expect(errors.map(codeOf)).toEqual(['REFRESH_UNAVAILABLE', 'REFRESH_UNAVAILABLE']);
      const cause = (errors[0] as Error).cause;
      expect(isAxiosError(cause) && cause.config?.url).toBe('/auth/refresh');
      expect(session.getState().status).toBe('signedIn');

      const later = http.get('/c');
      await vi.advanceTimersByTimeAsync(100);

      expect((await later).status).toBe(200);
      expect(api.refreshTokensPresented).toEqual([tokens.refreshToken, tokens.refreshToken]);
      expect(api.sendsOf('/c').map((s) => s.authorization)).toEqual([bearer(api.lastIssued().accessToken)]);
    },
  );

  it('a refresh result without an accessToken: REFRESH_UNAVAILABLE with a TypeError naming the field', async () => {
    const { api, http } = setup();
    api.expireAccessTokens();
    api.refresh.mockResolvedValueOnce({ refreshToken: 'refresh-without-access' });

    const error = rejection(http.get('/a'));
    await vi.advanceTimersByTimeAsync(100);

    const { code, cause } = (await error) as AuthError;
    expect(code).toBe('REFRESH_UNAVAILABLE');
    expect(cause).toBeInstanceOf(TypeError);
    expect((cause as TypeError).message).toMatch(/accessToken/);
  });
});
