import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, setup } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('one refresh for any number of 401s', () => {
  it.each([3, 50])(
    '%i concurrent requests on an expired token: one refresh, all succeed, each sent twice at most',
    async (n) => {
      const { api, http, tokens } = setup();
      api.expireAccessTokens();
      const urls = Array.from({ length: n }, (_, i) => `/items/${i}`);

      const results = Promise.all(urls.map((url) => http.get(url)));
      await vi.advanceTimersByTimeAsync(100);
      const responses = await results;

      expect(api.refresh).toHaveBeenCalledTimes(1);
      expect(responses.map((r) => r.data.url)).toEqual(urls);
      const fresh = bearer(api.lastIssued().accessToken);
      for (const url of urls) {
        const sends = api.sendsOf(url);
        expect(sends).toHaveLength(2);
        expect(sends.map((s) => [s.status, s.authorization])).toEqual([
          [401, bearer(tokens.accessToken)],
          [200, fresh],
        ]);
      }
    },
  );

  it('replays each request once with the new token and reports it as requestReplayed', async () => {
    const { api, http, eventsOf } = setup();
    api.expireAccessTokens();

    const results = Promise.all([http.get('/a'), http.get('/b')]);
    await vi.advanceTimersByTimeAsync(100);
    await results;

    expect(eventsOf('refreshStart')).toHaveLength(1);
    expect(eventsOf('refreshSuccess')).toHaveLength(1);
    const replayed = eventsOf('requestReplayed');
    expect(replayed.map((e) => [e.url, e.attempt, e.lateUnauthorized])).toEqual([
      ['https://api.test/a', 1, false],
      ['https://api.test/b', 1, false],
    ]);
  });

  it('presents the rotated refresh token on the next refresh, never one twice', async () => {
    const { api, http, tokens } = setup();
    api.expireAccessTokens();
    const first = http.get('/a');
    await vi.advanceTimersByTimeAsync(100);
    await first;
    const rotated = api.lastIssued().refreshToken;

    api.expireAccessTokens();
    const second = http.get('/a');
    await vi.advanceTimersByTimeAsync(100);
    await second;

    expect(api.refreshTokensPresented).toEqual([tokens.refreshToken, rotated]);
  });
});

describe('refresh ahead of expiry (leeway)', () => {
  it('refreshes a token inside the leeway (expiry from expiresIn) before the request: the API never sees a 401', async () => {
    const { api, http, tokens } = setup({ session: { refreshLeewayMs: 30_000 } });
    expect(tokens.expiresIn).toBe(3600);
    await vi.advanceTimersByTimeAsync(3600_000 - 20_000);

    const response = http.get('/items');
    await vi.advanceTimersByTimeAsync(100);
    await response;

    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sends).toEqual([
      expect.objectContaining({
        url: '/items',
        status: 200,
        authorization: bearer(api.lastIssued().accessToken),
      }),
    ]);
  });

  it("refreshes a token inside the leeway (expiry from the JWT's exp) before the request: the API never sees a 401", async () => {
    const { api, http, session } = setup({ signedIn: false });
    const signedInAs = api.issueTokens(60);
    // No expiresIn: the session reads the expiry from the JWT; the default leeway is half the 60 s lifetime.
    session.signIn({ accessToken: signedInAs.accessToken, refreshToken: signedInAs.refreshToken });
    expect(session.getState().expiresAt).not.toBeNull();
    await vi.advanceTimersByTimeAsync(31_000);

    const response = http.get('/items');
    await vi.advanceTimersByTimeAsync(100);
    await response;

    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sends.map((s) => [s.status, s.authorization])).toEqual([
      [200, bearer(api.lastIssued().accessToken)],
    ]);
  });

  it('sends a token outside the leeway as it is, without refreshing', async () => {
    const { api, http, tokens } = setup({ session: { refreshLeewayMs: 30_000 } });
    await vi.advanceTimersByTimeAsync(3600_000 - 60_000);

    const response = http.get('/items');
    await vi.advanceTimersByTimeAsync(100);
    await response;

    expect(api.refresh).not.toHaveBeenCalled();
    expect(api.sends.map((s) => [s.status, s.authorization])).toEqual([[200, bearer(tokens.accessToken)]]);
  });

  it('sends the still-valid token when the proactive refresh fails transiently', async () => {
    const { api, http, tokens } = setup({ session: { refreshLeewayMs: 30_000 } });
    api.failNextRefresh('server');
    await vi.advanceTimersByTimeAsync(3600_000 - 20_000);

    const response = http.get('/items');
    await vi.advanceTimersByTimeAsync(100);

    expect((await response).status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sends.map((s) => [s.status, s.authorization])).toEqual([[200, bearer(tokens.accessToken)]]);
  });
});
