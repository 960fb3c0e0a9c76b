// The example of docs/guide/fetch.md ("Set it up", "What comes back"), run as written against the real loopback
// server: a refresh that throws the Response on failure, createAuthFetch with the API's origin, and what comes back.
import { createSession, isAuthError, type Session } from '@reauth/core';
import { type AuthFetch, createAuthFetch } from '@reauth/fetch';
import { describe, expect, it } from 'vitest';
import type { AuthServer } from '../support/authServer';
import { startServer } from '../support/setup';

const json = { 'content-type': 'application/json' };
const alice = JSON.stringify({ username: 'alice', password: 'wonderland' });

async function readmeSetup(): Promise<{ server: AuthServer; session: Session; authFetch: AuthFetch }> {
  const server = await startServer();
  const API = server.url;
  const session = createSession({
    refresh: async ({ refreshToken, signal }) => {
      const response = await authFetch(`${API}/auth/refresh`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ refreshToken }),
        signal,
        skipAuth: true,
      });
      if (!response.ok) throw response;
      return response.json();
    },
  });
  const authFetch = createAuthFetch(session, { allowedOrigins: [API] });
  const login = await authFetch(`${API}/auth/login`, {
    method: 'POST',
    headers: json,
    body: alice,
    skipAuth: true,
  });
  session.signIn(await login.json());
  return { server, session, authFetch };
}

describe('docs/guide/fetch.md: set it up', () => {
  it('refreshes once for concurrent 401s and replays the requests with the new token', async () => {
    const { server, authFetch } = await readmeSetup();
    server.controls.expireAccessTokens();

    const responses = await Promise.all([1, 2, 3].map((id) => authFetch(`${server.url}/api/items/${id}`)));

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(server.stats.refreshes).toBe(1);
  });

  it('a thrown Response of 400 is a refused refresh: SESSION_EXPIRED, signed out', async () => {
    const { server, session, authFetch } = await readmeSetup();
    server.controls.expireAccessTokens();
    server.controls.failNextRefresh(1, 'rejected');

    const error: unknown = await authFetch(`${server.url}/api/items/1`).catch((caught: unknown) => caught);

    expect(isAuthError(error) && error.code).toBe('SESSION_EXPIRED');
    expect(session.getState().status).toBe('signedOut');
  });

  it('a thrown Response of 503 is transient: REFRESH_UNAVAILABLE, tokens kept, the next request refreshes', async () => {
    const { server, session, authFetch } = await readmeSetup();
    server.controls.expireAccessTokens();
    server.controls.failNextRefresh(1, 'server');

    const error: unknown = await authFetch(`${server.url}/api/items/1`).catch((caught: unknown) => caught);

    expect(isAuthError(error) && error.code).toBe('REFRESH_UNAVAILABLE');
    expect(session.getState().status).toBe('signedIn');
    expect((await authFetch(`${server.url}/api/items/1`)).status).toBe(200);
  });

  it('hands back a 401 it does not refresh as the resolved Response: a wrong password, insufficient_scope', async () => {
    const { server, authFetch } = await readmeSetup();
    const wrong = JSON.stringify({ username: 'alice', password: 'nope' });

    const login = await authFetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: json,
      body: wrong,
      skipAuth: true,
    });
    const scoped = await authFetch(`${server.url}/api/scoped`);

    expect([login.status, scoped.status]).toEqual([401, 401]);
    expect(server.stats.refreshes).toBe(0);
  });

  it('an abort while the request waits for the refresh rejects with an AbortError and the request is never sent', async () => {
    const { server, authFetch } = await readmeSetup();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);
    const first = authFetch(`${server.url}/api/items/first`);
    await expect.poll(() => server.stats.refreshes).toBe(1);
    const controller = new AbortController();
    const waiting = authFetch(`${server.url}/api/items/aborted`, { signal: controller.signal });

    controller.abort();

    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect((await first).status).toBe(200);
    expect(server.stats.requests.filter((request) => request.path === '/api/items/aborted')).toEqual([]);
  });
});
