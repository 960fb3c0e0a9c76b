import { isAuthError } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { challenges, type Reply } from './support/fakeFetch';
import { bearer, finish, setup, url } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const insufficientScope = (): Reply => ({
  status: 401,
  headers: { 'www-authenticate': challenges.insufficientScope },
  json: { error: 'insufficient_scope' },
});

describe('responses reauth does not refresh come back as they are, resolved', () => {
  it.each([403, 404, 500, 503])('a %i resolves untouched, with no refresh and no event', async (status) => {
    const { api, authFetch, events } = setup({ auth: { shouldRefresh: () => true } });
    api.route('/x', () => ({ status, json: { status } }));
    const before = events.length;

    const response = await finish(authFetch(url('/x')));

    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ status });
    expect(api.refresh).not.toHaveBeenCalled();
    expect(api.sends).toHaveLength(1);
    expect(events.slice(before)).toEqual([]);
  });

  it('hands back a 401 with error="insufficient_scope", readable, diagnosed and not handled', async () => {
    const { api, authFetch, eventsOf } = setup();
    api.route('/admin', insufficientScope);

    const response = await finish(authFetch(url('/admin')));

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'insufficient_scope' });
    expect(api.refresh).not.toHaveBeenCalled();
    expect(eventsOf('unauthorized')).toEqual([
      expect.objectContaining({
        status: 401,
        handled: false,
        diagnosis: expect.objectContaining({ cause: 'insufficient_scope' }),
      }),
    ]);
  });

  it('hands back the 401 of a skipAuth request (a wrong password): no token, no refresh, no prompt', async () => {
    const { api, authFetch, session, eventsOf } = setup();
    const prompt = vi.fn(async () => null);
    session.onReauth(prompt);
    api.route('/auth/login', () => ({ status: 401, json: { error: 'invalid_credentials' } }));

    const response = await finish(
      authFetch(url('/auth/login'), { method: 'POST', body: '{"password":"wrong"}', skipAuth: true }),
    );

    expect(response.status).toBe(401);
    expect(api.sends.map((s) => s.authorization)).toEqual([null]);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(prompt).not.toHaveBeenCalled();
    expect(eventsOf('unauthorized').map((e) => e.handled)).toEqual([false]);
    expect(session.getState().status).toBe('signedIn');
  });

  it('sends no token to a foreign origin and hands its 401 back, diagnosed origin_not_allowed', async () => {
    const { api, authFetch, eventsOf } = setup();
    api.expireAccessTokens();

    const response = await finish(authFetch('https://other.test/items'));

    expect(response.status).toBe(401);
    expect(api.sends.map((s) => s.authorization)).toEqual([null]);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(eventsOf('unauthorized')).toEqual([
      expect.objectContaining({
        handled: false,
        diagnosis: expect.objectContaining({ cause: 'origin_not_allowed' }),
      }),
    ]);
  });

  it('hands back a replay that is 401 again: sent twice, one refresh, no loop', async () => {
    const { api, authFetch, eventsOf } = setup();
    api.route('/again', ({ sendNo }) => ({ status: 401, json: { sendNo } }));

    const response = await finish(authFetch(url('/again')));

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ sendNo: 2 });
    expect(api.sendsOf('/again')).toHaveLength(2);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(eventsOf('unauthorized').map((e) => e.handled)).toEqual([true, false]);
  });

  it('never intercepts a skipAuth refresh call that answers 401: SESSION_EXPIRED, no loop', async () => {
    const { api, authFetch, session, eventsOf } = setup({
      session: {
        refresh: async () => {
          const response = await authFetch(url('/auth/refresh'), { method: 'POST', skipAuth: true });
          throw response; // a 401: refused
        },
      },
    });
    api.expireAccessTokens();

    const outcome = await finish(authFetch(url('/items'))).catch((error: unknown) => error);

    expect(isAuthError(outcome) && outcome.code).toBe('SESSION_EXPIRED');
    expect(api.sendsOf('/auth/refresh').map((s) => [s.status, s.authorization])).toEqual([[401, null]]);
    expect(api.sendsOf('/items')).toHaveLength(1);
    expect(eventsOf('unauthorized').map((e) => e.handled)).toEqual([true, false]);
    expect(session.getState().status).toBe('signedOut');
  });

  it('hands back the 401 at once with maxRetries 0', async () => {
    const { api, authFetch } = setup({ auth: { maxRetries: 0 } });
    api.expireAccessTokens();

    const response = await finish(authFetch(url('/items')));

    expect(response.status).toBe(401);
    expect(api.sends).toHaveLength(1);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('asks shouldRefresh with the Response, and hands the 401 back when it says no', async () => {
    const shouldRefresh = vi.fn((response: Response) => response.headers.get('x-refreshable') === 'yes');
    const { api, authFetch, tokens } = setup({ auth: { shouldRefresh } });
    api.route('/no', () => ({ status: 401 }));
    api.route('/yes', ({ sendNo }) =>
      sendNo === 1 ? { status: 401, headers: { 'x-refreshable': 'yes' } } : { status: 200 },
    );

    expect((await finish(authFetch(url('/no')))).status).toBe(401);
    expect((await finish(authFetch(url('/yes')))).status).toBe(200);

    expect(shouldRefresh).toHaveBeenCalledTimes(2);
    expect(shouldRefresh.mock.calls[0]?.[0]).toBeInstanceOf(Response);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/yes').map((s) => s.authorization)).toEqual([
      bearer(tokens.accessToken),
      bearer(api.lastIssued().accessToken),
    ]);
  });

  it('lets a network error reach the caller unchanged', async () => {
    const { api, authFetch } = setup();
    api.route('/down', () => 'network');

    const outcome = finish(authFetch(url('/down'))).catch((error: unknown) => error);

    const error = await outcome;
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('fetch failed');
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('hands back the plain 401 of a request sent signed out with no prompt registered', async () => {
    const { api, authFetch, eventsOf } = setup({ signedIn: false });

    const response = await finish(authFetch(url('/items')));

    expect(response.status).toBe(401);
    expect(api.sends.map((s) => s.authorization)).toEqual([null]);
    expect(eventsOf('unauthorized').map((e) => e.handled)).toEqual([false]);
  });
});

