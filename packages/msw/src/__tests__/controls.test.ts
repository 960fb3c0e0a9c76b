import { delay, HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE_URL, claimsOf, getWith, login, refresh, useMockAuth } from './support';

const { auth, server } = useMockAuth({ accessTokenTtlMs: 60_000, refreshTokenTtlMs: 600_000 });

afterEach(() => {
  vi.useRealTimers();
});

/** Real turns of the event loop (only setTimeout is faked) until the kit has received `count` refresh calls. */
async function refreshArrived(count = 1): Promise<void> {
  while (auth.stats.refreshes < count) await new Promise((resolve) => setImmediate(resolve));
}

describe('expireAccessTokens()', () => {
  it('makes every token issued so far answer 401 invalid_token "expired"; later tokens are fine', async () => {
    const old = await login();
    auth.controls.expireAccessTokens();
    const fresh = await (await refresh(old.refreshToken)).json();

    const refused = await getWith(`${BASE_URL}/items`, old.accessToken);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: 'invalid_token',
      error_description: 'The access token expired',
    });
    expect((await getWith(`${BASE_URL}/items`, fresh.accessToken)).status).toBe(200);
  });
});

describe('revokeRefreshTokens()', () => {
  it('makes every refresh token issued so far answer 400 invalid_grant; access tokens still work', async () => {
    const alice = await login();
    const bob = await login('bob', 'builder');
    auth.controls.revokeRefreshTokens();

    for (const { refreshToken } of [alice, bob]) {
      const response = await refresh(refreshToken);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    }
    expect((await getWith(`${BASE_URL}/items`, alice.accessToken)).status).toBe(200);
    const later = await login();
    expect((await refresh(later.refreshToken)).status).toBe(200);
  });
});

describe('failNextRefresh(count, kind)', () => {
  it('defaults to one rejected refresh: 400 invalid_grant, then refreshes work again', async () => {
    const { refreshToken } = await login();
    auth.controls.failNextRefresh();

    const failed = await refresh(refreshToken);
    expect(failed.status).toBe(400);
    expect(await failed.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(refreshToken)).status).toBe(200);
  });

  it('fails the next `count` refreshes as a 500 with kind "server", and leaves the token unspent', async () => {
    const { refreshToken } = await login();
    auth.controls.failNextRefresh(2, 'server');

    expect((await refresh(refreshToken)).status).toBe(500);
    expect((await refresh(refreshToken)).status).toBe(500);
    expect((await refresh(refreshToken)).status).toBe(200);
    expect(auth.stats.refreshes).toBe(3);
    expect(auth.stats.refreshCalls.map((call) => call.outcome)).toEqual(['forced', 'forced', 'ok']);
    // The same token each time, recorded by the kit's id: what a test of "tokens kept" asserts on.
    const [id, ...rest] = auth.stats.refreshCalls.map((call) => call.tokenId);
    expect(id).toEqual(expect.any(String));
    expect(rest).toEqual([id, id]);
  });

  it('fails as a network error (fetch rejects with a TypeError) with kind "network"', async () => {
    const { refreshToken } = await login();
    auth.controls.failNextRefresh(1, 'network');

    await expect(refresh(refreshToken)).rejects.toThrow(TypeError);
    expect((await refresh(refreshToken)).status).toBe(200);
  });

  it('applies a forced failure to the first of two delayed refreshes and lets the second through', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { refreshToken } = await login();
    auth.controls.delayRefresh(1_000);
    auth.controls.failNextRefresh(1, 'server');
    const first = refresh(refreshToken);
    await refreshArrived(1);
    const second = refresh(refreshToken);
    await refreshArrived(2);

    await vi.advanceTimersByTimeAsync(1_000);

    expect([(await first).status, (await second).status]).toEqual([500, 200]);
    expect(auth.stats.reuseDetected).toBe(0); // the forced failure did not spend the token
  });

  it('throws a TypeError for a kind it does not know or a negative count', () => {
    expect(() => auth.controls.failNextRefresh(1, 'hung' as never)).toThrow(TypeError);
    expect(() => auth.controls.failNextRefresh(-1)).toThrow(TypeError);
  });
});

