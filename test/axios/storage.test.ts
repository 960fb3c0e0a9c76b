import { describe, expect, it } from 'vitest';
import { createClient, createMapStorage, jtiOf, requestsTo, setup } from '../support/setup';

describe('storage', () => {
  it('starts a second session over the same storage signed in, and its first request works', async () => {
    const storage = createMapStorage();
    const { server, signIn } = await setup({ session: { storage } });
    const tokens = await signIn();

    const second = createClient(server, { session: { storage } });

    expect(second.session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
    const response = await second.api.get('/api/items/1');
    expect(response.data).toEqual({ id: '1', user: 'alice' });
    expect(requestsTo(server, '/api/items/1')).toEqual([
      expect.objectContaining({ status: 200, tokenId: jtiOf(tokens.accessToken) }),
    ]);
    expect(server.stats.refreshes).toBe(0);
  });

  it('refreshes a restored session whose token expired, with the stored refresh token', async () => {
    const storage = createMapStorage();
    const { server, signIn } = await setup({ session: { storage } });
    await signIn();
    server.controls.expireAccessTokens();

    const second = createClient(server, { session: { storage } });
    const response = await second.api.get('/api/items/1');

    expect(response.status).toBe(200);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    expect(requestsTo(server, '/api/items/1').map((r) => r.status)).toEqual([401, 200]);
  });

  it('keeps the stored session in step with a refresh and clears it on sign-out', async () => {
    const storage = createMapStorage();
    const { server, api, session, signIn } = await setup({ session: { storage } });
    const tokens = await signIn();
    server.controls.expireAccessTokens();
    await api.get('/api/items/1');

    const stored = [...storage.items.values()].join();
    expect(stored).not.toContain(tokens.accessToken);
    expect(stored).toContain(String(await session.getAccessToken()));
    session.signOut();
    expect(storage.items.size).toBe(0);
    expect(createClient(server, { session: { storage } }).session.getState().status).toBe('signedOut');
  });

  it('stores the rotated refresh token, so a session restored after a refresh refreshes without reuse', async () => {
    const storage = createMapStorage();
    const { server, api, signIn } = await setup({ session: { storage } });
    await signIn();
    server.controls.expireAccessTokens();
    await api.get('/api/items/1');

    server.controls.expireAccessTokens();
    const restored = createClient(server, { session: { storage } });
    const response = await restored.api.get('/api/items/2');

    expect(response.status).toBe(200);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok', 'ok']);
    expect(server.stats.reuseDetected).toBe(0);
  });
});
