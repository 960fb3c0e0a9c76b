import { attachAuth } from '@reauth/axios';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import type { RefreshFn } from '../support/setup';
import { currentJti, jtiOf, requestsTo, settle, setup, waitUntil } from '../support/setup';

describe('silent refresh against the real server', () => {
  it('refreshes once for 20 concurrent 401s and replays each request at most once with the new token', async () => {
    const { server, api, session, signIn, events } = await setup();
    const first = await signIn();
    server.controls.expireAccessTokens();

    const ids = Array.from({ length: 20 }, (_, i) => String(i + 1));
    const responses = await Promise.all(ids.map((id) => api.get(`/api/items/${id}`)));

    expect(responses.map((r) => r.status)).toEqual(ids.map(() => 200));
    expect(responses.map((r) => r.data.id)).toEqual(ids);
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    const newJti = await currentJti(session);
    expect(newJti).toBeDefined();
    expect(newJti).not.toBe(jtiOf(first.accessToken));
    for (const id of ids) {
      const sends = requestsTo(server, `/api/items/${id}`);
      expect(sends.length, `request ${id} sends`).toBeLessThanOrEqual(2);
      expect(sends.at(-1), `request ${id} last send`).toMatchObject({ status: 200, tokenId: newJti });
      if (sends.length === 2)
        expect(sends[0]).toMatchObject({ status: 401, tokenId: jtiOf(first.accessToken) });
    }
    expect(server.stats.requests.filter((r) => r.status === 401).length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(first.accessToken);
    expect(JSON.stringify(events)).not.toContain(first.refreshToken);
  });

  it('shares one refresh between two axios instances attached to one session', async () => {
    const { server, api, session, signIn } = await setup();
    const other = axios.create({ baseURL: server.url });
    attachAuth(other, session);
    await signIn();
    server.controls.expireAccessTokens();

    const responses = await Promise.all(
      ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'].map((id) => (id[0] === 'a' ? api : other).get(`/api/items/${id}`)),
    );

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(server.stats.refreshes).toBe(1);
    const newJti = await currentJti(session);
    expect(server.stats.requests.filter((r) => r.status === 200).every((r) => r.tokenId === newJti)).toBe(
      true,
    );
  });

  it('holds a request started while the refresh runs and sends it once, with the new token', async () => {
    const { server, api, session, signIn, eventsOf } = await setup();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);

    const trigger = api.get('/api/items/trigger');
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');
    expect(session.getState().status).toBe('refreshing');
    const during = api.get('/api/items/during');
    await waitUntil(() => eventsOf('requestQueued').some((e) => e.url.endsWith('/during')), 'queued');
    expect(requestsTo(server, '/api/items/during')).toEqual([]);

    expect((await during).status).toBe(200);
    expect((await trigger).status).toBe(200);
    const newJti = await currentJti(session);
    expect(requestsTo(server, '/api/items/during')).toEqual([
      expect.objectContaining({ status: 200, hadToken: true, tokenId: newJti }),
    ]);
    expect(server.stats.refreshes).toBe(1);
  });

  it('replays a late 401 at once with the new token, without a second refresh', async () => {
    const { server, api, session, signIn, eventsOf } = await setup();
    const first = await signIn();
    // /api/slow checks the token after its wait, so expiring now gives it a 401 long after the refresh.
    const slow = api.get('/api/slow?ms=700');
    server.controls.expireAccessTokens();

    expect((await api.get('/api/items/fast')).status).toBe(200);
    expect(eventsOf('refreshSuccess')).toHaveLength(1);
    expect((await slow).status).toBe(200);

    const newJti = await currentJti(session);
    expect(requestsTo(server, '/api/slow')).toEqual([
      expect.objectContaining({ status: 401, tokenId: jtiOf(first.accessToken) }),
      expect.objectContaining({ status: 200, tokenId: newJti }),
    ]);
    expect(server.stats.refreshes).toBe(1);
    const slowReplays = eventsOf('requestReplayed').filter((e) => e.url.includes('/api/slow'));
    expect(slowReplays).toEqual([expect.objectContaining({ attempt: 1, lateUnauthorized: true })]);
  });

  it('counts a late-401 replay as the one retry: refused again, it is rejected, not refreshed for', async () => {
    let expireAfterRefresh = (): void => {};
    const { server, api, signIn } = await setup({
      wrapRefresh:
        (refresh): RefreshFn =>
        async (context) => {
          const tokens = await refresh(context);
          expireAfterRefresh();
          return tokens;
        },
    });
    expireAfterRefresh = () => server.controls.expireAccessTokens();
    await signIn();
    const slow = settle(api.get('/api/slow?ms=700'));
    server.controls.expireAccessTokens();

    await settle(api.get('/api/items/fast'));
    expect(server.stats.refreshes).toBe(1);

    expect(await slow).toMatchObject({ ok: false, error: { response: { status: 401 } } });
    expect(requestsTo(server, '/api/slow').map((r) => r.status)).toEqual([401, 401]);
    expect(server.stats.refreshes).toBe(1);
  });
});