describe('delayRefresh(ms)', () => {
  it('holds every refresh answer for ms until delayRefresh(0)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { refreshToken } = await login();
    auth.controls.delayRefresh(5_000);
    let answered = false;
    const pending = refresh(refreshToken).then((response) => {
      answered = true;
      return response;
    });
    await refreshArrived();

    await vi.advanceTimersByTimeAsync(4_900);
    expect(answered).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    const response = await pending;
    expect(response.status).toBe(200);

    auth.controls.delayRefresh(0);
    const second = (await response.json()) as { refreshToken: string };
    expect((await refresh(second.refreshToken)).status).toBe(200);
  });

  it('decides the outcome after the wait: a revocation made meanwhile applies', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { refreshToken } = await login();
    auth.controls.delayRefresh(1_000);

    const pending = refresh(refreshToken);
    await refreshArrived();
    await vi.advanceTimersByTimeAsync(10);
    auth.controls.revokeRefreshTokens();
    await vi.advanceTimersByTimeAsync(1_000);

    expect((await pending).status).toBe(400);
  });

  it('lasts until reset()', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    auth.controls.delayRefresh(60_000);
    auth.controls.reset();
    const { refreshToken } = await login();

    // No timer is advanced: were the delay still on, this would never answer.
    const response = await refresh(refreshToken);

    expect(response.status).toBe(200);
  });
});

describe('advanceClock(ms)', () => {
  it('expires access tokens by their exp on the kit’s clock', async () => {
    const { accessToken } = await login();

    auth.controls.advanceClock(59_000);
    expect((await getWith(`${BASE_URL}/items`, accessToken)).status).toBe(200);
    auth.controls.advanceClock(1_000);
    expect((await getWith(`${BASE_URL}/items`, accessToken)).status).toBe(401);
  });

  it('stamps new tokens with the moved clock', async () => {
    const before = await login();
    auth.controls.advanceClock(3_600_000);
    const after = await login();

    const iat = (token: string) => (JSON.parse(atob(token.split('.')[1] ?? '')) as { iat: number }).iat;
    expect(iat(after.accessToken) - iat(before.accessToken)).toBeGreaterThanOrEqual(3600);
  });

  it('expires refresh tokens after refreshTokenTtlMs', async () => {
    const { refreshToken } = await login();
    auth.controls.advanceClock(600_000);

    const response = await refresh(refreshToken);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    expect(auth.stats.refreshCalls).toEqual([expect.objectContaining({ outcome: 'expired' })]);
  });
});

describe('reset()', () => {
  it('clears stats, forced failures, the clock and every token issued so far', async () => {
    const old = await login();
    auth.controls.failNextRefresh(3, 'server');
    auth.controls.advanceClock(120_000);
    const { stats } = auth;

    auth.controls.reset();

    expect(stats).toEqual({
      logins: 0,
      failedLogins: 0,
      refreshes: 0,
      reuseDetected: 0,
      logouts: 0,
      requests: [],
      refreshCalls: [],
    });
    expect((await getWith(`${BASE_URL}/items`, old.accessToken)).status).toBe(401);
    expect((await refresh(old.refreshToken)).status).toBe(400);
    const fresh = await login();
    expect((await getWith(`${BASE_URL}/items`, fresh.accessToken)).status).toBe(200);
    expect((await refresh(fresh.refreshToken)).status).toBe(200);
    // The clock is back: a token issued now is not stamped two minutes ahead.
    expect((claimsOf(fresh.accessToken).iat as number) * 1000).toBeLessThan(Date.now() + 60_000);
  });
});

describe('holdRefresh() and releaseRefresh()', () => {
  it('keeps every refresh unanswered until released, then answers as the server is then', async () => {
    const first = await login();
    const second = await login('bob', 'builder');
    auth.controls.holdRefresh();
    let answered = 0;
    const pending = [refresh(first.refreshToken), refresh(second.refreshToken)].map((response) =>
      response.then((r) => {
        answered += 1;
        return r.status;
      }),
    );
    await expect.poll(() => auth.stats.refreshes).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(0);
    expect(auth.stats.refreshCalls).toEqual([]); // decided on release, not on arrival

    auth.controls.revokeRefreshTokens(); // made while held: it applies
    auth.controls.releaseRefresh();

    expect(await Promise.all(pending)).toEqual([400, 400]);
    expect(auth.stats.refreshCalls.map((call) => call.outcome)).toEqual(['revoked', 'revoked']);
    const third = await login();
    expect((await refresh(third.refreshToken)).status).toBe(200); // released: no more holding
  });

  it('lets reset() answer a held refresh as the reset server would', async () => {
    const { refreshToken } = await login();
    auth.controls.holdRefresh();
    const pending = refresh(refreshToken);
    await expect.poll(() => auth.stats.refreshes).toBe(1);

    auth.controls.reset();

    expect((await pending).status).toBe(400);
    expect(auth.stats.refreshCalls).toEqual([]);
    const fresh = await login();
    expect((await refresh(fresh.refreshToken)).status).toBe(200);
  });
});

