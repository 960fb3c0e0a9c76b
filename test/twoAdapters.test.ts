import { createAuthFetch } from '@reauth/fetch';
import { describe, expect, it } from 'vitest';
import { setup } from './support/setup';

describe('one session used by axios and fetch at once', () => {
  it('refreshes once for the 401s of both, replays each request once, and the refresh token is never reused', async () => {
    const { server, api, session, signIn } = await setup({
      session: { crossTab: false, autoRefresh: false },
    });
    await signIn();
    const authFetch = createAuthFetch(session, { allowedOrigins: [server.origin] });
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(50);

    const paths = ['/api/items/1', '/api/items/2', '/api/items/3'];
    const statuses = await Promise.all([
      ...paths.map((path) => api.get(path).then((r) => r.status)),
      ...paths.map((path) => authFetch(`${server.url}${path}`).then((r) => r.status)),
    ]);

    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.reuseDetected).toBe(0);
    for (const path of paths) {
      // Each path was asked for twice (axios and fetch); each ask is sent twice at most: 401, then 200.
      const sends = server.stats.requests.filter((r) => r.path === path).map((r) => r.status);
      expect(sends.filter((status) => status === 200)).toHaveLength(2);
      expect(sends.length).toBeLessThanOrEqual(4);
    }
  });
});
