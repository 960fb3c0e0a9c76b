import type { ReauthContext } from '@reauth/core';
import { describe, expect, it, vi } from 'vitest';
import { currentJti, requestsTo, settle, setup, waitUntil } from '../support/setup';

describe('a 401 while signed out opens the login prompt', () => {
  it('opens the prompt on a 401 to a signed-out request and replays it with the new token', async () => {
    const { server, api, session, login } = await setup();
    const handler = vi.fn((_context: ReauthContext) => login('bob'));
    session.onReauth(handler);

    const response = await api.get('/api/items/1');

    expect(response.data).toEqual({ id: '1', user: 'bob' });
    expect(handler).toHaveBeenCalledOnce();
    expect(handler.mock.calls[0]?.[0]).toMatchObject({ reason: 'unauthenticated' });
    expect(requestsTo(server, '/api/items/1')).toEqual([
      expect.objectContaining({ status: 401, hadToken: false }),
      expect.objectContaining({ status: 200, hadToken: true, tokenId: await currentJti(session) }),
    ]);
    expect(server.stats.refreshes).toBe(0);
  });

  it('opens one prompt for several signed-out 401s and holds requests started while it is open', async () => {
    const { server, api, session, login, eventsOf } = await setup();
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const handler = vi.fn(async () => {
      await gate;
      return login();
    });
    session.onReauth(handler);

    const refused = ['1', '2', '3'].map((id) => api.get(`/api/items/${id}`));
    await waitUntil(() => eventsOf('requestQueued').length === 3, 'three refused requests waiting');
    const held = api.get('/api/items/held');
    await waitUntil(() => eventsOf('requestQueued').length === 4, 'the new request waiting');
    expect(session.getState().status).toBe('reauthRequired');
    openGate();

    const responses = await Promise.all([...refused, held]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(handler).toHaveBeenCalledOnce();
    const jti = await currentJti(session);
    expect(requestsTo(server, '/api/items/held')).toEqual([
      expect.objectContaining({ status: 200, tokenId: jti }),
    ]);
    for (const id of ['1', '2', '3']) {
      expect(requestsTo(server, `/api/items/${id}`).map((r) => [r.status, r.hadToken])).toEqual([
        [401, false],
        [200, true],
      ]);
    }
  });

  it('hands the plain 401 to a signed-out request when no prompt is registered', async () => {
    const { server, api, session } = await setup();

    const result = await settle(api.get('/api/items/1'));

    expect(result).toMatchObject({ ok: false, error: { isAxiosError: true, response: { status: 401 } } });
    expect(requestsTo(server, '/api/items/1')).toHaveLength(1);
    expect(session.getState().status).toBe('signedOut');
  });
});
