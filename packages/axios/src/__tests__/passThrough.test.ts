import { isAxiosError } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { challenges, type Reply } from './support/fakeApi';
import { bearer, rejection, setup } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const forbidden = (): Reply => ({ status: 403, data: { error: 'forbidden' } });
const insufficientScope = (): Reply => ({
  status: 401,
  headers: { 'www-authenticate': challenges.insufficientScope },
  data: { error: 'insufficient_scope' },
});

describe('errors a refresh does not fix pass through unchanged', () => {
  it.each([
    ['403', forbidden, 403],
    ['401 with error="insufficient_scope"', insufficientScope, 401],
  ])('a %s reaches the caller as the same AxiosError, without a refresh', async (_, reply, status) => {
    const { api, http } = setup();
    api.route('/admin', reply);

    const pending = rejection(http.get('/admin'));
    await vi.advanceTimersByTimeAsync(100);
    const error = await pending;

    expect(error).toBe(api.thrown[0]);
    expect(isAxiosError(error) && error.response?.status).toBe(status);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(api.sends).toHaveLength(1);
  });

  it('a 403 never refreshes, even with a shouldRefresh that says yes, and is no unauthorized event', async () => {
    const { api, http, eventsOf } = setup({ attach: { shouldRefresh: () => true } });
    api.route('/admin', forbidden);

    const error = rejection(http.get('/admin'));
    await vi.advanceTimersByTimeAsync(100);

    expect(await error).toBe(api.thrown[0]);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(eventsOf('unauthorized')).toHaveLength(0);
  });

  it('reports an insufficient_scope 401 as unauthorized, diagnosed, not handled', async () => {
    const { api, http, eventsOf } = setup();
    api.route('/admin', insufficientScope);
    const error = rejection(http.get('/admin'));
    await vi.advanceTimersByTimeAsync(100);
    await error;

    expect(eventsOf('unauthorized')).toEqual([
      expect.objectContaining({
        status: 401,
        handled: false,
        diagnosis: expect.objectContaining({ cause: 'insufficient_scope' }),
      }),
    ]);
  });

  it.each([
    ['a 500', (): Reply => ({ status: 500 })],
    ['a network error', (): 'network' => 'network'],
  ])('%s reaches the caller as the same AxiosError', async (_, reply) => {
    const { api, http } = setup();
    api.route('/items', reply);
    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);

    expect(await error).toBe(api.thrown[0]);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('an error that is not an HTTP error (the adapter throwing a TypeError) reaches the caller unchanged', async () => {
    const { api, http } = setup();
    const bug = new TypeError('adapter bug');
    api.route('/items', () => {
      throw bug;
    });
    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);

    expect(await error).toBe(bug);
    expect(api.refresh).not.toHaveBeenCalled();
  });
});

describe('a custom shouldRefresh', () => {
  it('is asked with the AxiosError, and its "no" hands the 401 back without a refresh', async () => {
    const shouldRefresh = vi.fn(() => false);
    const { api, http } = setup({ attach: { shouldRefresh } });
    api.expireAccessTokens();

    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);

    expect(await error).toBe(api.thrown[0]);
    expect(shouldRefresh).toHaveBeenCalledWith(api.thrown[0]);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('its "yes" refreshes and replays even an insufficient_scope 401', async () => {
    const { api, http } = setup({ attach: { shouldRefresh: (error) => error.response?.status === 401 } });
    api.route('/admin', ({ sendNo }) => (sendNo === 1 ? insufficientScope() : { status: 200 }));

    const done = http.get('/admin');
    await vi.advanceTimersByTimeAsync(100);

    expect((await done).status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/admin')[1]?.authorization).toBe(bearer(api.lastIssued().accessToken));
  });
});

describe('skipAuth requests', () => {
  const wrongPassword = { username: 'alice', password: 'wrong' };

  it.each([
    ['signed in', true],
    ['signed out', false],
  ])(
    'a login with a wrong password (%s) gets its 401: no token, no refresh, no prompt',
    async (_, signedIn) => {
      const { api, http, session, eventsOf } = setup({ signedIn });
      const prompt = vi.fn(async () => api.issueTokens());
      session.onReauth(prompt);

      const error = rejection(http.post('/auth/login', wrongPassword, { skipAuth: true }));
      await vi.advanceTimersByTimeAsync(100);

      expect(await error).toBe(api.thrown[0]);
      expect(api.sends).toEqual([
        expect.objectContaining({ url: '/auth/login', authorization: null, status: 401 }),
      ]);
      expect(api.refresh).not.toHaveBeenCalled();
      expect(prompt).not.toHaveBeenCalled();
      expect(session.getState().status).toBe(signedIn ? 'signedIn' : 'signedOut');
      expect(eventsOf('unauthorized')).toEqual([
        expect.objectContaining({
          method: 'POST',
          status: 401,
          handled: false,
          diagnosis: expect.any(Object),
        }),
      ]);
    },
  );
});

describe('interceptNetworkError', () => {
  // A 5 s token, and a request that takes 6 s: the API answers 401 without CORS headers, so the browser
  // shows a network error.
  function expiresInFlight(interceptNetworkError: boolean) {
    const context = setup({
      signedIn: false,
      attach: { interceptNetworkError },
      session: { refreshLeewayMs: 0 },
    });
    context.session.signIn(context.api.issueTokens(5));
    context.api.delay('/slow', 6000);
    context.api.hide401BehindCors();
    return context;
  }

  it('treats a network error on a request whose JWT expired by its claims as a 401: refresh and replay', async () => {
    const { api, http, eventsOf } = expiresInFlight(true);

    const done = http.get('/slow');
    await vi.advanceTimersByTimeAsync(13_000);

    expect((await done).status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/slow').map((s) => s.status)).toEqual([0, 200]);
    const [event] = eventsOf('unauthorized');
    expect(event).toMatchObject({ handled: true, diagnosis: { cause: 'expired_token' } });
    expect(event?.diagnosis.hint).toMatch(/CORS/);
  });

  it('lets that network error through unchanged when the option is off', async () => {
    const { api, http } = expiresInFlight(false);

    const pending = rejection(http.get('/slow'));
    await vi.advanceTimersByTimeAsync(13_000);
    const error = await pending;

    expect(error).toBe(api.thrown[0]);
    expect(isAxiosError(error) && error.code).toBe('ERR_NETWORK');
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('lets a network error on a request whose token is not expired through, with the option on', async () => {
    const { api, http } = setup({ attach: { interceptNetworkError: true } });
    api.route('/items', () => 'network');

    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);

    expect(await error).toBe(api.thrown[0]);
    expect(api.refresh).not.toHaveBeenCalled();
  });
});
