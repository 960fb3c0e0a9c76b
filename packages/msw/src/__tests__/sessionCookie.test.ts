import { createMockAuthServer, type IssuedCookie, type SessionResponse } from '@reauth/msw';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createCookieClient, onlySetCookie, sendWithCookie, useCookieAuth } from './cookieSupport';

const { auth, server } = useCookieAuth({
  cookies: 'session',
  accessTokenTtlMs: 60_000,
  refreshTokenTtlMs: 600_000,
});

const STORED = /^reauth_session=([0-9a-f]{64}); HttpOnly; Path=\/; SameSite=Strict; Secure$/;
const CLEARED = 'reauth_session=; HttpOnly; Path=/; SameSite=Strict; Secure; Max-Age=0';
const CHALLENGE =
  'Cookie realm="reauth-msw", form-action="https://api.example.test/auth/login", cookie-name="reauth_session"';
const ALICE = { sub: 'alice', roles: ['user'] };

afterEach(() => {
  vi.useRealTimers();
});
const outcomes = () => auth.stats.refreshCalls.map((call) => call.outcome);

/** Real turns of the event loop until the kit has received `count` refresh calls. */
async function refreshArrived(count: number): Promise<void> {
  while (auth.stats.refreshes < count) await new Promise((resolve) => setImmediate(resolve));
}

async function signedIn(username = 'alice', password = 'wonderland') {
  const client = createCookieClient();
  expect((await client.login(username, password)).status).toBe(200);
  return client;
}

