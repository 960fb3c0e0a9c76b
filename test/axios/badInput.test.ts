import { isAuthError } from '@reauth/core';
import { describe, expect, it } from 'vitest';
import type { RefreshFn } from '../support/setup';
import { currentJti, requestsTo, settle, setup } from '../support/setup';

describe('bad input, end to end', () => {
  it('refuses a sign-in body without accessToken with a TypeError naming the field', async () => {
    const { session, login } = await setup();
    const { accessToken: _dropped, ...withoutAccessToken } = await login();

    let error: unknown;
    try {
      session.signIn(withoutAccessToken);
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/accessToken/);
    expect(String(error)).not.toContain(withoutAccessToken.refreshToken);
    expect(session.getState().status).toBe('signedOut');
  });

  it('treats a malformed JWT as an opaque token: no user, expiry from expiresIn, refreshed after its 401', async () => {
    const now = 1_700_000_000_000;
    const { server, api, session, login } = await setup({ session: { now: () => now } });
    const { refreshToken } = await login();

    session.signIn({ accessToken: 'not.a.jwt', refreshToken, expiresIn: 60 });

    expect(session.getState()).toMatchObject({ status: 'signedIn', user: null, expiresAt: now + 60_000 });
    const response = await api.get('/api/items/1');
    expect(response.status).toBe(200);
    expect(requestsTo(server, '/api/items/1')).toEqual([
      expect.objectContaining({ status: 401, hadToken: true, tokenId: null }),
      expect.objectContaining({ status: 200, tokenId: await currentJti(session) }),
    ]);
    expect(server.stats.refreshes).toBe(1);
  });

  it('fails a refresh answered with no accessToken as REFRESH_UNAVAILABLE, keeps the tokens, and recovers', async () => {
    let calls = 0;
    const { server, api, session, signIn } = await setup({
      // Without rotation the refresh token survives the call whose answer is mangled.
      server: { rotateRefreshTokens: false },
      wrapRefresh:
        (refresh): RefreshFn =>
        async (context) => {
          const answer = await refresh(context);
          calls += 1;
          if (calls > 1) return answer;
          const { accessToken: _dropped, ...withoutAccessToken } = answer;
          return withoutAccessToken;
        },
    });
    await signIn();
    server.controls.expireAccessTokens();

    const failed = await settle(api.get('/api/items/1'));

    expect(failed).toMatchObject({ ok: false, error: { code: 'REFRESH_UNAVAILABLE' } });
    const error = failed.ok ? undefined : failed.error;
    expect(isAuthError(error) && error.cause).toBeInstanceOf(TypeError);
    expect(isAuthError(error) && String(error.cause)).toMatch(/accessToken/);
    expect(session.getState().status).toBe('signedIn');

    const next = await api.get('/api/items/2');
    expect(next.status).toBe(200);
    const [mangled, ok] = server.stats.refreshCalls;
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok', 'ok']);
    expect(ok?.tokenId).toBe(mangled?.tokenId);
    expect(requestsTo(server, '/api/items/2')).toEqual([
      expect.objectContaining({ status: 200, tokenId: await currentJti(session) }),
    ]);
  });
});
