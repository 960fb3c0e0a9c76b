import { isAuthError } from '@reauth/core';
import { isAxiosError } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { challenges } from './support/fakeApi';
import { bearer, rejection, setup } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const alwaysUnauthorized = () => ({
  status: 401,
  headers: { 'www-authenticate': challenges.invalid },
  data: { error: 'invalid_token' },
});

describe('late 401s', () => {
  it('replays a 401 answered after the refresh at once with the current token, without a second refresh', async () => {
    const { api, http, eventsOf, tokens } = setup();
    api.expireAccessTokens();
    api.delay('/slow', 200);
    const fast = http.get('/fast');
    const slow = http.get('/slow');
    await vi.advanceTimersByTimeAsync(100); // the refresh is done, /slow is still out with the old token
    expect(api.refresh).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(400);
    await Promise.all([fast, slow]);

    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/slow').map((s) => [s.status, s.authorization])).toEqual([
      [401, bearer(tokens.accessToken)],
      [200, bearer(api.lastIssued().accessToken)],
    ]);
    const replay = eventsOf('requestReplayed').find((e) => e.url.endsWith('/slow'));
    expect(replay).toMatchObject({ attempt: 1, lateUnauthorized: true });
  });

  it('counts the late replay as the retry: a second 401 on it rejects', async () => {
    const { api, http } = setup();
    api.expireAccessTokens();
    api.delay('/slow', 200);
    api.route('/slow', alwaysUnauthorized);
    const fast = http.get('/fast');
    const slow = rejection(http.get('/slow'));
    await vi.advanceTimersByTimeAsync(1000);
    await fast;
    const error = await slow;

    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/slow')).toHaveLength(2);
    expect(error).toBe(api.thrown.at(-1));
    expect(isAxiosError(error) && error.response?.status).toBe(401);
  });
});

describe('never a loop', () => {
  it('rejects a replay that is 401 again with the AxiosError of the replay', async () => {
    const { api, http } = setup();
    api.route('/always', alwaysUnauthorized);

    const error = rejection(http.get('/always'));
    await vi.advanceTimersByTimeAsync(1000);

    expect(await error).toBe(api.thrown.at(-1));
    expect(api.thrown).toHaveLength(2);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/always').map((s) => s.authorization)).toEqual([
      bearer(api.issued()[0]!.accessToken),
      bearer(api.lastIssued().accessToken),
    ]);
  });

  it('with maxRetries 2, a replay that is 401 while its token is still current joins a new refresh', async () => {
    const { api, http } = setup({ attach: { maxRetries: 2 } });
    api.route('/always', alwaysUnauthorized);

    const error = rejection(http.get('/always'));
    await vi.advanceTimersByTimeAsync(1000);

    expect(await error).toBe(api.thrown.at(-1));
    expect(api.refresh).toHaveBeenCalledTimes(2);
    const tokensSent = api.sendsOf('/always').map((s) => s.authorization);
    expect(tokensSent).toEqual(api.issued().map((t) => bearer(t.accessToken)));
    expect(new Set(tokensSent).size).toBe(3);
  });

  it('with maxRetries 0, a 401 is handed back without a refresh', async () => {
    const { api, http } = setup({ attach: { maxRetries: 0 } });
    api.expireAccessTokens();

    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(1000);

    expect(await error).toBe(api.thrown[0]);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(api.sends).toHaveLength(1);
  });

  it('a refresh request made with skipAuth through the same instance can not loop on its own 401', async () => {
    const holder: { http?: ReturnType<typeof setup>['http'] } = {};
    const refresh = vi.fn(async ({ refreshToken }: { refreshToken: string }) => {
      const response = await holder.http!.post('/auth/refresh', { refreshToken }, { skipAuth: true });
      return response.data;
    });
    const { api, http, session } = setup({ session: { refresh } });
    holder.http = http;
    api.expireAccessTokens();
    api.route('/auth/refresh', alwaysUnauthorized);

    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(1000);

    expect(await error).toMatchObject({ name: 'AuthError', code: 'SESSION_EXPIRED' });
    expect(isAuthError(await error)).toBe(true);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/auth/refresh')).toEqual([
      expect.objectContaining({ authorization: null, status: 401 }),
    ]);
    expect(api.sendsOf('/items')).toHaveLength(1);
    expect(session.getState().status).toBe('signedOut');
  });
});