describe('interceptNetworkError', () => {
  it('treats a network error on a token expired by its claims as a 401: refresh, then replay', async () => {
    const { api, authFetch, tokens, eventsOf } = setup({
      auth: { interceptNetworkError: true },
      session: { refreshLeewayMs: 0 }, // an expired token is still sent: only a 401 refreshes
      api: { accessTtlS: 60 },
    });
    api.route('/cors', ({ token }) => (token === 'valid' ? { status: 200 } : 'network'));
    await vi.advanceTimersByTimeAsync(61_000);

    const response = await finish(authFetch(url('/cors')));

    expect(response.status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/cors').map((s) => [s.status, s.authorization])).toEqual([
      [0, bearer(tokens.accessToken)],
      [200, bearer(api.lastIssued().accessToken)],
    ]);
    expect(eventsOf('unauthorized')).toEqual([
      expect.objectContaining({
        status: 0,
        handled: true,
        diagnosis: expect.objectContaining({ cause: 'expired_token' }),
      }),
    ]);
  });

  it('leaves an abort during the send alone: AbortError, no refresh, no 401 seen', async () => {
    const { api, authFetch, eventsOf } = setup({
      auth: { interceptNetworkError: true },
      session: { refreshLeewayMs: 0 },
      api: { accessTtlS: 60 },
    });
    await vi.advanceTimersByTimeAsync(61_000);
    const controller = new AbortController();
    const outcome = authFetch(url('/slow'), { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5);
    controller.abort();

    expect(await finish(outcome)).toBe(controller.signal.reason);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(eventsOf('unauthorized')).toEqual([]);
  });

  it('leaves a network error alone when the token is still valid, or without the option', async () => {
    for (const interceptNetworkError of [true, false]) {
      const { api, authFetch } = setup({ auth: { interceptNetworkError } });
      api.route('/down', () => 'network');
      const error = await finish(authFetch(url('/down'))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect(api.refresh).not.toHaveBeenCalled();
    }
  });
});