describe('clearStats()', () => {
  it('empties the stats and keeps the tokens, the forced failures and the clock', async () => {
    const tokens = await login();
    await getWith(`${BASE_URL}/items`, tokens.accessToken);
    auth.controls.failNextRefresh(1, 'server');
    auth.controls.advanceClock(30_000);
    const { stats } = auth;

    auth.controls.clearStats();

    expect(stats).toEqual({
      logins: 0,
      failedLogins: 0,
      refreshes: 0,
      reuseDetected: 0,
      logouts: 0,
      requests: [],
      refreshCalls: [],
    });
    expect((await getWith(`${BASE_URL}/items`, tokens.accessToken)).status).toBe(200);
    expect((await refresh(tokens.refreshToken)).status).toBe(500); // the failure queued before
    const renewed = await refresh(tokens.refreshToken);
    expect(renewed.status).toBe(200);
    // The clock stays ahead: a token issued now is stamped 30 s later than the wall clock.
    const { accessToken } = (await renewed.json()) as { accessToken: string };
    expect((claimsOf(accessToken).iat as number) * 1000).toBeGreaterThan(Date.now() + 20_000);
    expect(stats).toMatchObject({
      logins: 0,
      refreshes: 2,
      requests: [expect.objectContaining({ status: 200 })],
    });
  });
});

describe('reset() with a request in flight', () => {
  // A refresh waiting out its delay at reset() recorded its call in the fresh stats, which then disagreed.
  it('drops a delayed refresh that started before it: 400 invalid_grant, recorded nowhere', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { refreshToken } = await login();
    auth.controls.delayRefresh(1_000);
    const pending = refresh(refreshToken);
    await refreshArrived();

    auth.controls.reset();
    await vi.advanceTimersByTimeAsync(1_000);

    const late = await pending;
    expect(late.status).toBe(400); // its token was forgotten by the reset
    expect(await late.json()).toMatchObject({ error: 'invalid_grant' });
    expect(auth.stats.refreshCalls).toHaveLength(auth.stats.refreshes);
    expect(auth.stats).toMatchObject({ refreshes: 0, refreshCalls: [] });
  });

  it('drops a forced failure claimed before it: the late refresh gets the reset server’s answer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const { refreshToken } = await login();
    auth.controls.delayRefresh(1_000);
    auth.controls.failNextRefresh(1, 'server');
    const pending = refresh(refreshToken);
    await refreshArrived();

    auth.controls.reset();
    await vi.advanceTimersByTimeAsync(1_000);

    expect((await pending).status).toBe(400);
    expect(auth.stats.refreshCalls).toEqual([]);
  });

  it('drops a protected request that started before it: 401 invalid_token, not recorded', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    let isHandling = false;
    const slow = http.get(`${BASE_URL}/slow`, async () => {
      isHandling = true;
      await delay(1_000);
      return HttpResponse.json({ slow: true });
    });
    server.use(auth.protect(slow));
    const { accessToken } = await login();
    const pending = getWith(`${BASE_URL}/slow`, accessToken);
    while (!isHandling) await new Promise((resolve) => setImmediate(resolve));

    auth.controls.reset();
    await vi.advanceTimersByTimeAsync(1_000);

    const late = await pending;
    expect(late.status).toBe(401);
    expect(await late.json()).toMatchObject({ error: 'invalid_token' });
    expect(auth.stats.requests).toEqual([]);
  });
});

describe('issueTokens(username)', () => {
  it('issues a working pair without HTTP and without counting a login', async () => {
    const tokens = await auth.controls.issueTokens('bob');

    expect((await getWith(`${BASE_URL}/admin`, tokens.accessToken)).status).toBe(200);
    expect((await refresh(tokens.refreshToken)).status).toBe(200);
    expect(auth.stats.logins).toBe(0);
  });

  it('rejects for an unknown user, naming the option to fix', async () => {
    await expect(auth.controls.issueTokens('mallory')).rejects.toThrow(/Unknown user "mallory"/);
  });
});
