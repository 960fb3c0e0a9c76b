import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuthServer,
  type AuthServerOptions,
  startAuthServer,
  type TokenResponse,
} from './support/authServer';

let server: AuthServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options?: AuthServerOptions): Promise<AuthServer> {
  server = await startAuthServer(options);
  return server;
}

function post(auth: AuthServer, path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${auth.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: text,
    ...init,
  });
}

function get(auth: AuthServer, path: string, accessToken?: string): Promise<Response> {
  const headers: Record<string, string> = accessToken ? { authorization: `Bearer ${accessToken}` } : {};
  return fetch(`${auth.url}${path}`, { headers });
}

async function login(auth: AuthServer, username = 'alice', password = 'wonderland'): Promise<TokenResponse> {
  const res = await post(auth, '/auth/login', { username, password });
  expect(res.status).toBe(200);
  return (await res.json()) as TokenResponse;
}

function refresh(auth: AuthServer, refreshToken: string, init?: RequestInit): Promise<Response> {
  return post(auth, '/auth/refresh', { refreshToken }, init);
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('login', () => {
  it('answers a right password with an HS256 token pair', async () => {
    const auth = await start();
    const tokens = await login(auth, 'bob', 'builder');

    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 60 });
    expect(tokens.refreshToken).toMatch(/^[0-9a-f]{64}$/); // the kit's opaque refresh token
    const header = JSON.parse(Buffer.from(tokens.accessToken.split('.')[0] ?? '', 'base64url').toString());
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = claimsOf(tokens.accessToken);
    expect(claims).toMatchObject({ sub: 'bob', roles: ['user', 'admin'], jti: expect.any(String) });
    expect(Number(claims.exp) - Number(claims.iat)).toBeCloseTo(60, 3);
    expect(auth.stats.logins).toBe(1);
  });

  it('refuses a wrong password with 401 invalid_credentials and a challenge without an error', async () => {
    const auth = await start();
    const res = await post(auth, '/auth/login', { username: 'alice', password: 'looking-glass' });

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="reauth-test"');
    expect(await res.json()).toMatchObject({ error: 'invalid_credentials' });
    expect(auth.stats).toMatchObject({ logins: 0, failedLogins: 1 });
  });

  it('answers a malformed body with 400 invalid_request', async () => {
    const auth = await start();
    const notJson = await post(auth, '/auth/login', '{username:');
    const missingPassword = await post(auth, '/auth/login', { username: 'alice' });

    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'invalid_request' });
    expect(missingPassword.status).toBe(400);
  });

  it('issues tokens without HTTP that the server accepts', async () => {
    const auth = await start();
    const { accessToken } = await auth.controls.issueTokens('bob');
    const res = await get(auth, '/auth/me', accessToken);

    expect(await res.json()).toEqual({ sub: 'bob', roles: ['user', 'admin'] });
    await expect(auth.controls.issueTokens('mallory')).rejects.toThrow(/Unknown user/);
  });
});

