import { type AccessTokenResponse, createMockAuthServer, type IssuedCookie } from '@reauth/msw';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { BASE_URL, createCookieClient, onlySetCookie, sendWithCookie, useCookieAuth } from './cookieSupport';

const { auth, server } = useCookieAuth({
  cookies: 'refresh',
  accessTokenTtlMs: 60_000,
  refreshTokenTtlMs: 600_000,
});

afterEach(() => {
  vi.useRealTimers();
});

const STORED = /^reauth_refresh=([0-9a-f]{64}); HttpOnly; Path=\/auth; SameSite=Strict; Secure$/;
const CLEARED = 'reauth_refresh=; HttpOnly; Path=/auth; SameSite=Strict; Secure; Max-Age=0';
const outcomes = () => auth.stats.refreshCalls.map((call) => call.outcome);

/** Real turns of the event loop until the kit has received `count` refresh calls. */
async function refreshArrived(count: number): Promise<void> {
  while (auth.stats.refreshes < count) await new Promise((resolve) => setImmediate(resolve));
}

describe("cookies: 'refresh' — login", () => {
  it('answers { accessToken, expiresIn, tokenType } and puts the refresh token in an httpOnly cookie', async () => {
    const client = createCookieClient();

    const response = await client.login();
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType']);
    expect(body).toMatchObject({ expiresIn: 60, tokenType: 'Bearer' });
    expect(onlySetCookie(response)).toMatch(STORED);
    expect((await client.get('/items', body.accessToken)).status).toBe(200);
    expect(auth.stats.logins).toBe(1);
  });

  it('scopes the cookie to the refresh and logout routes: a jar sends it there and nowhere else', async () => {
    const client = createCookieClient();
    await client.login();

    const sentToRefresh = await client.cookieFor('/auth/refresh');
    expect(sentToRefresh).toMatch(/^reauth_refresh=[0-9a-f]{64}$/);
    expect(await client.cookieFor('/auth/logout')).toBe(sentToRefresh);
    expect(await client.cookieFor('/items')).toBe('');
    expect(await client.cookieFor('/authority')).toBe('');
  });
});

