// The msw kit in a browser's service worker, with createAuthFetch: no server behind the API at all.
import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { createMockAuthServer } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { setupWorker } from 'msw/browser';

const API = `${location.origin}/mock`;
const auth = createMockAuthServer({ baseUrl: API });
const worker = setupWorker(
  ...auth.handlers,
  auth.protect(
    http.get(`${API}/items`, () => HttpResponse.json([{ id: 1, name: 'Teapot' }])),
    { roles: ['user'] },
  ),
  auth.protect(
    http.get(`${API}/admin`, () => HttpResponse.json({ ok: true })),
    { roles: ['admin'] },
  ),
);

const session = createSession({
  refresh: async ({ refreshToken, signal }) => {
    const response = await authFetch(`${API}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
      signal,
      skipAuth: true,
    });
    if (!response.ok) throw response;
    return response.json();
  },
  crossTab: false,
  autoRefresh: false,
});
const authFetch = createAuthFetch(session);
const get = (path: string) =>
  authFetch(`${API}${path}`).then(
    (response) => response.status,
    (error: { code?: string }) => error.code ?? 'error',
  );

async function run() {
  const login = (password: string) =>
    authFetch(`${API}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password }),
      skipAuth: true,
    });
  const wrongPassword = (await login('nope')).status;
  session.signIn(await (await login('wonderland')).json());
  const first = await get('/items');
  auth.controls.expireAccessTokens();
  const afterExpiry = await Promise.all([get('/items'), get('/items'), get('/items')]);
  const admin = await get('/admin');
  auth.controls.failNextRefresh(1, 'rejected');
  auth.controls.expireAccessTokens();
  const afterRefusal = await get('/items');
  return {
    wrongPassword,
    first,
    afterExpiry,
    admin,
    afterRefusal,
    status: session.getState().status,
    stats: JSON.parse(JSON.stringify(auth.stats)) as typeof auth.stats,
  };
}

worker
  .start({ quiet: true, onUnhandledRequest: 'bypass', serviceWorker: { url: '/mockServiceWorker.js' } })
  .then(run)
  .then(
    (result) => Object.assign(window, { result }),
    (error: Error) => Object.assign(window, { result: { error: String(error?.stack ?? error) } }),
  );
