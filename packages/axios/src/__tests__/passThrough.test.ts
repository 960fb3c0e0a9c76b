import { isAxiosError } from 'axios';
import { getResponse, HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BASE_URL, setupMockAuth, useMswServer } from './support/mockAuth';
import { bearer, rejection, setup } from './support/setup';

// On axios's http adapter, msw/node and the @reauth/msw kit, but for one test that needs an adapter that
// throws (the fake adapter, at the end).
const server = useMswServer();

type Context = Awaited<ReturnType<typeof setupMockAuth>>;
const admin = () => HttpResponse.json({ admin: true });
/** /admin for admins only: alice (signed in by default) gets a 403, or a 401 insufficient_scope. */
const protectAdmin = ({ auth }: Context, insufficientScopeAs401 = false) =>
  server.use(
    auth.protect(http.get(`${BASE_URL}/admin`, admin), { roles: ['admin'], insufficientScopeAs401 }),
  );

describe('errors a refresh does not fix pass through unchanged', () => {
  it.each([
    ['403', false, 403],
    ['401 with error="insufficient_scope"', true, 401],
  ])('a %s reaches the caller as the same AxiosError, without a refresh', async (_, as401, status) => {
    const context = await setupMockAuth(server);
    const { http, refresh, thrown, sends } = context;
    protectAdmin(context, as401);

    const error = await rejection(http.get('/admin'));

    expect(error).toBe(thrown[0]);
    expect(isAxiosError(error) && error.response?.status).toBe(status);
    expect(refresh).not.toHaveBeenCalled();
    expect(sends).toHaveLength(1);
  });

  it('a 403 never refreshes, even with a shouldRefresh that says yes, and is no unauthorized event', async () => {
    const context = await setupMockAuth(server, { attach: { shouldRefresh: () => true } });
    const { http, refresh, thrown, eventsOf } = context;
    protectAdmin(context);

    const error = await rejection(http.get('/admin'));

    expect(error).toBe(thrown[0]);
    expect(refresh).not.toHaveBeenCalled();
    expect(eventsOf('unauthorized')).toHaveLength(0);
  });

  it('reports an insufficient_scope 401 as unauthorized, diagnosed, not handled', async () => {
    const context = await setupMockAuth(server);
    protectAdmin(context, true);
    await rejection(context.http.get('/admin'));

    expect(context.eventsOf('unauthorized')).toEqual([
      expect.objectContaining({
        status: 401,
        handled: false,
        diagnosis: expect.objectContaining({ cause: 'insufficient_scope' }),
      }),
    ]);
  });

  it.each([
    ['a 500', () => new HttpResponse(null, { status: 500 })],
    ['a network error', () => HttpResponse.error()],
  ])('%s reaches the caller as the same AxiosError', async (_, reply) => {
    const { http, refresh, thrown, route } = await setupMockAuth(server);
    route('/items', reply);

    const error = await rejection(http.get('/items'));

    expect(error).toBe(thrown[0]);
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('a custom shouldRefresh', () => {
  it('is asked with the AxiosError, and its "no" hands the 401 back without a refresh', async () => {
    const shouldRefresh = vi.fn(() => false);
    const { auth, http, refresh, thrown } = await setupMockAuth(server, { attach: { shouldRefresh } });
    auth.controls.expireAccessTokens();

    const error = await rejection(http.get('/items'));

    expect(error).toBe(thrown[0]);
    expect(shouldRefresh).toHaveBeenCalledWith(thrown[0]);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('its "yes" refreshes and replays even an insufficient_scope 401', async () => {
    const { http, refresh, route, sendsOf, lastIssued } = await setupMockAuth(server, {
      attach: { shouldRefresh: (error) => error.response?.status === 401 },
    });
    let sendNo = 0;
    route('/admin', () => {
      sendNo += 1;
      if (sendNo > 1) return new HttpResponse(null, { status: 200 });
      const challenge = 'Bearer realm="api", error="insufficient_scope"';
      return HttpResponse.json(
        { error: 'insufficient_scope' },
        { status: 401, headers: { 'www-authenticate': challenge } },
      );
    });

    const done = await http.get('/admin');

    expect(done.status).toBe(200);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sendsOf('/admin')[1]?.authorization).toBe(bearer(lastIssued().accessToken));
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
      const { auth, http, session, refresh, thrown, sends, eventsOf, issueTokens } = await setupMockAuth(
        server,
        { signedIn },
      );
      const prompt = vi.fn(() => issueTokens());
      session.onReauth(prompt);

      const error = await rejection(http.post('/auth/login', wrongPassword, { skipAuth: true }));

      expect(error).toBe(thrown[0]);
      expect(sends).toEqual([
        expect.objectContaining({ url: '/auth/login', authorization: null, status: 401 }),
      ]);
      expect(refresh).not.toHaveBeenCalled();
      expect(prompt).not.toHaveBeenCalled();
      expect(auth.stats.failedLogins).toBe(1);
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
  // A 5 s token, and a request that takes 6 s (on the clock the kit and the session share): the API answers
  // 401 without CORS headers, so the browser shows a network error. axios's fetch adapter reports a failed
  // fetch as ERR_NETWORK, as its browser XHR adapter does (its node http adapter does not).
  async function expiresInFlight(interceptNetworkError: boolean) {
    const context = await setupMockAuth(server, {
      signedIn: false,
      attach: { interceptNetworkError },
      session: { refreshLeewayMs: 0 },
      kit: { accessTokenTtlMs: 5_000 },
      axios: { adapter: 'fetch' },
    });
    context.session.signIn(await context.issueTokens());
    const slow = context.auth.protect(http.get(`${BASE_URL}/slow`, () => HttpResponse.json({ ok: true })));
    let isFirstSend = true;
    context.route('/slow', async ({ request }) => {
      if (isFirstSend) context.advanceClock(6_000);
      isFirstSend = false;
      const response = await getResponse([slow], request);
      return response?.status === 401 ? HttpResponse.error() : response;
    });
    return context;
  }

  it('treats a network error on a request whose JWT expired by its claims as a 401: refresh and replay', async () => {
    const { http, refresh, sendsOf, eventsOf } = await expiresInFlight(true);

    const done = await http.get('/slow');

    expect(done.status).toBe(200);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sendsOf('/slow').map((s) => s.status)).toEqual([0, 200]);
    const [event] = eventsOf('unauthorized');
    expect(event).toMatchObject({ handled: true, diagnosis: { cause: 'expired_token' } });
    expect(event?.diagnosis.hint).toMatch(/CORS/);
  });

  it('lets that network error through unchanged when the option is off', async () => {
    const { http, refresh, thrown } = await expiresInFlight(false);

    const error = await rejection(http.get('/slow'));

    expect(error).toBe(thrown[0]);
    expect(isAxiosError(error) && error.code).toBe('ERR_NETWORK');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('lets a network error on a request whose token is not expired through, with the option on', async () => {
    const { http, refresh, thrown, route } = await setupMockAuth(server, {
      attach: { interceptNetworkError: true },
      axios: { adapter: 'fetch' },
    });
    route('/items', () => HttpResponse.error());

    const error = await rejection(http.get('/items'));

    expect(error).toBe(thrown[0]);
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('on the fake adapter (an adapter that throws cannot be had over msw)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
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
