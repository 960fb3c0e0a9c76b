import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';

const API = 'https://api.example.test';

describe('with msw patching globalThis.fetch after createAuthFetch', () => {
  const seen: (string | null)[] = [];
  let refreshes = 0;
  const server = setupServer(
    http.get(`${API}/items`, ({ request }) => {
      const authorization = request.headers.get('authorization');
      seen.push(authorization);
      return authorization === 'Bearer fresh'
        ? HttpResponse.json({ ok: true })
        : new HttpResponse(null, {
            status: 401,
            headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          });
    }),
    http.post(`${API}/auth/refresh`, async ({ request }) => {
      refreshes += 1;
      const { refreshToken } = (await request.json()) as { refreshToken: string };
      return refreshToken === 'rt-1'
        ? HttpResponse.json({ accessToken: 'fresh', refreshToken: 'rt-2', expiresIn: 3600 })
        : HttpResponse.json({ error: 'invalid_grant' }, { status: 400 });
    }),
  );
  afterEach(() => server.close());

  it('sends through the patched fetch: 401, one refresh, replay', async () => {
    const session = createSession({
      refresh: async ({ refreshToken, signal }) => {
        const body = JSON.stringify({ refreshToken });
        const response = await authFetch(`${API}/auth/refresh`, {
          method: 'POST',
          body,
          signal,
          skipAuth: true,
        });
        if (!response.ok) throw response;
        return response.json();
      },
    });
    const authFetch = createAuthFetch(session, { allowedOrigins: [API] });
    session.signIn({ accessToken: 'stale', refreshToken: 'rt-1', expiresIn: 3600 });
    server.listen({ onUnhandledRequest: 'error' }); // patches globalThis.fetch now, after createAuthFetch

    const responses = await Promise.all([authFetch(`${API}/items`), authFetch(`${API}/items`)]);

    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(refreshes).toBe(1);
    expect(seen).toEqual(['Bearer stale', 'Bearer stale', 'Bearer fresh', 'Bearer fresh']);
  });
});
