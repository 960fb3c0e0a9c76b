import { attachAuth } from '@reauth/axios';
import axios from 'axios';
import { describe, expect, it, vi } from 'vitest';
import { createClient, requestsTo, settle, setup, startServer, waitUntil } from '../support/setup';

describe('responses reauth hands back unchanged', () => {
  it('passes a 403 through with its status and body, without a refresh', async () => {
    const { server, api, signIn } = await setup();
    await signIn();

    const result = await settle(api.get('/api/admin'));

    expect(result).toMatchObject({
      ok: false,
      error: { isAxiosError: true, response: { status: 403, data: { error: 'forbidden' } } },
    });
    expect(server.stats.refreshes).toBe(0);
    expect(requestsTo(server, '/api/admin')).toHaveLength(1);
  });

  it('passes a 401 insufficient_scope through with its status, without a refresh', async () => {
    const { server, api, signIn, eventsOf } = await setup();
    await signIn();

    const result = await settle(api.get('/api/scoped'));

    expect(result).toMatchObject({
      ok: false,
      error: { isAxiosError: true, response: { status: 401, data: { error: 'insufficient_scope' } } },
    });
    expect(server.stats.refreshes).toBe(0);
    expect(requestsTo(server, '/api/scoped')).toHaveLength(1);
    expect(eventsOf('unauthorized')).toEqual([
      expect.objectContaining({
        handled: false,
        diagnosis: expect.objectContaining({ cause: 'insufficient_scope' }),
      }),
    ]);
  });

  it('hands a wrong-password 401 from a skipAuth login to the caller, with no refresh and no prompt', async () => {
    const { server, api, session, signIn, eventsOf } = await setup();
    await signIn();
    const handler = vi.fn(async () => null);
    session.onReauth(handler);

    const result = await settle(
      api.post('/auth/login', { username: 'alice', password: 'nope' }, { skipAuth: true }),
    );

    expect(result).toMatchObject({
      ok: false,
      error: { isAxiosError: true, response: { status: 401, data: { error: 'invalid_credentials' } } },
    });
    expect(server.stats).toMatchObject({ refreshes: 0, failedLogins: 1 });
    expect(handler).not.toHaveBeenCalled();
    expect(session.getState().status).toBe('signedIn');
    expect(eventsOf('unauthorized')).toEqual([expect.objectContaining({ handled: false, status: 401 })]);
  });

  it('hands a wrong-password 401 to the caller while signed out with a prompt registered', async () => {
    const { server, api, session } = await setup();
    const handler = vi.fn(async () => null);
    session.onReauth(handler);

    const result = await settle(
      api.post('/auth/login', { username: 'alice', password: 'nope' }, { skipAuth: true }),
    );

    expect(result).toMatchObject({ ok: false, error: { response: { status: 401 } } });
    expect(handler).not.toHaveBeenCalled();
    expect(server.stats.refreshes).toBe(0);
    expect(session.getState().status).toBe('signedOut');
  });

  it('sends a skipAuth request without a token and without waiting for a refresh in progress', async () => {
    const { server, api, session, signIn } = await setup();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);
    const trigger = api.get('/api/items/trigger');
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');

    const skipped = await settle(api.get('/api/items/skipped', { skipAuth: true }));

    expect(session.getState().status).toBe('refreshing');
    expect(skipped).toMatchObject({ ok: false, error: { response: { status: 401 } } });
    expect(requestsTo(server, '/api/items/skipped')).toEqual([expect.objectContaining({ hadToken: false })]);
    expect((await trigger).status).toBe(200);
    expect(server.stats.refreshes).toBe(1);
  });

  it('hands a network error to the caller unchanged, without a refresh', async () => {
    const [server, closed] = await Promise.all([startServer(), startServer()]);
    await closed.close();
    const { api, session, signIn, eventsOf } = createClient(server, {
      attach: { allowedOrigins: [server.origin, closed.origin] },
    });
    await signIn();

    const result = await settle(api.get(`${closed.url}/api/items/1`));

    expect(result).toMatchObject({ ok: false, error: { isAxiosError: true, code: 'ECONNREFUSED' } });
    expect(!result.ok && (result.error as { response?: unknown }).response).toBeUndefined();
    expect(server.stats.refreshes).toBe(0);
    expect(eventsOf('unauthorized')).toEqual([]);
    expect(session.getState().status).toBe('signedIn');
    expect((await api.get('/api/items/2')).status).toBe(200);
  });

  it('sends no token and intercepts nothing after detach()', async () => {
    const server = await startServer();
    const { api, session, signIn, eventsOf } = createClient(server);
    await signIn();
    const detached = axios.create({ baseURL: server.url });
    const detach = attachAuth(detached, session);
    expect((await detached.get('/api/items/1')).status).toBe(200);
    detach();
    server.controls.expireAccessTokens();

    const result = await settle(detached.get('/api/items/2'));

    expect(result).toMatchObject({ ok: false, error: { response: { status: 401 } } });
    expect(requestsTo(server, '/api/items/2')).toEqual([expect.objectContaining({ hadToken: false })]);
    expect(server.stats.refreshes).toBe(0);
    expect(eventsOf('unauthorized')).toEqual([]);
    expect((await api.get('/api/items/3')).status).toBe(200);
  });
});
