import { isCancel } from 'axios';
import { describe, expect, it } from 'vitest';
import type { RefreshFn } from '../support/setup';
import { createMapStorage, requestsTo, settle, setup, waitUntil } from '../support/setup';

describe('sign-out and abort while requests wait on a refresh', () => {
  it('rejects waiting requests with SIGNED_OUT, discards the late refresh and sends no token afterwards', async () => {
    let hasLanded = false;
    const storage = createMapStorage();
    const { server, api, session, signIn, eventsOf } = await setup({
      session: { storage },
      // Ignores the abort signal, so the refresh answer really arrives after the sign-out.
      wrapRefresh:
        (refresh): RefreshFn =>
        async ({ refreshToken }) => {
          const tokens = await refresh({ refreshToken, signal: new AbortController().signal });
          hasLanded = true;
          return tokens;
        },
    });
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);

    const refused = ['1', '2', '3'].map((id) => settle(api.get(`/api/items/${id}`)));
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');
    const held = settle(api.get('/api/items/held'));
    await waitUntil(() => eventsOf('requestQueued').length === 4, 'four requests waiting');
    session.signOut();

    for (const result of await Promise.all([...refused, held])) {
      expect(result).toMatchObject({ ok: false, error: { code: 'SIGNED_OUT' } });
    }
    await waitUntil(() => hasLanded, 'the refresh answer arriving');
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    expect(session.getState()).toMatchObject({ status: 'signedOut', user: null });
    expect(await session.getAccessToken()).toBeNull();
    expect(storage.items.size).toBe(0);
    expect(eventsOf('refreshSuccess')).toEqual([]);

    const recordedBefore = server.stats.requests.length;
    const after = await settle(api.get('/api/items/after'));
    expect(after).toMatchObject({ ok: false, error: { response: { status: 401 } } });
    expect(requestsTo(server, '/api/items/held')).toEqual([]);
    expect(server.stats.requests.slice(recordedBefore)).toEqual([
      expect.objectContaining({ path: '/api/items/after', hadToken: false }),
    ]);
  });

  it('keeps a new sign-in when the refresh of the signed-out session lands after it', async () => {
    let hasLanded = false;
    const { server, api, session, signIn, eventsOf } = await setup({
      wrapRefresh:
        (refresh): RefreshFn =>
        async ({ refreshToken }) => {
          const tokens = await refresh({ refreshToken, signal: new AbortController().signal });
          hasLanded = true;
          return tokens;
        },
    });
    await signIn('alice');
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);
    const refused = settle(api.get('/api/items/1'));
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');

    session.signOut();
    const bob = await signIn('bob');
    await waitUntil(() => hasLanded, 'the refresh answer arriving');

    expect(await refused).toMatchObject({ ok: false, error: { code: 'SIGNED_OUT' } });
    expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'bob' } });
    expect(await session.getAccessToken()).toBe(bob.accessToken);
    expect((await api.get('/api/items/2')).data).toEqual({ id: '2', user: 'bob' });
    expect(eventsOf('refreshSuccess')).toEqual([]);
  });

  it('rejects an aborted request waiting on the refresh as CanceledError before sending it', async () => {
    const { server, api, session, signIn, eventsOf } = await setup();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);

    const trigger = api.get('/api/items/trigger');
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');
    const controller = new AbortController();
    const aborted = settle(api.get('/api/items/aborted', { signal: controller.signal }));
    const other = api.get('/api/items/other');
    await waitUntil(() => eventsOf('requestQueued').length === 3, 'three requests waiting');
    controller.abort();

    const result = await aborted;
    expect(session.getState().status).toBe('refreshing');
    expect(result.ok).toBe(false);
    expect(!result.ok && isCancel(result.error)).toBe(true);
    expect((await trigger).status).toBe(200);
    expect((await other).status).toBe(200);
    expect(requestsTo(server, '/api/items/aborted')).toEqual([]);
    expect(server.stats.refreshes).toBe(1);
  });

  it('rejects a request aborted while it waits after its 401 as CanceledError, without a replay', async () => {
    const { server, api, session, signIn, eventsOf } = await setup();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);

    const controller = new AbortController();
    const aborted = settle(api.get('/api/items/aborted', { signal: controller.signal }));
    await waitUntil(() => eventsOf('requestQueued').length === 1, 'the refused request waiting');
    controller.abort();

    const result = await aborted;
    expect(session.getState().status).toBe('refreshing');
    expect(!result.ok && isCancel(result.error)).toBe(true);
    await waitUntil(() => eventsOf('refreshSuccess').length === 1, 'the refresh landing');
    expect(requestsTo(server, '/api/items/aborted')).toEqual([expect.objectContaining({ status: 401 })]);
    expect(eventsOf('requestReplayed')).toEqual([]);
  });

  it('rejects an aborted request waiting on the login prompt as CanceledError; the others resume', async () => {
    const { server, api, session, signIn, login, eventsOf } = await setup();
    await signIn();
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    session.onReauth(async () => {
      await gate;
      return login();
    });
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const refused = api.get('/api/items/refused');
    await waitUntil(() => session.getState().status === 'reauthRequired', 'the prompt opening');
    const controller = new AbortController();
    const aborted = settle(api.get('/api/items/aborted', { signal: controller.signal }));
    await waitUntil(() => eventsOf('requestQueued').length === 2, 'two requests waiting');
    controller.abort();
    const result = await aborted;
    openGate();

    expect(!result.ok && isCancel(result.error)).toBe(true);
    expect((await refused).status).toBe(200);
    expect(requestsTo(server, '/api/items/aborted')).toEqual([]);
    expect(server.stats.logins).toBe(2);
  });
});