describe('protected routes', () => {
  it('challenges a request without a token with no error param', async () => {
    const auth = await start();
    const res = await get(auth, '/api/items');

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="reauth-test"');
    expect(auth.stats.requests).toEqual([
      {
        method: 'GET',
        url: `${auth.url}/api/items`,
        path: '/api/items',
        status: 401,
        hadToken: false,
        tokenId: null,
        body: null,
        at: expect.any(Number),
      },
    ]);
  });

  it('serves a valid token and records its jti, never the token', async () => {
    const auth = await start();
    const tokens = await login(auth);
    const res = await get(auth, '/api/items', tokens.accessToken);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { items: unknown[]; user: string };
    expect(body.items).toHaveLength(3);
    expect(body.user).toBe('alice');
    expect(auth.stats.requests[0]).toMatchObject({
      status: 200,
      hadToken: true,
      tokenId: claimsOf(tokens.accessToken).jti,
    });
    expect(JSON.stringify(auth.stats)).not.toContain(tokens.accessToken);
  });

  it('serves one item by id', async () => {
    const auth = await start();
    const { accessToken } = await login(auth);

    expect(await (await get(auth, '/api/items/42', accessToken)).json()).toEqual({ id: '42', user: 'alice' });
  });

  it('refuses a tampered or foreign token as invalid_token', async () => {
    const auth = await start();
    const { accessToken } = await login(auth);
    const [header, , signature] = accessToken.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'alice', roles: ['admin'], exp: 9e9 })).toString(
      'base64url',
    );
    const foreign = await startAuthServer(); // its own kit: another signing key
    const foreignToken = (await foreign.controls.issueTokens('alice')).accessToken;
    await foreign.close();

    for (const token of [`${header}.${forged}.${signature}`, foreignToken, 'x']) {
      const res = await get(auth, '/api/items', token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer realm="reauth-test", error="invalid_token", error_description="The access token is invalid"',
      );
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    }
    expect(auth.stats.requests.map((r) => r.tokenId)).toEqual([null, null, null]);
  });

  it('accepts the tokens of the server whose kit it shares, and records its own requests only', async () => {
    const auth = await start();
    const other = await startAuthServer({ acceptTokensOf: auth });
    const { accessToken } = await login(auth, 'bob', 'builder');

    try {
      expect((await get(other, '/api/admin', accessToken)).status).toBe(200);
      expect((await post(other, '/auth/login', { username: 'bob', password: 'builder' })).status).toBe(404);
      expect(other.stats.requests.map((r) => r.url)).toEqual([`${other.url}/api/admin`]);
      expect(auth.stats.requests).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('refuses every token issued before expireAccessTokens as expired, but not later ones', async () => {
    const auth = await start();
    const before = await login(auth);
    auth.controls.expireAccessTokens();
    const after = await login(auth);

    const res = await get(auth, '/api/items', before.accessToken);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="reauth-test", error="invalid_token", error_description="The access token expired"',
    );
    expect(auth.stats.requests[0]?.tokenId).toBe(claimsOf(before.accessToken).jti);
    expect((await get(auth, '/api/items', after.accessToken)).status).toBe(200);
  });

  it('gives a late 401 on /api/slow when tokens expire during the wait', async () => {
    const auth = await start();
    const { accessToken } = await login(auth);
    const pending = get(auth, '/api/slow?ms=400', accessToken);
    // Nothing tells us the request has arrived; 100 ms on loopback is ample, and the wait is 400 ms.
    await new Promise((resolve) => setTimeout(resolve, 100));
    auth.controls.expireAccessTokens();

    const res = await pending;
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: 'invalid_token',
      error_description: 'The access token expired',
    });
    expect(auth.stats.requests[0]).toMatchObject({ path: '/api/slow', status: 401, hadToken: true });
  });

  it('answers /api/slow with 200 when the token stays valid', async () => {
    const auth = await start();
    const { accessToken } = await login(auth);

    expect((await get(auth, '/api/slow?ms=20', accessToken)).status).toBe(200);
  });

  it('answers /api/admin with 403 forbidden to a user without the admin role', async () => {
    const auth = await start();
    const alice = await login(auth);
    const bob = await login(auth, 'bob', 'builder');

    const denied = await get(auth, '/api/admin', alice.accessToken);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ error: 'forbidden' });
    expect((await get(auth, '/api/admin', bob.accessToken)).status).toBe(200);
  });

  it('answers /api/scoped with 401 insufficient_scope to a user without the admin role', async () => {
    const auth = await start();
    const alice = await login(auth);
    const bob = await login(auth, 'bob', 'builder');

    const denied = await get(auth, '/api/scoped', alice.accessToken);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe(
      'Bearer realm="reauth-test", error="insufficient_scope", scope="admin"',
    );
    expect((await get(auth, '/api/scoped', bob.accessToken)).status).toBe(200);
  });

  it('echoes the raw body, content type and x-custom header of POST, PUT and PATCH', async () => {
    const auth = await start();
    const { accessToken } = await login(auth);
    const body = '{ "b": 2, "a": [1, "ü"] }';

    for (const method of ['POST', 'PUT', 'PATCH']) {
      const res = await fetch(`${auth.url}/api/echo`, {
        method,
        body,
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json',
          'x-custom': 'kept',
        },
      });
      expect(await res.json()).toEqual({
        method,
        body,
        contentType: 'application/json',
        custom: 'kept',
        user: 'alice',
      });
    }
    expect(auth.stats.requests.map((r) => r.body)).toEqual([body, body, body]);
  });

  it('serves /api/public without a token and does not record it', async () => {
    const auth = await start();

    expect((await get(auth, '/api/public')).status).toBe(200);
    expect(auth.stats.requests).toEqual([]);
  });

  it('answers an unknown route with 404 and a preflight with 204 and CORS headers', async () => {
    const auth = await start();
    const missing = await get(auth, '/api/nowhere');
    const preflight = await fetch(`${auth.url}/api/items`, { method: 'OPTIONS' });

    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-custom');
    expect(preflight.headers.get('access-control-expose-headers')).toBe('www-authenticate');
  });
});

