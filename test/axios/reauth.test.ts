import type { ReauthContext } from '@reauth/core';
import { describe, expect, it, vi } from 'vitest';
import { createMapStorage, currentJti, requestsTo, settle, setup, waitUntil } from '../support/setup';

const ids = ['1', '2', '3', '4', '5'];

describe('re-authentication against the real server', () => {
  it('resumes every waiting request, and one started during the prompt, after the handler logs in again', async () => {
    const harness = await setup();
    const { server, api, session, signIn, login, eventsOf } = harness;
    await signIn();
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const handler = vi.fn(async (_context: ReauthContext) => {
      await gate;
      return login('alice');
    });
    session.onReauth(handler);
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const pending = ids.map((id) => settle(api.get(`/api/items/${id}`)));
    await waitUntil(() => session.getState().status === 'reauthRequired', 'the prompt opening');
    const duringPrompt = settle(api.get('/api/items/during'));
    await waitUntil(() => eventsOf('requestQueued').some((e) => e.url.endsWith('/during')), 'queued');
    openGate();

    const results = await Promise.all([...pending, duringPrompt]);
    expect(results.map((r) => r.ok && r.value.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(handler).toHaveBeenCalledOnce();
    expect(handler.mock.calls[0]?.[0].reason).toBe('refresh_rejected');
    expect(server.stats).toMatchObject({ logins: 2, refreshes: 1 });
    expect(requestsTo(server, '/api/items/during')).toEqual([
      expect.objectContaining({ status: 200, tokenId: await currentJti(session) }),
    ]);
    expect(session.getState().status).toBe('signedIn');
    expect(eventsOf('reauthResolved')).toHaveLength(1);
  });

  it('rejects every waiting request with REAUTH_CANCELLED and signs out when the handler returns null', async () => {
    const { server, api, session, signIn } = await setup();
    await signIn();
    const handler = vi.fn(async () => null);
    session.onReauth(handler);
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const results = await Promise.all(ids.map((id) => settle(api.get(`/api/items/${id}`))));

    for (const result of results)
      expect(result).toMatchObject({ ok: false, error: { code: 'REAUTH_CANCELLED' } });
    expect(handler).toHaveBeenCalledOnce();
    expect(session.getState().status).toBe('signedOut');
    expect(await session.getAccessToken()).toBeNull();
    expect(server.stats.refreshes).toBe(1);
  });

  it('signs out with SESSION_EXPIRED and clears storage when the refresh is refused and no handler exists', async () => {
    const storage = createMapStorage();
    const { server, api, session, signIn } = await setup({ session: { storage } });
    const tokens = await signIn();
    expect(storage.items.size).toBe(1);
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const results = await Promise.all(ids.map((id) => settle(api.get(`/api/items/${id}`))));

    for (const result of results)
      expect(result).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(storage.items.size).toBe(0);
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: { code: 'SESSION_EXPIRED' } });
    expect(server.stats.refreshes).toBe(1);
    const [first] = results;
    expect(first?.ok === false && String(first.error)).not.toContain(tokens.accessToken);
  });

  it('rejects with REAUTH_CANCELLED, the failed login as cause, when the handler throws', async () => {
    const { server, api, session, signIn, login } = await setup();
    await signIn();
    session.onReauth(() => login('alice', 'wrong password'));
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const results = await Promise.all(ids.map((id) => settle(api.get(`/api/items/${id}`))));

    for (const result of results) {
      expect(result).toMatchObject({
        ok: false,
        error: { code: 'REAUTH_CANCELLED', cause: { response: { status: 401 } } },
      });
    }
    expect(server.stats).toMatchObject({ failedLogins: 1, refreshes: 1 });
    expect(session.getState().status).toBe('signedOut');
  });

  it('rejects every waiting request with REAUTH_CANCELLED when the prompt is dismissed with cancelReauth', async () => {
    const { server, api, session, signIn, eventsOf } = await setup();
    await signIn();
    const handler = vi.fn(
      ({ signal }: ReauthContext) =>
        new Promise<null>((resolve) => signal.addEventListener('abort', () => resolve(null))),
    );
    session.onReauth(handler);
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const pending = ids.map((id) => settle(api.get(`/api/items/${id}`)));
    await waitUntil(() => session.getState().status === 'reauthRequired', 'the prompt opening');
    const duringPrompt = settle(api.get('/api/items/during'));
    await waitUntil(() => eventsOf('requestQueued').some((e) => e.url.endsWith('/during')), 'queued');
    session.cancelReauth();

    for (const result of await Promise.all([...pending, duringPrompt])) {
      expect(result).toMatchObject({ ok: false, error: { code: 'REAUTH_CANCELLED' } });
    }
    expect(handler.mock.calls[0]?.[0].signal.aborted).toBe(true);
    expect(requestsTo(server, '/api/items/during')).toEqual([]);
    expect(eventsOf('reauthCancelled')).toHaveLength(1);
    expect(session.getState().status).toBe('signedOut');
  });
});
