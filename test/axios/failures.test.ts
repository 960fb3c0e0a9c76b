import { describe, expect, it } from 'vitest';
import type { RefreshFailureKind } from '../support/authServer';
import { currentJti, requestsTo, settle, setup, waitUntil } from '../support/setup';

const transient: { kind: RefreshFailureKind; code: string }[] = [
  { kind: 'network', code: 'REFRESH_UNAVAILABLE' },
  { kind: 'server', code: 'REFRESH_UNAVAILABLE' },
];

describe('transient refresh failures against the real server', () => {
  it('rejects with REFRESH_TIMEOUT on a hung refresh, keeps the refresh token, and the next request refreshes', async () => {
    const { server, api, session, signIn, eventsOf } = await setup({ session: { refreshTimeoutMs: 300 } });
    const tokens = await signIn();
    server.controls.expireAccessTokens();
    server.controls.failNextRefresh(1, 'hang');

    const refused = settle(api.get('/api/items/1'));
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');
    const held = settle(api.get('/api/items/held'));
    const [timedOut, heldResult] = await Promise.all([refused, held]);

    expect(timedOut).toMatchObject({ ok: false, error: { code: 'REFRESH_TIMEOUT' } });
    expect(heldResult).toMatchObject({ ok: false, error: { code: 'REFRESH_TIMEOUT' } });
    expect(requestsTo(server, '/api/items/held')).toEqual([]);
    expect(session.getState().status).not.toBe('signedOut');
    // The hung call is abandoned only after its grace period; a request before that would join it.
    await waitUntil(() => eventsOf('refreshFailure').length === 1, 'the hung refresh being abandoned');
    const retried = await api.get('/api/items/2');

    expect(retried.status).toBe(200);
    const [hung, ok] = server.stats.refreshCalls;
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['hung', 'ok']);
    expect(ok?.tokenId).toBe(hung?.tokenId);
    expect(server.stats.reuseDetected).toBe(0);
    expect(requestsTo(server, '/api/items/2').at(-1)).toMatchObject({ tokenId: await currentJti(session) });
    expect(JSON.stringify(timedOut)).not.toContain(tokens.refreshToken);
  });

  it('adopts a refresh that lands in its grace period after REFRESH_TIMEOUT; a request meanwhile joins it', async () => {
    const { server, api, session, signIn, eventsOf } = await setup({ session: { refreshTimeoutMs: 400 } });
    await signIn();
    server.controls.expireAccessTokens();
    // Lands after the 400 ms timeout and well before the grace period ends (another 400 ms).
    server.controls.delayRefresh(600);

    const timedOut = await settle(api.get('/api/items/1'));
    expect(timedOut).toMatchObject({ ok: false, error: { code: 'REFRESH_TIMEOUT' } });
    expect(eventsOf('refreshSuccess')).toEqual([]);
    const joined = await api.get('/api/items/2');

    expect(joined.status).toBe(200);
    expect(server.stats.refreshes).toBe(1);
    expect(eventsOf('refreshFailure')).toEqual([]);
    expect(requestsTo(server, '/api/items/2')).toEqual([
      expect.objectContaining({ status: 200, tokenId: await currentJti(session) }),
    ]);
  });

  it.each(transient)(
    'rejects with $code on a $kind failure, keeps the refresh token, and the next request refreshes',
    async ({ kind, code }) => {
      const { server, api, session, signIn, eventsOf } = await setup();
      await signIn();
      server.controls.expireAccessTokens();
      server.controls.failNextRefresh(1, kind);

      const failed = await settle(api.get('/api/items/1'));

      expect(failed).toMatchObject({ ok: false, error: { code } });
      expect(session.getState()).toMatchObject({ status: 'signedIn', error: { code } });
      expect(eventsOf('refreshFailure')).toEqual([expect.objectContaining({ terminal: false })]);
      const retried = await api.get('/api/items/2');

      expect(retried.status).toBe(200);
      const [failedCall, ok] = server.stats.refreshCalls;
      expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['failed', 'ok']);
      expect(ok?.tokenId).toBe(failedCall?.tokenId);
      expect(server.stats.reuseDetected).toBe(0);
      expect(requestsTo(server, '/api/items/2')).toEqual([
        expect.objectContaining({ status: 200, tokenId: await currentJti(session) }),
      ]);
    },
  );
});