describe("cookies: 'session' — login", () => {
  it('answers { user } with no token anywhere and sets an httpOnly session cookie for the whole origin', async () => {
    const client = createCookieClient();

    const response = await client.login();

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: ALICE });
    expect(onlySetCookie(response)).toMatch(STORED);
    expect(await client.cookieFor('/items')).toMatch(/^reauth_session=[0-9a-f]{64}$/);
    expect(auth.stats.logins).toBe(1);
  });

  it('answers a wrong password 401 invalid_credentials with the cookie challenge and no cookie', async () => {
    const response = await createCookieClient().login('alice', 'nope');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGE);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe("cookies: 'session' — protect()", () => {
  it('admits the session cookie, and hands the user to the handler through userOf()', async () => {
    const client = await signedIn('bob', 'builder');

    expect((await client.get('/items')).status).toBe(200);
    expect((await client.get('/admin')).status).toBe(200);
    expect(await (await client.get('/whoami')).json()).toEqual({ sub: 'bob', roles: ['user', 'admin'] });
    expect(await (await client.get('/auth/me')).json()).toEqual({ sub: 'bob', roles: ['user', 'admin'] });
  });

  it('answers a request without the cookie 401 with a Cookie challenge, a bearer token not taken instead', async () => {
    const client = await signedIn();
    const value = (await client.cookieFor('/items')).slice('reauth_session='.length);

    const anonymous = await fetch('https://api.example.test/items');
    const bearer = await fetch('https://api.example.test/items', {
      headers: { authorization: `Bearer ${value}` },
    });

    for (const response of [anonymous, bearer]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(CHALLENGE);
      expect(await response.json()).toEqual({ error: 'unauthorized' });
      // A refused request leaves the cookie alone: the refresh route may still renew it.
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it('answers an unknown session 401 invalid_token', async () => {
    const response = await sendWithCookie('/items', `reauth_session=${'0'.repeat(64)}`, 'GET');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `${CHALLENGE}, error="invalid_token", error_description="The session is unknown, ended or replaced"`,
    );
  });

  it('answers a user without the role 403 insufficient_scope, in the cookie challenge', async () => {
    const client = await signedIn();

    const response = await client.get('/admin');

    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(
      `${CHALLENGE}, error="insufficient_scope", scope="admin"`,
    );
  });

  it('refuses a session once accessTokenTtlMs has passed, not before: 401 "The session expired"', async () => {
    // The kit's clock stands still but for advanceClock: the boundary is exact.
    vi.useFakeTimers({ toFake: ['Date'] });
    const client = await signedIn();
    auth.controls.advanceClock(59_999);
    expect((await client.get('/items')).status).toBe(200);

    auth.controls.advanceClock(1);
    const expired = await client.get('/items');

    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe(
      `${CHALLENGE}, error="invalid_token", error_description="The session expired"`,
    );
    expect(await client.cookieFor('/items')).not.toBe('');
  });
});

describe("cookies: 'session' — refresh (a sliding session)", () => {
  it('replaces the session with a new one: a new cookie, { user }, and the old id refused at once', async () => {
    const client = await signedIn();
    const old = await client.cookieFor('/items');

    const response = await client.post('/auth/refresh');

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ user: ALICE });
    expect(onlySetCookie(response)).toMatch(STORED);
    expect(await client.cookieFor('/items')).not.toBe(old);
    expect((await client.get('/items')).status).toBe(200);
    // No grace, though it has not expired: a request still carrying the replaced id is refused (a
    // "late 401" for the client, which replays it with the new cookie).
    const late = await sendWithCookie('/items', old, 'GET');
    expect(late.status).toBe(401);
    expect(late.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(outcomes()).toEqual(['ok']);
  });

  it('takes the replaced id presented to refresh again as reuse: 401, cookie cleared, family revoked', async () => {
    const client = await signedIn();
    const old = await client.cookieFor('/items');
    expect((await client.post('/auth/refresh')).status).toBe(200);

    const reused = await sendWithCookie('/auth/refresh', old);

    expect(reused.status).toBe(401);
    expect(reused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(onlySetCookie(reused)).toBe(CLEARED);
    expect(auth.stats.reuseDetected).toBe(1);
    // The session the refresh opened is of the same family: ended with it.
    expect((await client.get('/items')).status).toBe(401);
    expect(outcomes()).toEqual(['ok', 'reused']);
  });

  it('answers a refresh without the cookie 401 and clears it, recorded as malformed', async () => {
    const response = await sendWithCookie('/auth/refresh', '');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGE);
    expect(onlySetCookie(response)).toBe(CLEARED);
    expect(outcomes()).toEqual(['malformed']);
  });

  it('renews a session until refreshTokenTtlMs, then refuses it as expired', async () => {
    const client = await signedIn();
    auth.controls.advanceClock(600_000);

    const response = await client.post('/auth/refresh');

    expect(response.status).toBe(401);
    expect(onlySetCookie(response)).toBe(CLEARED);
    expect(await client.cookieFor('/items')).toBe('');
    expect(outcomes()).toEqual(['expired']);
  });

  it('extends the same session without rotation (rotateRefreshTokens: false): no new cookie', async () => {
    const plain = createMockAuthServer({
      baseUrl: 'https://plain.test',
      cookies: 'session',
      rotateRefreshTokens: false,
      accessTokenTtlMs: 1_000,
    });
    server.use(...plain.handlers);
    const client = createCookieClient('https://plain.test');
    await client.login();
    const cookie = await client.cookieFor('/auth/me');
    plain.controls.advanceClock(1_000);
    expect((await client.get('/auth/me')).status).toBe(401);

    const refreshed = await client.post('/auth/refresh');

    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.getSetCookie()).toEqual([]);
    expect(await client.cookieFor('/auth/me')).toBe(cookie);
    expect((await client.get('/auth/me')).status).toBe(200);
  });
});

describe("cookies: 'session' — logout", () => {
  it('ends the session and clears the cookie: 204, and a kept copy is refused everywhere', async () => {
    const client = await signedIn();
    const copy = await client.cookieFor('/items');

    const response = await client.post('/auth/logout');

    expect(response.status).toBe(204);
    expect(onlySetCookie(response)).toBe(CLEARED);
    expect(await client.cookieFor('/items')).toBe('');
    expect((await sendWithCookie('/items', copy, 'GET')).status).toBe(401);
    expect((await sendWithCookie('/auth/refresh', copy)).status).toBe(401);
    expect(auth.stats.logouts).toBe(1);
  });
});

describe("cookies: 'session' — controls", () => {
  it('expireAccessTokens(): every session is refused by protected routes, and the refresh renews it', async () => {
    const client = await signedIn();
    auth.controls.expireAccessTokens();

    expect((await client.get('/items')).status).toBe(401);
    expect((await client.post('/auth/refresh')).status).toBe(200);
    expect((await client.get('/items')).status).toBe(200);
  });

  it('revokeRefreshTokens(): every session is ended, for protected routes and the refresh alike', async () => {
    const client = await signedIn();
    auth.controls.revokeRefreshTokens();

    expect((await client.get('/items')).status).toBe(401);
    const refused = await client.post('/auth/refresh');
    expect(refused.status).toBe(401);
    expect(onlySetCookie(refused)).toBe(CLEARED);
    expect(outcomes()).toEqual(['revoked']);
  });

  it("failNextRefresh('rejected'): 401 that keeps the cookie, which renews next time", async () => {
    const client = await signedIn();
    auth.controls.failNextRefresh(1, 'rejected');

    const failed = await client.post('/auth/refresh');

    expect(failed.status).toBe(401);
    expect(failed.headers.getSetCookie()).toEqual([]);
    expect((await client.post('/auth/refresh')).status).toBe(200);
    expect(outcomes()).toEqual(['forced', 'ok']);
  });

  it("failNextRefresh('hang'): unanswered until the client aborts, the session unspent", async () => {
    const client = await signedIn();
    auth.controls.failNextRefresh(1, 'hang');
    const abort = new AbortController();
    const hung = client.send('https://api.example.test/auth/refresh', {
      method: 'POST',
      signal: abort.signal,
    });
    await refreshArrived(1);

    abort.abort();

    await expect(hung).rejects.toThrow();
    expect((await client.post('/auth/refresh')).status).toBe(200);
  });

  it('holdRefresh(): a logout made while the refresh is held applies when it is released', async () => {
    const client = await signedIn();
    const cookie = await client.cookieFor('/auth/refresh');
    auth.controls.holdRefresh();
    const held = client.post('/auth/refresh');
    await refreshArrived(1);

    expect((await sendWithCookie('/auth/logout', cookie)).status).toBe(204);
    auth.controls.releaseRefresh();
    const response = await held;

    expect(response.status).toBe(401);
    expect(outcomes()).toEqual(['revoked']);
  });

  it('issueTokens(): { user } and the session cookie, as a Cookie header and as a Set-Cookie', async () => {
    const issued = await auth.controls.issueTokens('bob');
    const client = createCookieClient();
    await client.jar.setCookie(issued.setCookie, 'https://api.example.test/auth/login');

    expectTypeOf(issued).toEqualTypeOf<SessionResponse & IssuedCookie>();
    expect(Object.keys(issued).sort()).toEqual(['cookie', 'setCookie', 'user']);
    expect(issued.user).toEqual({ sub: 'bob', roles: ['user', 'admin'] });
    expect(issued.setCookie).toMatch(STORED);
    expect(issued.setCookie.startsWith(`${issued.cookie};`)).toBe(true);
    expect((await client.get('/admin')).status).toBe(200);
    expect((await sendWithCookie('/admin', issued.cookie, 'GET')).status).toBe(200);
    expect(auth.stats.logins).toBe(0);
    await expect(auth.controls.issueTokens('mallory')).rejects.toThrow(/Unknown user "mallory"/);
  });

  it('reset(): a session of the old server is unknown to the new one', async () => {
    const client = await signedIn();
    auth.controls.reset();

    expect((await client.get('/items')).status).toBe(401);
    expect((await client.post('/auth/refresh')).status).toBe(401);
    expect(outcomes()).toEqual(['unknown']);
  });
});

describe("cookies: 'session' — stats", () => {
  it('counts a session cookie as hadToken, records the kit’s session id, never the cookie value', async () => {
    const client = await signedIn();
    const first = await client.cookieFor('/items');
    await client.get('/items');
    await client.post('/auth/refresh');
    const second = await client.cookieFor('/items');
    await client.get('/items');
    await fetch('https://api.example.test/items');

    const records = auth.stats.requests;
    expect(records.map(({ status, hadToken }) => ({ status, hadToken }))).toEqual([
      { status: 200, hadToken: true },
      { status: 200, hadToken: true },
      { status: 401, hadToken: false },
    ]);
    expect(records[0]?.tokenId).toMatch(/^[0-9a-f]{12}$/);
    expect(records[1]?.tokenId).not.toBe(records[0]?.tokenId);
    expect(auth.stats.refreshCalls[0]?.tokenId).toBe(records[0]?.tokenId);
    const recorded = JSON.stringify(auth.stats);
    for (const cookie of [first, second]) {
      expect(cookie).toMatch(/^reauth_session=[0-9a-f]{64}$/);
      expect(recorded).not.toContain(cookie.slice('reauth_session='.length));
    }
  });
});
