import type { ReauthContext } from '@reauth/core';
import { describe, expect, it, vi } from 'vitest';
import type { RefreshFn } from '../support/setup';
import { currentJti, requestsTo, setup } from '../support/setup';

describe('what a refresh result may look like', () => {
  it('accepts the OAuth 2.0 names access_token, refresh_token and expires_in', async () => {
    const { server, api, session, signIn } = await setup({
      wrapRefresh:
        (refresh): RefreshFn =>
        async (context) => {
          const { accessToken, refreshToken, expiresIn } = await refresh(context);
          return { access_token: accessToken, refresh_token: refreshToken, expires_in: expiresIn };
        },
    });
    await signIn();
    server.controls.expireAccessTokens();

    expect((await api.get('/api/items/1')).status).toBe(200);
    server.controls.expireAccessTokens();
    expect((await api.get('/api/items/2')).status).toBe(200);

    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok', 'ok']);
    expect(session.getState().user).toMatchObject({ sub: 'alice' });
    expect(requestsTo(server, '/api/items/2').at(-1)).toMatchObject({ tokenId: await currentJti(session) });
  });

  it('keeps the refresh token when a non-rotating server leaves it out of the answer', async () => {
    const { server, api, signIn } = await setup({
      server: { rotateRefreshTokens: false },
      wrapRefresh:
        (refresh): RefreshFn =>
        async (context) => {
          const { refreshToken: _omitted, ...rest } = await refresh(context);
          return rest;
        },
    });
    await signIn();

    for (const id of ['1', '2']) {
      server.controls.expireAccessTokens();
      expect((await api.get(`/api/items/${id}`)).status).toBe(200);
    }
    const [first, second] = server.stats.refreshCalls;
    expect(second).toMatchObject({ outcome: 'ok', tokenId: first?.tokenId });
  });

  it('drops the refresh token on null, so the next 401 opens the prompt with no_refresh_token', async () => {
    const { server, api, session, signIn, login } = await setup({
      wrapRefresh:
        (refresh): RefreshFn =>
        async (context) => ({ ...(await refresh(context)), refreshToken: null }),
    });
    await signIn();
    const handler = vi.fn((_context: ReauthContext) => login());
    session.onReauth(handler);
    server.controls.expireAccessTokens();
    expect((await api.get('/api/items/1')).status).toBe(200);
    server.controls.expireAccessTokens();

    expect((await api.get('/api/items/2')).status).toBe(200);

    expect(server.stats.refreshes).toBe(1);
    expect(handler).toHaveBeenCalledOnce();
    expect(handler.mock.calls[0]?.[0].reason).toBe('no_refresh_token');
    expect(server.stats.logins).toBe(2);
  });
});