describe("cookies: 'refresh' — refresh", () => {
  it('reads the cookie (not the body), rotates it and answers a new access token', async () => {
    const client = createCookieClient();
    const first = await (await client.login()).json();
    const before = await client.cookieFor('/auth/refresh');

    const response = await client.post('/auth/refresh', { refreshToken: 'not-this-one' });
    const body = await response.json();

    expect(response.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType']);
    expect(body.accessToken).not.toBe(first.accessToken);
    expect(onlySetCookie(response)).toMatch(STORED);
    expect(await client.cookieFor('/auth/refresh')).not.toBe(before);
    expect(outcomes()).toEqual(['ok']);
    expect((await client.get('/items', body.accessToken)).status).toBe(200);
  });

  it('takes the old cookie presented again as reuse: 400 invalid_grant, cookie cleared, family revoked', async () => {
    const client = createCookieClient();
    await client.login();
    const old = await client.cookieFor('/auth/refresh');
    expect((await client.post('/auth/refresh')).status).toBe(200);

    const reused = await sendWithCookie('/auth/refresh', old);

    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    expect(onlySetCookie(reused)).toBe(CLEARED);
    expect(auth.stats.reuseDetected).toBe(1);
    // The cookie the rotation gave is of the same family: revoked with it.
    const latest = await client.post('/auth/refresh');
    expect(latest.status).toBe(400);
    expect(onlySetCookie(latest)).toBe(CLEARED);
    expect(await client.cookieFor('/auth/refresh')).toBe('');
    expect(outcomes()).toEqual(['ok', 'reused', 'revoked']);
  });

  it('lets one of two refreshes racing with the same cookie win; the other is reuse and revokes both', async () => {
    const client = createCookieClient();
    await client.login();
    auth.controls.holdRefresh();
    const racing = [client.post('/auth/refresh'), client.post('/auth/refresh')];
    await refreshArrived(2);
    auth.controls.releaseRefresh();

    const answers = await Promise.all(racing);

    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
    expect(outcomes().sort()).toEqual(['ok', 'reused']);
    const winner = answers.find((answer) => answer.status === 200) as Response;
    const [, value] = STORED.exec(onlySetCookie(winner)) ?? [];
    expect((await sendWithCookie('/auth/refresh', `reauth_refresh=${value}`)).status).toBe(400);
  });

  it('answers a refresh without the cookie 400 invalid_grant and clears it, whatever the body holds', async () => {
    const { cookie } = await auth.controls.issueTokens('alice');
    const value = cookie.slice('reauth_refresh='.length);

    const response = await fetch(`${BASE_URL}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: value, refresh_token: value }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    expect(onlySetCookie(response)).toBe(CLEARED);
    expect(auth.stats.refreshCalls).toEqual([
      { tokenId: null, outcome: 'malformed', at: expect.any(Number) },
    ]);
  });

  it('keeps the cookie as it is without rotation (rotateRefreshTokens: false): no Set-Cookie on refresh', async () => {
    const plain = createMockAuthServer({
      baseUrl: 'https://plain.test',
      cookies: 'refresh',
      rotateRefreshTokens: false,
    });
    server.use(...plain.handlers);
    const client = createCookieClient('https://plain.test');
    await client.login();
    const cookie = await client.cookieFor('/auth/refresh');

    const first = await client.post('/auth/refresh');
    const second = await client.post('/auth/refresh');

    expect([first.status, second.status]).toEqual([200, 200]);
    expect([...first.headers.getSetCookie(), ...second.headers.getSetCookie()]).toEqual([]);
    expect(await client.cookieFor('/auth/refresh')).toBe(cookie);
    expect(plain.stats.reuseDetected).toBe(0);
  });
});

describe("cookies: 'refresh' — logout", () => {
  it('revokes the family of the cookie and clears it: 204', async () => {
    const client = createCookieClient();
    await client.login();
    const copy = await client.cookieFor('/auth/logout');

    const response = await client.post('/auth/logout');

    expect(response.status).toBe(204);
    expect(onlySetCookie(response)).toBe(CLEARED);
    expect(await client.cookieFor('/auth/refresh')).toBe('');
    expect((await sendWithCookie('/auth/refresh', copy)).status).toBe(400);
    expect(outcomes()).toEqual(['revoked']);
    expect(auth.stats.logouts).toBe(1);
  });

  it('answers a logout without a cookie 204 too, clearing it (nothing to revoke)', async () => {
    const response = await sendWithCookie('/auth/logout', '');

    expect(response.status).toBe(204);
    expect(onlySetCookie(response)).toBe(CLEARED);
  });
});

describe("cookies: 'refresh' — controls", () => {
  it('expireAccessTokens(): the bearer token is refused, the cookie still refreshes', async () => {
    const client = createCookieClient();
    const { accessToken } = await (await client.login()).json();
    auth.controls.expireAccessTokens();

    const refused = await client.get('/items', accessToken);
    const renewed = await (await client.post('/auth/refresh')).json();

    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer realm="reauth-msw", error="invalid_token", error_description="The access token expired"',
    );
    expect((await client.get('/items', renewed.accessToken)).status).toBe(200);
  });

  it('revokeRefreshTokens(): the cookie is refused and cleared; the access token still works', async () => {
    const client = createCookieClient();
    const { accessToken } = await (await client.login()).json();
    auth.controls.revokeRefreshTokens();

    const refused = await client.post('/auth/refresh');

    expect(refused.status).toBe(400);
    expect(onlySetCookie(refused)).toBe(CLEARED);
    expect(outcomes()).toEqual(['revoked']);
    expect((await client.get('/items', accessToken)).status).toBe(200);
  });

  it("failNextRefresh('rejected'): 400 invalid_grant that keeps the cookie, which refreshes next time", async () => {
    const client = createCookieClient();
    await client.login();
    auth.controls.failNextRefresh(1, 'rejected');

    const failed = await client.post('/auth/refresh');

    expect(failed.status).toBe(400);
    expect(await failed.json()).toMatchObject({ error: 'invalid_grant' });
    expect(failed.headers.getSetCookie()).toEqual([]);
    expect((await client.post('/auth/refresh')).status).toBe(200);
    expect(outcomes()).toEqual(['forced', 'ok']);
  });

  it("failNextRefresh('server' | 'network'): transient failures that leave the cookie unspent", async () => {
    const client = createCookieClient();
    await client.login();
    auth.controls.failNextRefresh(1, 'server');
    auth.controls.failNextRefresh(1, 'network');

    const server500 = await client.post('/auth/refresh');
    const network = client.post('/auth/refresh');

    expect(server500.status).toBe(500);
    expect(server500.headers.getSetCookie()).toEqual([]);
    await expect(network).rejects.toThrow(TypeError);
    expect((await client.post('/auth/refresh')).status).toBe(200);
  });

  it('holdRefresh(): a revocation made while the refresh is held applies when it is released', async () => {
    const client = createCookieClient();
    await client.login();
    auth.controls.holdRefresh();
    const held = client.post('/auth/refresh');
    await refreshArrived(1);

    auth.controls.revokeRefreshTokens();
    auth.controls.releaseRefresh();
    const response = await held;

    expect(response.status).toBe(400);
    expect(onlySetCookie(response)).toBe(CLEARED);
  });

  it('delayRefresh(ms): the refresh with the cookie is answered only after the delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const client = createCookieClient();
    await client.login();
    auth.controls.delayRefresh(5_000);
    let status = 0;
    const answered = client.post('/auth/refresh').then((response) => {
      status = response.status;
    });
    await refreshArrived(1);

    await vi.advanceTimersByTimeAsync(4_999);
    expect(status).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await answered;
    expect(status).toBe(200);
  });

  it('advanceClock(): a cookie older than refreshTokenTtlMs is refused as expired and cleared', async () => {
    const client = createCookieClient();
    await client.login();
    auth.controls.advanceClock(600_000);

    const response = await client.post('/auth/refresh');

    expect(response.status).toBe(400);
    expect(onlySetCookie(response)).toBe(CLEARED);
    expect(outcomes()).toEqual(['expired']);
  });

  it('issueTokens(): the access token and the cookie, as a Cookie header and as a Set-Cookie for a jar', async () => {
    const issued = await auth.controls.issueTokens('bob');
    const again = await auth.controls.issueTokens('bob');
    const client = createCookieClient();
    await client.jar.setCookie(issued.setCookie, `${BASE_URL}/auth/login`);

    expectTypeOf(issued).toEqualTypeOf<AccessTokenResponse & IssuedCookie>();
    expect(Object.keys(issued).sort()).toEqual([
      'accessToken',
      'cookie',
      'expiresIn',
      'setCookie',
      'tokenType',
    ]);
    expect(issued.setCookie).toMatch(STORED);
    expect(issued.setCookie.startsWith(`${issued.cookie};`)).toBe(true);
    expect((await client.get('/admin', issued.accessToken)).status).toBe(200);
    expect((await client.post('/auth/refresh')).status).toBe(200);
    expect((await sendWithCookie('/auth/refresh', again.cookie)).status).toBe(200);
    expect(auth.stats.logins).toBe(0);
  });

  it('reset(): a cookie of the old server is unknown to the new one: refused and cleared', async () => {
    const client = createCookieClient();
    await client.login();
    auth.controls.reset();

    const response = await client.post('/auth/refresh');

    expect(response.status).toBe(400);
    expect(onlySetCookie(response)).toBe(CLEARED);
    expect(outcomes()).toEqual(['unknown']);
  });
});

describe("cookies: 'refresh' — stats", () => {
  it('records bearer requests as usual and never holds a cookie value', async () => {
    const client = createCookieClient();
    const seen: string[] = [];
    const { accessToken } = await (await client.login()).json();
    seen.push(await client.cookieFor('/auth/refresh'));
    await client.post('/auth/refresh');
    seen.push(await client.cookieFor('/auth/refresh'));
    await client.get('/items', accessToken);
    await client.get('/items');
    await client.post('/auth/logout');

    expect(auth.stats.requests.map(({ status, hadToken }) => ({ status, hadToken }))).toEqual([
      { status: 200, hadToken: true },
      { status: 401, hadToken: false },
    ]);
    const recorded = JSON.stringify(auth.stats);
    for (const cookie of seen) {
      expect(cookie).toMatch(/^reauth_refresh=[0-9a-f]{64}$/);
      expect(recorded).not.toContain(cookie.slice('reauth_refresh='.length));
    }
  });
});
