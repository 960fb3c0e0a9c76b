// Review probes: the kit's controls and stats exactly as DESIGN and docs/guide/testing.md say.
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE_URL, claimsOf, getWith, login, postJson, refresh, useMockAuth } from './support';

const { auth, server } = useMockAuth({ recordBodies: true });
afterEach(() => {
  vi.useRealTimers();
});

describe('failNextRefresh', () => {
  it('queues kinds in order across calls: server, network, rejected, then the unspent token refreshes', async () => {
    const { refreshToken } = await login();
    auth.controls.failNextRefresh(1, 'server');
    auth.controls.failNextRefresh(1, 'network');
    auth.controls.failNextRefresh(1, 'rejected');
    expect((await refresh(refreshToken)).status).toBe(500);
    await expect(refresh(refreshToken)).rejects.toThrow(TypeError);
    const rejected = await refresh(refreshToken);
    expect(rejected.status).toBe(400);
    expect(await rejected.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(refreshToken)).status).toBe(200);
    expect(auth.stats.refreshCalls.map((call) => call.outcome)).toEqual(['forced', 'forced', 'forced', 'ok']);
    expect(auth.stats.reuseDetected).toBe(0);
  });

  it('count 0 queues nothing', async () => {
    const { refreshToken } = await login();
    auth.controls.failNextRefresh(0, 'server');
    expect((await refresh(refreshToken)).status).toBe(200);
  });

  it('a forced failure does not apply to logins or protected requests', async () => {
    auth.controls.failNextRefresh(1, 'server');
    const { accessToken, refreshToken } = await login();
    expect((await getWith(`${BASE_URL}/items`, accessToken)).status).toBe(200);
    expect((await refresh(refreshToken)).status).toBe(500);
  });
});

describe('reuse detection', () => {
  it('a reused refresh token revokes its whole family (the token its first use issued too), not other families', async () => {
    const first = await login();
    const other = await login('bob', 'builder');
    const rotated = (await (await refresh(first.refreshToken)).json()) as { refreshToken: string };
    const reuse = await refresh(first.refreshToken);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect(auth.stats.reuseDetected).toBe(1);
    expect((await refresh(rotated.refreshToken)).status).toBe(400);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it('two concurrent refreshes with one token: one gets a pair, the other is reuse, and the family ends', async () => {
    const { refreshToken } = await login();
    const [a, b] = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    expect(auth.stats.reuseDetected).toBe(1);
    const winner = (await (a.status === 200 ? a : b).json()) as { refreshToken: string };
    expect((await refresh(winner.refreshToken)).status).toBe(400);
  });
});

describe('delayRefresh and advanceClock', () => {
  it('delayRefresh holds each refresh for ms under fake timers, and delayRefresh(0) ends it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { refreshToken } = await login();
    auth.controls.delayRefresh(5_000);
    let settled = false;
    const pending = refresh(refreshToken).then((response) => {
      settled = true;
      return response;
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const first = await pending;
    expect(first.status).toBe(200);
    const { refreshToken: next } = (await first.json()) as { refreshToken: string };
    auth.controls.delayRefresh(0);
    expect((await refresh(next)).status).toBe(200);
  });

  it('advanceClock past the access ttl: 401 invalid_token "expired"; a refresh then gives a working token', async () => {
    const { accessToken, refreshToken } = await login();
    auth.controls.advanceClock(60_000);
    const expired = await getWith(`${BASE_URL}/items`, accessToken);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const renewed = (await (await refresh(refreshToken)).json()) as { accessToken: string };
    expect((await getWith(`${BASE_URL}/items`, renewed.accessToken)).status).toBe(200);
    expect(claimsOf(renewed.accessToken).exp).toBeGreaterThan(Date.now() / 1000 + 60);
  });
});

describe('revokeRefreshTokens and reset', () => {
  it('revokeRefreshTokens refuses every refresh token issued so far, not later logins', async () => {
    const a = await login();
    const b = await login('bob', 'builder');
    auth.controls.revokeRefreshTokens();
    expect((await refresh(a.refreshToken)).status).toBe(400);
    expect((await refresh(b.refreshToken)).status).toBe(400);
    const c = await login();
    expect((await refresh(c.refreshToken)).status).toBe(200);
  });

  it('reset forgets every token: old access 401, old refresh 400, issueTokens pairs too', async () => {
    const a = await login();
    const issued = await auth.controls.issueTokens('bob');
    auth.controls.reset();
    expect((await getWith(`${BASE_URL}/items`, a.accessToken)).status).toBe(401);
    expect((await getWith(`${BASE_URL}/items`, issued.accessToken)).status).toBe(401);
    expect((await refresh(a.refreshToken)).status).toBe(400);
    expect((await refresh(issued.refreshToken)).status).toBe(400);
    expect(auth.stats.reuseDetected).toBe(0);
  });
});

describe('stats never hold a token string', () => {
  it('after logins, refreshes, reuse, logouts, refused and admitted requests with tokens in path, query and body', async () => {
    server.use(
      auth.protect(http.post(`${BASE_URL}/files/:name`, () => HttpResponse.json({ ok: true }))),
      auth.protect(http.get(`${BASE_URL}/files/:name`, () => HttpResponse.json({ ok: true }))),
    );
    const a = await login();
    const rotated = (await (await refresh(a.refreshToken)).json()) as {
      accessToken: string;
      refreshToken: string;
    };
    await refresh(a.refreshToken); // reuse
    const b = await login('bob', 'builder');
    const secrets = [a.accessToken, a.refreshToken, rotated.accessToken, rotated.refreshToken];
    secrets.push(b.accessToken, b.refreshToken, 'opaque-secret-42');
    await fetch(`${BASE_URL}/files/${b.refreshToken}?access_token=${b.accessToken}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ refresh: a.refreshToken, access: rotated.accessToken, t: b.accessToken }),
    });
    await getWith(`${BASE_URL}/files/opaque-secret-42`, 'opaque-secret-42');
    await fetch(`${BASE_URL}/files/x`, {
      method: 'POST',
      headers: { authorization: 'Bearer opaque-secret-42' },
      body: 'token=opaque-secret-42',
    });
    await postJson(`${BASE_URL}/auth/logout`, { refreshToken: b.refreshToken });
    await getWith(`${BASE_URL}/items`, b.accessToken);
    const printed = JSON.stringify(auth.stats);
    expect(auth.stats.requests.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) expect(printed).not.toContain(secret);
  });
});

describe('protect roles', () => {
  it('any-of: admin-or-auditor admits bob (admin), refuses alice (user) with 403 insufficient_scope', async () => {
    server.use(
      auth.protect(
        http.get(`${BASE_URL}/audit`, () => HttpResponse.json({})),
        { roles: ['auditor', 'admin'] },
      ),
    );
    const alice = await login();
    const bob = await login('bob', 'builder');
    const refused = await getWith(`${BASE_URL}/audit`, alice.accessToken);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect((await getWith(`${BASE_URL}/audit`, bob.accessToken)).status).toBe(200);
  });

  it('roles: [] admits any valid token', async () => {
    server.use(
      auth.protect(
        http.get(`${BASE_URL}/open`, () => HttpResponse.json({})),
        { roles: [] },
      ),
    );
    const alice = await login();
    expect((await getWith(`${BASE_URL}/open`, alice.accessToken)).status).toBe(200);
  });
});