describe('refresh', () => {
  it('rotates the refresh token and revokes the whole family when a used one comes back', async () => {
    const auth = await start();
    const first = await login(auth);
    const second = (await (await refresh(auth, first.refreshToken)).json()) as TokenResponse;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);

    const reused = await refresh(auth, first.refreshToken);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(auth, second.refreshToken)).status).toBe(400);
    expect(auth.stats.reuseDetected).toBe(1);
    expect(auth.stats.refreshes).toBe(3);
    expect(auth.stats.refreshCalls.map((c) => c.outcome)).toEqual(['ok', 'reused', 'rejected']);
    expect(JSON.stringify(auth.stats)).not.toContain(first.refreshToken);
  });

  it('returns the same refresh token without rotation, and it works twice', async () => {
    const auth = await start({ rotateRefreshTokens: false });
    const { refreshToken } = await login(auth);

    for (let i = 0; i < 2; i++) {
      const res = await refresh(auth, refreshToken);
      expect(res.status).toBe(200);
      expect(((await res.json()) as TokenResponse).refreshToken).toBe(refreshToken);
    }
    expect(auth.stats.reuseDetected).toBe(0);
  });

  it('accepts refresh_token as well as refreshToken', async () => {
    const auth = await start();
    const { refreshToken } = await login(auth);

    expect((await post(auth, '/auth/refresh', { refresh_token: refreshToken })).status).toBe(200);
  });

  it('refuses an unknown token with invalid_grant and a malformed body with invalid_request', async () => {
    const auth = await start();

    expect((await refresh(auth, 'not-a-token')).status).toBe(400);
    const malformed = await post(auth, '/auth/refresh', '[]');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'invalid_request' });
    expect(auth.stats.refreshCalls.map((c) => [c.outcome, c.tokenId])).toEqual([
      ['unknown', null],
      ['malformed', null],
    ]);
  });

  it('refuses every refresh token after revokeRefreshTokens', async () => {
    const auth = await start();
    const { refreshToken } = await login(auth);
    auth.controls.revokeRefreshTokens();

    expect((await refresh(auth, refreshToken)).status).toBe(400);
    expect(auth.stats.refreshCalls[0]?.outcome).toBe('rejected');
  });

  it('revokes the family on logout', async () => {
    const auth = await start();
    const first = await login(auth);
    const second = (await (await refresh(auth, first.refreshToken)).json()) as TokenResponse;

    expect((await post(auth, '/auth/logout', { refreshToken: first.refreshToken })).status).toBe(204);
    expect((await refresh(auth, second.refreshToken)).status).toBe(400);
    expect(auth.stats.refreshCalls[1]?.outcome).toBe('rejected');
  });
});

describe('failNextRefresh', () => {
  it('rejects with 400 invalid_grant, then refreshes normally', async () => {
    const auth = await start();
    const { refreshToken } = await login(auth);
    auth.controls.failNextRefresh(1, 'rejected');

    const refused = await refresh(auth, refreshToken);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(auth, refreshToken)).status).toBe(200);
    expect(auth.stats.refreshCalls.map((c) => c.outcome)).toEqual(['rejected', 'ok']);
  });

  it('answers 500 for a server failure, count times', async () => {
    const auth = await start();
    const { refreshToken } = await login(auth);
    auth.controls.failNextRefresh(2, 'server');

    expect((await refresh(auth, refreshToken)).status).toBe(500);
    expect((await refresh(auth, refreshToken)).status).toBe(500);
    expect((await refresh(auth, refreshToken)).status).toBe(200);
    expect(auth.stats.refreshCalls.map((c) => c.outcome)).toEqual(['failed', 'failed', 'ok']);
    expect(auth.stats.refreshCalls[0]?.tokenId).toEqual(expect.any(String));
  });

  it('drops the connection for a network failure, so fetch rejects', async () => {
    const auth = await start();
    const { refreshToken } = await login(auth);
    auth.controls.failNextRefresh(1, 'network');

    await expect(refresh(auth, refreshToken)).rejects.toThrow(TypeError);
    expect(auth.stats.refreshCalls[0]?.outcome).toBe('failed');
  });

  it('leaves a hung refresh pending until the client aborts it', async () => {
    const auth = await start();
    const { refreshToken } = await login(auth);
    auth.controls.failNextRefresh(1, 'hang');

    const pending = refresh(auth, refreshToken, { signal: AbortSignal.timeout(200) });
    await expect(pending).rejects.toThrow(/aborted/i);
    expect(auth.stats.refreshCalls).toEqual([
      { tokenId: expect.any(String), outcome: 'hung', at: expect.any(Number) },
    ]);
  });

  it('lets close() end a hung refresh and still resolve', async () => {
    const auth = await start();
    const { refreshToken } = await login(auth);
    auth.controls.failNextRefresh(1, 'hang');
    const pending = refresh(auth, refreshToken);
    const outcome = pending.then(
      () => 'answered',
      () => 'dropped',
    );
    await until(() => auth.stats.refreshCalls.length === 1);

    await auth.close();
    expect(await outcome).toBe('dropped');
  });
});

