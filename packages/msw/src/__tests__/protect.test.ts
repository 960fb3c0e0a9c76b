import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { BASE_URL, getWith, login, useMockAuth } from './support';

const { auth, server } = useMockAuth();
const REALM = 'Bearer realm="reauth-msw"';

describe('protect(handler)', () => {
  it('hands a request with a valid token to the wrapped handler, params and all', async () => {
    server.use(
      auth.protect(http.get(`${BASE_URL}/items/:id`, ({ params }) => HttpResponse.json({ id: params.id }))),
    );
    const { accessToken } = await login();

    const response = await getWith(`${BASE_URL}/items/7`, accessToken);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: '7' });
  });

  it('answers 401 without a token, with a challenge that has no error param (RFC 6750 §3.1)', async () => {
    const response = await getWith(`${BASE_URL}/items`);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(REALM);
  });

  it('answers 401 invalid_token for a token it did not sign', async () => {
    const { accessToken } = await login();
    const [header, payload] = accessToken.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;

    for (const token of [forged, 'not-a-jwt']) {
      const response = await getWith(`${BASE_URL}/items`, token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(
        `${REALM}, error="invalid_token", error_description="The access token is invalid"`,
      );
      expect(await response.json()).toEqual({
        error: 'invalid_token',
        error_description: 'The access token is invalid',
      });
    }
  });

  it('answers 401 invalid_token "expired" for a token past its exp', async () => {
    const { accessToken } = await login();
    auth.controls.advanceClock(60_000);

    const response = await getWith(`${BASE_URL}/items`, accessToken);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `${REALM}, error="invalid_token", error_description="The access token expired"`,
    );
  });

  it('admits a user holding any one of the roles asked for', async () => {
    server.use(
      auth.protect(
        http.get(`${BASE_URL}/reports`, () => HttpResponse.json({ ok: true })),
        {
          roles: ['auditor', 'admin'],
        },
      ),
    );
    const bob = await login('bob', 'builder');

    expect((await getWith(`${BASE_URL}/reports`, bob.accessToken)).status).toBe(200);
    expect((await getWith(`${BASE_URL}/admin`, bob.accessToken)).status).toBe(200);
  });

  it('answers 403 insufficient_scope to a user without the role', async () => {
    const alice = await login();

    const response = await getWith(`${BASE_URL}/admin`, alice.accessToken);

    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      `${REALM}, error="insufficient_scope", scope="admin"`,
    );
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('answers 401 insufficient_scope instead when insufficientScopeAs401 is set', async () => {
    server.use(
      auth.protect(
        http.get(`${BASE_URL}/scoped`, () => HttpResponse.json({ ok: true })),
        {
          roles: ['admin'],
          insufficientScopeAs401: true,
        },
      ),
    );
    const alice = await login();

    const response = await getWith(`${BASE_URL}/scoped`, alice.accessToken);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `${REALM}, error="insufficient_scope", scope="admin"`,
    );
  });

  it('checks the token before the role: an expired admin token is 401 invalid_token, not 403', async () => {
    const bob = await login('bob', 'builder');
    auth.controls.expireAccessTokens();

    const response = await getWith(`${BASE_URL}/admin`, bob.accessToken);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('keeps the wrapped handler’s own method: a POST handler does not answer a GET', async () => {
    server.use(
      auth.protect(http.post(`${BASE_URL}/orders`, () => HttpResponse.json({}, { status: 201 }))),
      http.get(`${BASE_URL}/orders`, () => HttpResponse.json({ from: 'unprotected GET' })),
    );
    const { accessToken } = await login();
    const init = { headers: { authorization: `Bearer ${accessToken}` } };

    expect((await fetch(`${BASE_URL}/orders`, { ...init, method: 'POST' })).status).toBe(201);
    expect(await (await fetch(`${BASE_URL}/orders`)).json()).toEqual({ from: 'unprotected GET' });
  });

  it('lets a wrapped handler that answers nothing fall through to the next one, unrecorded', async () => {
    server.use(
      auth.protect(http.get(`${BASE_URL}/maybe`, () => undefined)),
      http.get(`${BASE_URL}/maybe`, () => HttpResponse.json({ from: 'next' })),
    );
    const { accessToken } = await login();

    const response = await getWith(`${BASE_URL}/maybe`, accessToken);

    expect(await response.json()).toEqual({ from: 'next' });
    expect(auth.stats.requests).toEqual([]);
  });

  it('throws a TypeError naming what it expects when given something else', () => {
    expect(() => auth.protect({} as never)).toThrow(/expects an msw http handler/);
  });
});
