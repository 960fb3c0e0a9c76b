import { createMockAuthServer, type MockAuthServerOptions, type TokenResponse } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export const BASE_URL = 'https://api.example.test';

/** One msw server per test file; every test starts from a reset kit and the default handlers. */
export function useMockAuth(options: Partial<MockAuthServerOptions> = {}) {
  const auth = createMockAuthServer({ baseUrl: BASE_URL, ...options });
  const server = setupServer(
    ...auth.handlers,
    auth.protect(http.get(`${BASE_URL}/items`, () => HttpResponse.json({ items: ['teapot'] }))),
    auth.protect(
      http.get(`${BASE_URL}/admin`, () => HttpResponse.json({ admin: true })),
      {
        roles: ['admin'],
      },
    ),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    auth.controls.reset();
  });
  afterAll(() => server.close());
  return { auth, server };
}

export const postJson = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const getWith = (url: string, accessToken?: string) =>
  fetch(url, accessToken === undefined ? {} : { headers: { authorization: `Bearer ${accessToken}` } });

export async function login(username = 'alice', password = 'wonderland', baseUrl = BASE_URL) {
  const response = await postJson(`${baseUrl}/auth/login`, { username, password });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenResponse;
}

export const refresh = (refreshToken: string, baseUrl = BASE_URL) =>
  postJson(`${baseUrl}/auth/refresh`, { refreshToken });

/** The parts of a JWT, decoded without verification (the test reads what the client would). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
}
