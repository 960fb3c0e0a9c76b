import { describe, expect, it } from 'vitest';
import { jtiOf, requestsTo, waitUntil } from '../support/setup';
import { setupFetch } from './support';

describe('silent refresh with Node’s fetch against the real server', () => {
  it('20 concurrent requests on an expired token: one refresh, all succeed, none sent more than twice', async () => {
    const { server, authFetch, signIn, url } = await setupFetch();
    await signIn();
    server.controls.expireAccessTokens();

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => authFetch(url(`/api/items/${i}`))),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await Promise.all(responses.map((r) => r.json()))).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ id: String(i), user: 'alice' })),
    );
    expect(server.stats.refreshes).toBe(1);
    for (let i = 0; i < 20; i++) {
      expect(requestsTo(server, `/api/items/${i}`).map((r) => r.status)).toEqual([401, 200]);
    }
    expect(server.stats.reuseDetected).toBe(0);
  });

  it('holds a request started while the refresh runs and sends it once, with the new token', async () => {
    const { server, authFetch, signIn, url, session, eventsOf } = await setupFetch();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(200);
    const first = authFetch(url('/api/items/first'));
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');

    const held = authFetch(url('/api/items/held'));
    await waitUntil(() => eventsOf('requestQueued').length === 2, 'the held request waiting');
    expect(requestsTo(server, '/api/items/held')).toEqual([]);

    expect([(await first).status, (await held).status]).toEqual([200, 200]);
    const current = jtiOf(await session.getAccessToken());
    expect(requestsTo(server, '/api/items/held')).toEqual([
      expect.objectContaining({ status: 200, tokenId: current }),
    ]);
    expect(server.stats.refreshes).toBe(1);
  });

  it('replays a late 401 (sent before the refresh, refused after it) with no second refresh', async () => {
    const { server, authFetch, signIn, url, eventsOf } = await setupFetch();
    await signIn();
    const slow = authFetch(url('/api/slow?ms=300')); // sent now; the server checks its token after the wait
    server.controls.expireAccessTokens();
    expect((await authFetch(url('/api/items/fast'))).status).toBe(200); // refreshes

    expect((await slow).status).toBe(200);
    expect(requestsTo(server, '/api/slow').map((r) => r.status)).toEqual([401, 200]);
    expect(server.stats.refreshes).toBe(1);
    expect(eventsOf('requestReplayed').filter((e) => e.lateUnauthorized)).toHaveLength(1);
  });

  it('refreshes a token inside the leeway before the request: the API never sees a 401', async () => {
    let skew = 0;
    const { server, authFetch, signIn, url } = await setupFetch({
      server: { accessTokenTtlMs: 60_000 },
      session: { now: () => Date.now() + skew },
    });
    await signIn();
    skew = 45_000; // 15 s left, inside the 30 s leeway

    const response = await authFetch(url('/api/items'));

    expect(response.status).toBe(200);
    expect(server.stats.refreshes).toBe(1);
    expect(requestsTo(server, '/api/items').map((r) => r.status)).toEqual([200]);
  });
});