describe('clock and delay controls', () => {
  it('refuses a token revoked while its refresh was delayed', async () => {
    const auth = await start();
    const { refreshToken } = await login(auth);
    auth.controls.delayRefresh(300);

    const pending = refresh(auth, refreshToken);
    await until(() => auth.stats.refreshes === 1);
    expect(auth.stats.refreshCalls).toEqual([]);
    auth.controls.revokeRefreshTokens();

    expect((await pending).status).toBe(400);
    expect(auth.stats.refreshCalls[0]?.outcome).toBe('rejected');
  });

  it('answers other requests while a refresh is delayed', async () => {
    const auth = await start();
    const { accessToken, refreshToken } = await login(auth);
    auth.controls.delayRefresh(300);
    const order: string[] = [];

    const pendingRefresh = refresh(auth, refreshToken).then(() => order.push('refresh'));
    await until(() => auth.stats.refreshes === 1);
    await get(auth, '/api/items', accessToken).then(() => order.push('items'));
    await pendingRefresh;
    expect(order).toEqual(['items', 'refresh']);
  });

  it('expires access tokens by exp and refresh tokens by ttl as the clock advances', async () => {
    const auth = await start({ accessTokenTtlMs: 1_500, refreshTokenTtlMs: 10_000 });
    const tokens = await login(auth);
    expect(tokens.expiresIn).toBe(1.5);

    auth.controls.advanceClock(1_400);
    expect((await get(auth, '/api/items', tokens.accessToken)).status).toBe(200);
    auth.controls.advanceClock(200);
    const expired = await get(auth, '/api/items', tokens.accessToken);
    expect(await expired.json()).toMatchObject({ error_description: 'The access token expired' });

    auth.controls.advanceClock(10_000);
    expect((await refresh(auth, tokens.refreshToken)).status).toBe(400);
    expect(auth.stats.refreshCalls[0]?.outcome).toBe('expired');
  });

  it('reset clears failures, delay, clock and stats, and forgets the tokens issued', async () => {
    const auth = await start();
    const tokens = await login(auth);
    auth.controls.failNextRefresh(3, 'hang');
    auth.controls.delayRefresh(60_000);
    auth.controls.advanceClock(120_000);
    await get(auth, '/api/items', tokens.accessToken);

    auth.controls.reset();
    expect(auth.stats).toEqual({
      logins: 0,
      failedLogins: 0,
      refreshes: 0,
      reuseDetected: 0,
      logouts: 0,
      requests: [],
      refreshCalls: [],
    });
    expect((await get(auth, '/api/items', tokens.accessToken)).status).toBe(401);
    expect((await refresh(auth, tokens.refreshToken)).status).toBe(400);
    const fresh = await login(auth);
    expect((await get(auth, '/api/items', fresh.accessToken)).status).toBe(200);
    expect((await refresh(auth, fresh.refreshToken)).status).toBe(200);
  });

  it('clearStats clears the stats but keeps issued tokens and names forced failures in order', async () => {
    const auth = await start();
    const tokens = await login(auth);
    auth.controls.failNextRefresh(1, 'server');
    auth.controls.failNextRefresh(1, 'rejected');
    await refresh(auth, tokens.refreshToken);

    auth.controls.clearStats();
    expect(auth.stats).toMatchObject({ logins: 0, refreshes: 0, requests: [], refreshCalls: [] });
    expect((await get(auth, '/api/items', tokens.accessToken)).status).toBe(200);
    expect((await refresh(auth, tokens.refreshToken)).status).toBe(400);
    expect((await refresh(auth, tokens.refreshToken)).status).toBe(200);
    expect(auth.stats.refreshCalls.map((c) => c.outcome)).toEqual(['rejected', 'ok']);
  });
});
