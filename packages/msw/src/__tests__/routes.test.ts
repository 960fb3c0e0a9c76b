import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { BASE_URL, claimsOf, getWith, login, postJson, refresh, useMockAuth } from './support';

const { auth } = useMockAuth({ accessTokenTtlMs: 60_000 });

describe('POST /auth/login', () => {
  it('answers the tokens for a right password: a signed JWT with sub, roles, iat, exp, jti', async () => {
    const before = Date.now();
    const tokens = await login('bob', 'builder');

    expect(tokens).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 60,
      tokenType: 'Bearer',
    });
    const claims = claimsOf(tokens.accessToken);
    expect(claims).toMatchObject({ sub: 'bob', roles: ['user', 'admin'], jti: expect.any(String) });
    expect(claims.exp as number).toBeCloseTo((claims.iat as number) + 60, 3);
    expect((claims.iat as number) * 1000).toBeGreaterThanOrEqual(before - 1);
    expect(auth.stats.logins).toBe(1);
  });

  it('signs with HS256: a wrong key fails verification, so the signature is real', async () => {
    const { accessToken } = await login();
    const header = JSON.parse(atob(accessToken.split('.')[0] ?? '')) as Record<string, unknown>;

    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    await expect(jwtVerify(accessToken, new Uint8Array(32))).rejects.toThrow(/signature/);
  });

  it('answers 401 invalid_credentials for a wrong password or an unknown user', async () => {
    for (const body of [
      { username: 'alice', password: 'wrong' },
      { username: 'mallory', password: 'wonderland' },
    ]) {
      const response = await postJson(`${BASE_URL}/auth/login`, body);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_credentials' });
    }
    expect(auth.stats).toMatchObject({ logins: 0, failedLogins: 2 });
  });

  it.each([
    ['not JSON', 'username=alice'],
    ['a JSON array', '["alice","wonderland"]'],
    ['a missing password', '{"username":"alice"}'],
    ['a number for a password', '{"username":"alice","password":42}'],
  ])('answers 400 invalid_request for %s', async (_, body) => {
    const response = await fetch(`${BASE_URL}/auth/login`, { method: 'POST', body });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    expect(auth.stats).toMatchObject({ logins: 0, failedLogins: 0 });
  });
});

describe('POST /auth/refresh', () => {
  it('rotates: answers a new token pair and the old refresh token is spent', async () => {
    const first = await login();
    const response = await refresh(first.refreshToken);
    const second = await response.json();

    expect(response.status).toBe(200);
    expect(second).toMatchObject({ tokenType: 'Bearer', expiresIn: 60 });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect((await getWith(`${BASE_URL}/items`, second.accessToken)).status).toBe(200);
    expect((await refresh(second.refreshToken)).status).toBe(200);
    expect(auth.stats.refreshes).toBe(2);
  });

  it('accepts the OAuth name refresh_token too', async () => {
    const { refreshToken } = await login();
    const response = await postJson(`${BASE_URL}/auth/refresh`, { refresh_token: refreshToken });

    expect(response.status).toBe(200);
  });

  it('detects reuse: a rotated token presented again is refused and its whole family is revoked', async () => {
    const first = await login();
    const second = await (await refresh(first.refreshToken)).json();
    const other = await login('bob', 'builder');

    const reused = await refresh(first.refreshToken);

    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    const newer = await refresh(second.refreshToken);
    expect(newer.status).toBe(400);
    expect(await newer.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(other.refreshToken)).status).toBe(200);
    expect(auth.stats.reuseDetected).toBe(1);
    expect(auth.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok', 'reused', 'revoked', 'ok']);
  });

  it('refuses an unknown refresh token with 400 invalid_grant', async () => {
    const response = await refresh('not-a-token-we-issued');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers 400 invalid_request without a refresh token in a JSON body', async () => {
    const response = await postJson(`${BASE_URL}/auth/refresh`, { token: 'x' });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    expect(auth.stats.refreshCalls).toEqual([expect.objectContaining({ outcome: 'malformed' })]);
  });

  it('answers concurrent refreshes with one token: one wins, the other is reuse', async () => {
    const { refreshToken } = await login();
    const statuses = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);

    expect(statuses.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(auth.stats.reuseDetected).toBe(1);
  });

  it('revokes the winner’s new refresh token too when concurrent refreshes reuse one token', async () => {
    const { refreshToken } = await login();
    const answers = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);
    const winner = answers.find((answer) => answer.status === 200);
    if (!winner) throw new Error('neither refresh was answered 200');
    const { refreshToken: rotated } = (await winner.json()) as { refreshToken: string };

    const afterReuse = await refresh(rotated);

    expect(afterReuse.status).toBe(400);
    expect(auth.stats.refreshCalls.map((call) => call.outcome).sort()).toEqual(['ok', 'reused', 'revoked']);
  });
});

describe('POST /auth/logout', () => {
  it('revokes the family of the refresh token it is given, rotated members included', async () => {
    const first = await login();
    const second = await (await refresh(first.refreshToken)).json();

    const response = await postJson(`${BASE_URL}/auth/logout`, { refreshToken: first.refreshToken });

    expect(response.status).toBe(204);
    expect((await refresh(second.refreshToken)).status).toBe(400);
    expect(auth.stats.logouts).toBe(1);
  });

  it('leaves other sessions alone, and answers 204 for an unknown token', async () => {
    const alice = await login();
    const bob = await login('bob', 'builder');

    expect((await postJson(`${BASE_URL}/auth/logout`, { refreshToken: 'unknown' })).status).toBe(204);
    expect((await postJson(`${BASE_URL}/auth/logout`, { refreshToken: bob.refreshToken })).status).toBe(204);
    expect((await refresh(alice.refreshToken)).status).toBe(200);
    expect((await refresh(bob.refreshToken)).status).toBe(400);
  });

  it('answers 400 invalid_request without a refresh token', async () => {
    const response = await postJson(`${BASE_URL}/auth/logout`, {});

    expect(response.status).toBe(400);
  });
});

describe('GET /auth/me', () => {
  it('answers the user of a valid token', async () => {
    const { accessToken } = await login('bob', 'builder');
    const response = await getWith(`${BASE_URL}/auth/me`, accessToken);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'bob', roles: ['user', 'admin'] });
  });

  it('answers 401 with a Bearer challenge without a token, and records it', async () => {
    const response = await getWith(`${BASE_URL}/auth/me`);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="reauth-msw"');
    expect(auth.stats.requests).toEqual([
      expect.objectContaining({ url: `${BASE_URL}/auth/me`, status: 401 }),
    ]);
  });
});
