import { describe, expect, it, vi } from 'vitest';
import { createClient, jtiOf, requestsTo, settle, startServer } from '../support/setup';

// B is guarded by A's kit, so B accepts A's tokens: only the origin check can keep them from B.
async function startServers() {
  const serverA = await startServer();
  return [serverA, await startServer({ acceptTokensOf: serverA })] as const;
}

describe('which origins receive the token', () => {
  it('sends no token to another origin and never refreshes for its 401', async () => {
    const [serverA, serverB] = await startServers();
    const { api, signIn, eventsOf } = createClient(serverA);
    const tokens = await signIn();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});

    const own = await api.get('/api/items/1');
    const foreign = await settle(api.get(`${serverB.url}/api/items/1`));

    expect(own.status).toBe(200);
    expect(requestsTo(serverA, '/api/items/1')).toEqual([expect.objectContaining({ hadToken: true })]);
    expect(foreign).toMatchObject({ ok: false, error: { response: { status: 401 } } });
    expect(requestsTo(serverB, '/api/items/1')).toEqual([expect.objectContaining({ hadToken: false })]);
    expect(serverA.stats.refreshes).toBe(0);
    expect(eventsOf('unauthorized')).toEqual([
      expect.objectContaining({
        url: `${serverB.url}/api/items/1`,
        handled: false,
        diagnosis: expect.objectContaining({ cause: 'origin_not_allowed' }),
      }),
    ]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(serverB.origin));
    expect(JSON.stringify(warn.mock.calls)).not.toContain(tokens.accessToken);
    warn.mockRestore();
  });

  it('sends the token to every origin in allowedOrigins', async () => {
    const [serverA, serverB] = await startServers();
    const { api, signIn } = createClient(serverA, {
      attach: { allowedOrigins: [serverA.url, serverB.origin] },
    });
    const tokens = await signIn();

    const own = await api.get('/api/items/1');
    const other = await api.get(`${serverB.url}/api/items/2`);

    expect([own.status, other.status]).toEqual([200, 200]);
    const jti = jtiOf(tokens.accessToken);
    expect(requestsTo(serverA, '/api/items/1')).toEqual([
      expect.objectContaining({ hadToken: true, tokenId: jti }),
    ]);
    expect(requestsTo(serverB, '/api/items/2')).toEqual([
      expect.objectContaining({ hadToken: true, tokenId: jti }),
    ]);
  });
});
