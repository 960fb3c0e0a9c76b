import { describe, expect, it } from 'vitest';
import { eventually, setupMockAuth, useMswServer } from './support/mockAuth';
import { bearer, codeOf, rejection } from './support/setup';

// On axios's http adapter, msw/node and the @reauth/msw kit: the API is a real auth server.
const server = useMswServer();

describe('one refresh for any number of 401s', () => {
  it.each([3, 50])(
    '%i concurrent requests on an expired token: one refresh, all succeed, each sent twice at most',
    async (n) => {
      const { auth, http, tokens, refresh, sendsOf, lastIssued } = await setupMockAuth(server);
      auth.controls.expireAccessTokens();
      const urls = Array.from({ length: n }, (_, i) => `/items/${i}`);

      const responses = await Promise.all(urls.map((url) => http.get(url)));

      expect(refresh).toHaveBeenCalledTimes(1);
      expect(auth.stats.refreshes).toBe(1);
      expect(responses.map((r) => r.data.url)).toEqual(urls);
      const fresh = bearer(lastIssued().accessToken);
      for (const url of urls) {
        const sends = sendsOf(url);
        expect(sends).toHaveLength(2);
        expect(sends.map((s) => [s.status, s.authorization])).toEqual([
          [401, bearer(tokens.accessToken)],
          [200, fresh],
        ]);
      }
    },
  );

  it('replays each request once with the new token and reports it as requestReplayed', async () => {
    const { auth, http, eventsOf, gate, sends } = await setupMockAuth(server);
    auth.controls.expireAccessTokens();
    // Both 401s arrive while the refresh is held: neither is a late 401.
    const refreshGate = gate('/auth/refresh');

    const results = Promise.all([http.get('/a'), http.get('/b')]);
    await eventually(() => expect(sends.map((s) => s.status)).toEqual([401, 401]));
    refreshGate.open();
    await results;

    expect(eventsOf('refreshStart')).toHaveLength(1);
    expect(eventsOf('refreshSuccess')).toHaveLength(1);
    // One event per request; their order is the order the two 401s came back in, which nothing promises.
    const replayed = eventsOf('requestReplayed').sort((x, y) => x.url.localeCompare(y.url));
    expect(replayed.map((e) => [e.url, e.attempt, e.lateUnauthorized])).toEqual([
      ['https://api.test/a', 1, false],
      ['https://api.test/b', 1, false],
    ]);
  });

  it('presents the rotated refresh token on the next refresh, never one twice', async () => {
    const { auth, http, tokens, refreshTokensPresented, lastIssued } = await setupMockAuth(server);
    auth.controls.expireAccessTokens();
    await http.get('/a');
    const rotated = lastIssued().refreshToken;

    auth.controls.expireAccessTokens();
    await http.get('/a');

    expect(refreshTokensPresented).toEqual([tokens.refreshToken, rotated]);
    expect(auth.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok', 'ok']);
    expect(auth.stats.reuseDetected).toBe(0);
  });

  it.each(['server', 'network'] as const)(
    'keeps the refresh token through a transient failure (%s): the next 401 refreshes with it and succeeds',
    async (kind) => {
      const { auth, http, tokens, refreshTokensPresented } = await setupMockAuth(server);
      auth.controls.expireAccessTokens();
      auth.controls.failNextRefresh(1, kind);

      const failed = await rejection(http.get('/a'));
      const done = await http.get('/a');

      expect(codeOf(failed)).toBe('REFRESH_UNAVAILABLE');
      expect(done.status).toBe(200);
      expect(refreshTokensPresented).toEqual([tokens.refreshToken, tokens.refreshToken]);
      const [forced, ok] = auth.stats.refreshCalls;
      expect([forced?.outcome, ok?.outcome]).toEqual(['forced', 'ok']);
      expect(forced?.tokenId).toEqual(expect.any(String));
      expect(ok?.tokenId).toBe(forced?.tokenId);
      expect(auth.stats.reuseDetected).toBe(0);
    },
  );
});

describe('refresh ahead of expiry (leeway)', () => {
  it('refreshes a token inside the leeway (expiry from expiresIn) before the request: the API never sees a 401', async () => {
    const { http, tokens, refresh, sends, lastIssued, advanceClock } = await setupMockAuth(server, {
      session: { refreshLeewayMs: 30_000 },
    });
    expect(tokens.expiresIn).toBe(3600);
    advanceClock(3600_000 - 20_000);

    await http.get('/items');

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sends).toEqual([
      expect.objectContaining({
        url: '/items',
        status: 200,
        authorization: bearer(lastIssued().accessToken),
      }),
    ]);
  });

  it("refreshes a token inside the leeway (expiry from the JWT's exp) before the request: the API never sees a 401", async () => {
    const { http, session, refresh, sends, issueTokens, lastIssued, advanceClock } = await setupMockAuth(
      server,
      { signedIn: false, kit: { accessTokenTtlMs: 60_000 } },
    );
    const signedInAs = await issueTokens();
    // No expiresIn: the session reads the expiry from the JWT; the default leeway is half the 60 s lifetime.
    session.signIn({ accessToken: signedInAs.accessToken, refreshToken: signedInAs.refreshToken });
    expect(session.getState().expiresAt).not.toBeNull();
    advanceClock(31_000);

    await http.get('/items');

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sends.map((s) => [s.status, s.authorization])).toEqual([[200, bearer(lastIssued().accessToken)]]);
  });

  it('sends a token outside the leeway as it is, without refreshing', async () => {
    const { http, tokens, refresh, sends, advanceClock } = await setupMockAuth(server, {
      session: { refreshLeewayMs: 30_000 },
    });
    advanceClock(3600_000 - 60_000);

    await http.get('/items');

    expect(refresh).not.toHaveBeenCalled();
    expect(sends.map((s) => [s.status, s.authorization])).toEqual([[200, bearer(tokens.accessToken)]]);
  });

  it('sends the still-valid token when the proactive refresh fails transiently', async () => {
    const { auth, http, tokens, refresh, sends, advanceClock } = await setupMockAuth(server, {
      session: { refreshLeewayMs: 30_000 },
    });
    auth.controls.failNextRefresh(1, 'server');
    advanceClock(3600_000 - 20_000);

    const response = await http.get('/items');

    expect(response.status).toBe(200);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sends.map((s) => [s.status, s.authorization])).toEqual([[200, bearer(tokens.accessToken)]]);
  });
});
