import { decodeJwt, type ReauthContext } from '@reauth/core';
import { describe, expect, it, vi } from 'vitest';
import { jtiOf, requestsTo, settle, setup, waitUntil } from '../support/setup';

// Promises of the contract (DESIGN.md) that no other file in this folder holds, against the real server.

describe('contract, end to end', () => {
  it('rejects a late 401 with SESSION_EXPIRED when a refused refresh ended its session, without a replay', async () => {
    const { server, api, session, signIn, eventsOf } = await setup();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();
    // /api/slow checks the token after its wait: its 401 comes long after the refused refresh.
    const slow = settle(api.get('/api/slow?ms=600'));

    const fast = await settle(api.get('/api/items/1'));
    expect(fast).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(session.getState().status).toBe('signedOut');

    expect(await slow).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(requestsTo(server, '/api/slow')).toEqual([
      expect.objectContaining({ status: 401, hadToken: true }),
    ]);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['rejected']);
    expect(eventsOf('requestReplayed')).toEqual([]);
  });

  it('fails a request held by a signed-out login prompt with REAUTH_CANCELLED when it is dismissed; it never reaches the server', async () => {
    const { server, api, session, eventsOf } = await setup();
    const handler = vi.fn(
      ({ signal }: ReauthContext) =>
        new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null))),
    );
    session.onReauth(handler);

    const refused = settle(api.get('/api/items/1'));
    await waitUntil(() => session.getState().status === 'reauthRequired', 'the prompt opening');
    const held = settle(api.get('/api/items/held'));
    await waitUntil(() => eventsOf('requestQueued').length === 2, 'two requests waiting');
    session.cancelReauth();

    for (const result of await Promise.all([refused, held])) {
      expect(result).toMatchObject({ ok: false, error: { code: 'REAUTH_CANCELLED' } });
    }
    expect(handler).toHaveBeenCalledOnce();
    expect(handler.mock.calls[0]?.[0].reason).toBe('unauthenticated');
    expect(requestsTo(server, '/api/items/1')).toEqual([
      expect.objectContaining({ status: 401, hadToken: false }),
    ]);
    expect(requestsTo(server, '/api/items/held')).toEqual([]);
    expect(session.getState().status).toBe('signedOut');
  });

  it("refreshes before sending when the JWT's exp (no expiresIn given) puts the token inside the leeway", async () => {
    let offsetMs = 0;
    const { server, api, session, login } = await setup({
      server: { accessTokenTtlMs: 2_000 },
      session: { now: () => Date.now() + offsetMs },
    });
    const { accessToken, refreshToken } = await login();
    session.signIn({ accessToken, refreshToken });
    expect(session.getState().expiresAt).toBe((decodeJwt(accessToken)?.exp as number) * 1000);
    // The default leeway is capped at half the 2 s lifetime: 1.2 s on, the token is inside it.
    offsetMs += 1_200;
    server.controls.advanceClock(1_200);

    const response = await api.get('/api/items/1');

    expect(response.status).toBe(200);
    const newJti = jtiOf(await session.getAccessToken());
    expect(newJti).toBeDefined();
    expect(newJti).not.toBe(jtiOf(accessToken));
    expect(requestsTo(server, '/api/items/1')).toEqual([
      expect.objectContaining({ status: 200, tokenId: newJti }),
    ]);
    expect(server.stats.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(server.stats.refreshes).toBe(1);
  });
});
