// The axios examples of docs/guide/axios.md ("Set it up", the login prompt, "Handling errors"), run as written
// against the real loopback server instead of https://api.example.com.
import { attachAuth } from '@reauth/axios';
import { type AuthEvent, createSession, isAuthError, type Session } from '@reauth/core';
import axios, { type AxiosInstance } from 'axios';
import { describe, expect, it } from 'vitest';
import type { AuthServer } from '../support/authServer';
import { startServer } from '../support/setup';

const alice = { username: 'alice', password: 'wonderland' };

interface ReadmeClient {
  server: AuthServer;
  api: AxiosInstance;
  session: Session;
  events: AuthEvent[];
}

/** The page's setup: refresh through the instance with skipAuth, tokens handed over from the login call. */
async function readmeSetup(): Promise<ReadmeClient> {
  const server = await startServer();
  const api = axios.create({ baseURL: server.url });
  const session = createSession({
    refresh: async ({ refreshToken, signal }) =>
      (await api.post('/auth/refresh', { refreshToken }, { skipAuth: true, signal })).data,
  });
  attachAuth(api, session);
  const events: AuthEvent[] = [];
  session.on('*', (event) => events.push(event));
  session.signIn((await api.post('/auth/login', alice, { skipAuth: true })).data);
  return { server, api, session, events };
}

describe('docs/guide/axios.md: set it up', () => {
  it('signs in with the login answer as it is, refreshes an expired token once and replays the requests', async () => {
    const { api, session, server } = await readmeSetup();
    expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
    server.controls.expireAccessTokens();

    const responses = await Promise.all([api.get('/api/items/1'), api.get('/api/items/2')]);

    expect(responses.map((response) => response.data)).toEqual([
      { id: '1', user: 'alice' },
      { id: '2', user: 'alice' },
    ]);
    expect(server.stats.refreshes).toBe(1);
  });

  it('signOut rejects a request waiting for the refresh with SIGNED_OUT', async () => {
    const { api, session, server } = await readmeSetup();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(200);
    const waiting = api.get('/api/items/1');
    await expect.poll(() => session.getState().status).toBe('refreshing');

    session.signOut();

    await expect(waiting).rejects.toMatchObject({ code: 'SIGNED_OUT' });
  });

  it('the onReauth handler of the page opens once and resumes every waiting request with its login', async () => {
    const { api, session, server, events } = await readmeSetup();
    const reasons: string[] = [];
    const openLoginModal = async () => alice;
    session.onReauth(async ({ reason, signal }) => {
      reasons.push(reason);
      const credentials = await openLoginModal();
      if (!credentials || signal.aborted) return null;
      return (await api.post('/auth/login', credentials, { skipAuth: true })).data;
    });
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const responses = await Promise.all([1, 2, 3].map((id) => api.get(`/api/items/${id}`)));

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(reasons).toEqual(['refresh_rejected']);
    expect(server.stats.logins).toBe(2);
    expect(events.filter((event) => event.type === 'reauthResolved')).toHaveLength(1);
  });

  it('a handler answering null rejects the waiting requests with REAUTH_CANCELLED and signs out', async () => {
    const { api, session, server } = await readmeSetup();
    session.onReauth(async () => null);
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    await expect(api.get('/api/items/1')).rejects.toMatchObject({ code: 'REAUTH_CANCELLED' });
    expect(session.getState().status).toBe('signedOut');
  });
});

describe('docs/guide/axios.md: handling errors', () => {
  it('without a handler a refused refresh rejects with an AuthError SESSION_EXPIRED, storage cleared', async () => {
    const { api, session, server } = await readmeSetup();
    server.controls.expireAccessTokens();
    server.controls.failNextRefresh(1, 'rejected');

    const error: unknown = await api.get('/api/items/1').catch((caught: unknown) => caught);

    expect(isAuthError(error) && error.code).toBe('SESSION_EXPIRED');
    expect(session.getState().status).toBe('signedOut');
    expect(await session.getAccessToken()).toBeNull();
  });

  it('a 403 and a 401 insufficient_scope reach the caller as axios errors, with no refresh', async () => {
    const { api, server } = await readmeSetup();

    const forbidden: unknown = await api.get('/api/admin').catch((caught: unknown) => caught);
    const scoped: unknown = await api.get('/api/scoped').catch((caught: unknown) => caught);

    expect(axios.isAxiosError(forbidden) && forbidden.response?.status).toBe(403);
    expect(axios.isAxiosError(scoped) && scoped.response?.status).toBe(401);
    expect(isAuthError(forbidden) || isAuthError(scoped)).toBe(false);
    expect(server.stats.refreshes).toBe(0);
  });

  it('the unauthorized event carries the diagnosis and no token', async () => {
    const { api, session, server, events } = await readmeSetup();
    const token = await session.getAccessToken();
    server.controls.expireAccessTokens();

    await api.get('/api/items/1');

    const unauthorized = events.filter((event) => event.type === 'unauthorized');
    expect(unauthorized).toHaveLength(1);
    expect(unauthorized[0]).toMatchObject({ method: 'GET', status: 401, handled: true });
    expect(JSON.stringify(events)).not.toContain(String(token));
  });
});
