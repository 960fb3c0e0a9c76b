// The example of the README section "Testing your app's auth flows", verbatim: keep the two in step.
import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import { createMockAuthServer } from '@reauth/msw';
import axios from 'axios';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';

const API = 'https://api.example.test';
const auth = createMockAuthServer({ baseUrl: API });
const server = setupServer(
  ...auth.handlers,
  auth.protect(http.get(`${API}/items`, () => HttpResponse.json([{ id: 1, name: 'Teapot' }]))),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  auth.controls.reset();
});
afterAll(() => server.close());

async function signedInApi() {
  const api = axios.create({ baseURL: API });
  const session = createSession({
    refresh: async ({ refreshToken, signal }) =>
      (await api.post('/auth/refresh', { refreshToken }, { skipAuth: true, signal })).data,
  });
  attachAuth(api, session);
  const credentials = { username: 'alice', password: 'wonderland' };
  session.signIn((await api.post('/auth/login', credentials, { skipAuth: true })).data);
  return { api, session };
}

it('refreshes an expired token once and replays every request that got a 401', async () => {
  const { api } = await signedInApi();
  auth.controls.expireAccessTokens();

  const responses = await Promise.all([api.get('/items'), api.get('/items'), api.get('/items')]);

  expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
  expect(auth.stats.refreshes).toBe(1);
  const statuses = auth.stats.requests.map((request) => request.status);
  expect(statuses.filter((status) => status === 401)).toHaveLength(3);
  expect(statuses.filter((status) => status === 200)).toHaveLength(3);
});

it('signs out when the refresh is refused', async () => {
  const { api, session } = await signedInApi();
  auth.controls.expireAccessTokens();
  auth.controls.failNextRefresh(); // 400 invalid_grant, as a server answers a revoked refresh token

  await expect(api.get('/items')).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
  expect(session.getState().status).toBe('signedOut');
});
