import axios, { type AxiosInstance } from 'axios';
import { describe, expect, it, vi } from 'vitest';
import { requestsTo, settle, setup, waitUntil } from '../support/setup';

// The server records a request only once it answers; this tells when it has left the client.
function recordSends(api: AxiosInstance): string[] {
  const http = axios.getAdapter('http');
  const sent: string[] = [];
  api.defaults.adapter = (config) => {
    sent.push(config.url ?? '');
    return http(config);
  };
  return sent;
}

async function startSlowRequest(api: AxiosInstance, sent: string[]) {
  const outcome = settle(api.get('/api/slow?ms=600'));
  await waitUntil(() => sent.some((url) => url.startsWith('/api/slow')), 'the slow request being sent');
  return { outcome };
}

async function setupSlow() {
  const harness = await setup();
  const sent = recordSends(harness.api);
  await harness.signIn();
  const handler = vi.fn(async () => null);
  return { ...harness, sent, handler };
}

describe('a 401 on a request whose session has ended', () => {
  it('rejects with SIGNED_OUT, without a prompt or a refresh, when the session signed out meanwhile', async () => {
    const { server, api, session, sent, handler } = await setupSlow();
    session.onReauth(handler);
    const slow = (await startSlowRequest(api, sent)).outcome;
    session.signOut();
    server.controls.expireAccessTokens();

    expect(await slow).toMatchObject({ ok: false, error: { code: 'SIGNED_OUT' } });
    expect(handler).not.toHaveBeenCalled();
    expect(server.stats.refreshes).toBe(0);
    expect(requestsTo(server, '/api/slow')).toEqual([
      expect.objectContaining({ status: 401, hadToken: true }),
    ]);
  });

  it('rejects with REAUTH_CANCELLED, without a new prompt, when re-authentication was cancelled meanwhile', async () => {
    const { server, api, session, sent, handler } = await setupSlow();
    session.onReauth(handler);
    const slow = (await startSlowRequest(api, sent)).outcome;
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const refused = await settle(api.get('/api/items/1'));
    expect(refused).toMatchObject({ ok: false, error: { code: 'REAUTH_CANCELLED' } });

    expect(await slow).toMatchObject({ ok: false, error: { code: 'REAUTH_CANCELLED' } });
    expect(handler).toHaveBeenCalledOnce();
    expect(server.stats.refreshes).toBe(1);
    expect(requestsTo(server, '/api/slow')).toHaveLength(1);
  });
});
