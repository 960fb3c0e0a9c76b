import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { BASE_URL, claimsOf, getWith, login, postJson, refresh, useMockAuth } from './support';

const { auth, server } = useMockAuth();

describe('stats', () => {
  it('records each protected request: method, url without query, status, hadToken, tokenId, at', async () => {
    const { accessToken } = await login();
    const jti = claimsOf(accessToken).jti;
    await getWith(`${BASE_URL}/items?access_token=${accessToken}`, accessToken);
    await getWith(`${BASE_URL}/items`);
    await getWith(`${BASE_URL}/items`, 'garbage');
    await getWith(`${BASE_URL}/admin`, accessToken);
    auth.controls.expireAccessTokens();
    await getWith(`${BASE_URL}/auth/me`, accessToken);

    const at = expect.any(Number);
    expect(auth.stats.requests).toEqual([
      { method: 'GET', url: `${BASE_URL}/items`, status: 200, hadToken: true, tokenId: jti, at },
      { method: 'GET', url: `${BASE_URL}/items`, status: 401, hadToken: false, tokenId: null, at },
      { method: 'GET', url: `${BASE_URL}/items`, status: 401, hadToken: true, tokenId: null, at },
      { method: 'GET', url: `${BASE_URL}/admin`, status: 403, hadToken: true, tokenId: jti, at },
      { method: 'GET', url: `${BASE_URL}/auth/me`, status: 401, hadToken: true, tokenId: jti, at },
    ]);
  });

  it('never holds a token string, whatever happened', async () => {
    const first = await login();
    const second = await (await refresh(first.refreshToken)).json();
    await refresh(first.refreshToken);
    await getWith(`${BASE_URL}/items`, second.accessToken);
    await getWith(`${BASE_URL}/items?token=${second.accessToken}`, first.accessToken);
    await postJson(`${BASE_URL}/auth/logout`, { refreshToken: second.refreshToken });

    const text = JSON.stringify(auth.stats);
    for (const secret of [first.accessToken, first.refreshToken, second.accessToken, second.refreshToken]) {
      expect(text).not.toContain(secret);
    }
    expect(auth.stats).toMatchObject({ logins: 1, refreshes: 2, reuseDetected: 1, logouts: 1 });
    expect(auth.stats.requests).toHaveLength(2);
  });

  // The query was dropped but the path kept, so a token in it (download links, `/files/:token`) was stored.
  it('redacts a token carried in the path: the bearer, another access token, a refresh token', async () => {
    server.use(auth.protect(http.get(`${BASE_URL}/download/:ticket`, () => HttpResponse.text('file'))));
    const alice = await login();
    const bob = await login('bob', 'builder');
    const tickets = [alice.accessToken, bob.accessToken, bob.refreshToken, `${alice.refreshToken}.pdf`];

    for (const ticket of tickets) {
      expect((await getWith(`${BASE_URL}/download/${ticket}`, alice.accessToken)).status).toBe(200);
    }

    const text = JSON.stringify(auth.stats);
    for (const secret of [alice.accessToken, alice.refreshToken, bob.accessToken, bob.refreshToken]) {
      expect(text).not.toContain(secret);
    }
    expect(auth.stats.requests.map((request) => request.url)).toEqual([
      `${BASE_URL}/download/[redacted]`,
      `${BASE_URL}/download/[redacted]`,
      `${BASE_URL}/download/[redacted]`,
      `${BASE_URL}/download/[redacted].pdf`,
    ]);
  });

  it('is live: a reference taken before the requests sees them', async () => {
    const { stats } = auth;
    const { refreshToken } = await login();
    await refresh(refreshToken);

    expect(stats.logins).toBe(1);
    expect(stats.refreshes).toBe(1);
    expect(stats).toBe(auth.stats);
  });

  it('records each refresh call with the kit’s id of the token presented, the same across its uses', async () => {
    const { refreshToken } = await login();
    await refresh(refreshToken);
    await refresh(refreshToken);
    await refresh('unknown');

    const [ok, reused, unknown] = auth.stats.refreshCalls;
    expect(ok).toEqual({ tokenId: expect.any(String), outcome: 'ok', at: expect.any(Number) });
    expect(reused).toMatchObject({ tokenId: ok?.tokenId, outcome: 'reused' });
    expect(unknown).toMatchObject({ tokenId: null, outcome: 'unknown' });
  });
});
