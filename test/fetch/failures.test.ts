import { isAuthError } from '@reauth/core';
import { describe, expect, it } from 'vitest';
import { requestsTo, settle, waitUntil } from '../support/setup';
import { setupFetch } from './support';

const codeOf = (outcome: { ok: boolean; error?: unknown }) =>
  !outcome.ok && isAuthError(outcome.error) ? outcome.error.code : outcome;

describe('refresh failures with Node’s fetch against the real server', () => {
  it.each([
    ['server', 'REFRESH_UNAVAILABLE'],
    ['network', 'REFRESH_UNAVAILABLE'],
  ] as const)(
    'a %s failure rejects with %s, keeps the session, and the next request refreshes',
    async (kind, code) => {
      const { server, authFetch, session, signIn, url } = await setupFetch();
      await signIn();
      server.controls.expireAccessTokens();
      server.controls.failNextRefresh(1, kind);

      expect(codeOf(await settle(authFetch(url('/api/items/1'))))).toBe(code);
      expect(session.getState().status).toBe('signedIn');
      expect((await authFetch(url('/api/items/2'))).status).toBe(200);
      expect(server.stats.refreshCalls.map((c) => c.outcome)).toEqual(['failed', 'ok']);
    },
  );

  it('a hanging refresh ends at refreshTimeoutMs with REFRESH_TIMEOUT; the session is kept', async () => {
    const { server, authFetch, session, signIn, url } = await setupFetch({
      session: { refreshTimeoutMs: 300 },
    });
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.failNextRefresh(1, 'hang');

    expect(codeOf(await settle(authFetch(url('/api/items/1'))))).toBe('REFRESH_TIMEOUT');
    expect(session.getState().status).not.toBe('signedOut');
    expect(requestsTo(server, '/api/items/1')).toHaveLength(1);
  });

  it('a refused refresh without a handler: SESSION_EXPIRED, signed out', async () => {
    const { server, authFetch, session, signIn, url } = await setupFetch();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    expect(codeOf(await settle(authFetch(url('/api/items/1'))))).toBe('SESSION_EXPIRED');
    expect(session.getState().status).toBe('signedOut');
  });

  it('a refused refresh with a handler: requests wait for the prompt and resume with its tokens', async () => {
    const { server, authFetch, session, signIn, url } = await setupFetch();
    await signIn();
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    session.onReauth(async () => {
      await gate;
      return server.controls.issueTokens('alice');
    });
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const first = authFetch(url('/api/items/1'));
    await waitUntil(() => session.getState().status === 'reauthRequired', 'the prompt opening');
    const second = authFetch(url('/api/items/2'));
    openGate();

    expect([(await first).status, (await second).status]).toEqual([200, 200]);
    expect(requestsTo(server, '/api/items/2')).toEqual([expect.objectContaining({ status: 200 })]);
  });
});
