import { createSession, type ReauthContext } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import {
  type CookieModel,
  createMockAuthServer,
  type MockAuthServerOptions,
  type MockUser,
} from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCookieClient } from './cookieSupport';
import { BASE_URL, claimsOf, getWith, postJson, refresh } from './support';

const USERS: MockUser[] = [
  { username: 'alice', password: 'wonderland', roles: ['user'] },
  { username: 'bob', password: 'builder', roles: ['user', 'admin'], otp: '123456' },
];
const STEP_UP_URL = `${BASE_URL}/auth/step-up`;
const EXPORT_URL = `${BASE_URL}/admin/export`;
const MFA_CHALLENGE =
  'Bearer realm="reauth-msw", error="insufficient_user_authentication", error_description="This request requires a sign-in with mfa within the last 300 seconds", acr_values="mfa", max_age=300';

/** The kit with an admin action that needs an MFA sign-in within 5 minutes, in the model asked for. */
function useStepUpAuth<Model extends CookieModel | undefined = undefined>(cookies?: Model) {
  const options = { baseUrl: BASE_URL, users: USERS, ...(cookies && { cookies }) };
  const auth = createMockAuthServer<Model>(options as MockAuthServerOptions<Model>);
  const server = setupServer(
    ...auth.handlers,
    auth.protect(
      http.post(EXPORT_URL, () => HttpResponse.json({ exported: 2 })),
      { roles: ['admin'], acr: 'mfa', maxAge: 300 },
    ),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    auth.controls.reset();
    vi.restoreAllMocks();
  });
  afterAll(() => server.close());
  return { auth, server };
}

const post = (url: string, accessToken: string, body?: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

async function loginAs(username: string, password: string) {
  const response = await postJson(`${BASE_URL}/auth/login`, { username, password });
  expect(response.status).toBe(200);
  return (await response.json()) as { accessToken: string; refreshToken: string };
}

describe('step-up with tokens in the bodies', () => {
  const { auth } = useStepUpAuth();

  it("signs acr 'pwd' and auth_time (seconds, the kit's clock) into a password login's access token", async () => {
    auth.controls.advanceClock(42_000);
    const before = Date.now() + 42_000;
    const { accessToken } = await loginAs('bob', 'builder');

    const claims = claimsOf(accessToken);
    expect(claims.acr).toBe('pwd');
    expect((claims.auth_time as number) * 1000).toBeGreaterThanOrEqual(before - 1);
    expect(claims.auth_time as number).toBeLessThanOrEqual(claims.iat as number);
  });

  it('answers a password sign-in at an acr: mfa route with the RFC 9470 challenge core parses', async () => {
    const { accessToken } = await loginAs('bob', 'builder');

    const response = await post(EXPORT_URL, accessToken);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(MFA_CHALLENGE);
    expect(await response.json()).toEqual({
      error: 'insufficient_user_authentication',
      error_description: 'This request requires a sign-in with mfa within the last 300 seconds',
    });
  });

  it('steps up with the right code: a new pair of the same family, acr mfa, auth_time now; the route lets it through', async () => {
    const first = await loginAs('bob', 'builder');
    auth.controls.advanceClock(10_000);

    const response = await post(STEP_UP_URL, first.accessToken, { code: '123456' });

    expect(response.status).toBe(200);
    const stepped = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(stepped).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    const claims = claimsOf(stepped.accessToken as string);
    expect(claims).toMatchObject({ sub: 'bob', roles: ['user', 'admin'], acr: 'mfa' });
    // Now, by the kit's clock: at least the 10 s it moved since the login.
    const loginTime = claimsOf(first.accessToken).auth_time as number;
    expect(claims.auth_time as number).toBeGreaterThanOrEqual(loginTime + 10);
    expect(claims.auth_time as number).toBeLessThanOrEqual(claims.iat as number);
    expect((await post(EXPORT_URL, stepped.accessToken as string)).status).toBe(200);
    expect(auth.stats.stepUps).toBe(1);
    // The same family: reusing the rotated step-up refresh token revokes the login's refresh token too.
    expect((await refresh(stepped.refreshToken as string)).status).toBe(200);
    expect((await refresh(stepped.refreshToken as string)).status).toBe(400);
    expect((await refresh(first.refreshToken)).status).toBe(400);
    expect(JSON.stringify(auth.stats)).not.toContain(stepped.accessToken as string);
  });

  it('refuses a wrong code with 400 invalid_grant (not a 401), and counts no step-up', async () => {
    const { accessToken } = await loginAs('bob', 'builder');

    const wrong = await post(STEP_UP_URL, accessToken, { code: '000000' });
    const malformed = await post(STEP_UP_URL, accessToken, { otp: '123456' });

    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'The one-time code is wrong',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'invalid_request' });
    expect(auth.stats.stepUps).toBe(0);
  });

  it('refuses a user without an otp (400), and a step-up without a valid credential (401)', async () => {
    const { accessToken } = await loginAs('alice', 'wonderland');

    const noOtp = await post(STEP_UP_URL, accessToken, { code: '123456' });
    const noToken = await postJson(STEP_UP_URL, { code: '123456' });

    expect(noOtp.status).toBe(400);
    expect(await noOtp.json()).toMatchObject({ error: 'invalid_grant' });
    expect(noToken.status).toBe(401);
    expect(auth.stats.stepUps).toBe(0);
  });

  it('keeps acr and auth_time through a refresh, and refuses once auth_time is older than maxAge', async () => {
    const first = await loginAs('bob', 'builder');
    const stepped = (await (await post(STEP_UP_URL, first.accessToken, { code: '123456' })).json()) as {
      accessToken: string;
      refreshToken: string;
    };
    auth.controls.advanceClock(299_000);

    const renewed = (await (await refresh(stepped.refreshToken)).json()) as { accessToken: string };

    expect(claimsOf(renewed.accessToken).acr).toBe('mfa');
    expect(claimsOf(renewed.accessToken).auth_time).toBe(claimsOf(stepped.accessToken).auth_time);
    expect((await post(EXPORT_URL, renewed.accessToken)).status).toBe(200);
    // A refresh is no new sign-in: past max_age, the renewed token asks for a step-up again.
    auth.controls.advanceClock(1_001);
    const stale = await post(EXPORT_URL, renewed.accessToken);
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toBe(MFA_CHALLENGE);
  });

  it('checks roles before the sign-in: a stepped-up user without the role gets 403', async () => {
    const { accessToken } = await auth.controls.issueTokens('alice', { acr: 'mfa' });

    expect((await post(EXPORT_URL, accessToken)).status).toBe(403);
  });
});

describe('issueTokens(username, { acr, authTime })', () => {
  const { auth, server } = useStepUpAuth();

  it('starts a test stepped up, or signed in long ago', async () => {
    const strong = await auth.controls.issueTokens('bob', { acr: 'mfa' });
    const authTime = Date.now() / 1000 - 600;
    const old = await auth.controls.issueTokens('bob', { acr: 'mfa', authTime });

    expect(claimsOf(strong.accessToken).acr).toBe('mfa');
    expect((await post(EXPORT_URL, strong.accessToken)).status).toBe(200);
    expect(claimsOf(old.accessToken).auth_time).toBe(authTime);
    const stale = await post(EXPORT_URL, old.accessToken);
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toContain('max_age=300');
    // The refresh keeps what issueTokens set.
    const renewed = (await (await refresh(old.refreshToken)).json()) as { accessToken: string };
    expect(claimsOf(renewed.accessToken)).toMatchObject({ acr: 'mfa', auth_time: authTime });
    expect(auth.stats.stepUps).toBe(0);
  });

  it('accepts any of several acr values, and asks for acr_values alone when no maxAge is given', async () => {
    server.use(
      auth.protect(
        http.get(`${BASE_URL}/either`, () => HttpResponse.json({ ok: true })),
        { acr: ['mfa', 'hwk'] },
      ),
    );
    const hwk = await auth.controls.issueTokens('alice', { acr: 'hwk' });
    const pwd = await auth.controls.issueTokens('alice');

    expect((await getWith(`${BASE_URL}/either`, hwk.accessToken)).status).toBe(200);
    const refused = await getWith(`${BASE_URL}/either`, pwd.accessToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer realm="reauth-msw", error="insufficient_user_authentication", error_description="This request requires a sign-in with mfa or hwk", acr_values="mfa hwk"',
    );
  });

  it('throws clear TypeErrors for malformed options', () => {
    const { issueTokens } = auth.controls;
    expect(() => issueTokens('bob', { acr: 'm f a' })).toThrow(/\[reauth\/msw\] issueTokens acr/);
    expect(() => issueTokens('bob', { authTime: Number.NaN })).toThrow(
      /\[reauth\/msw\] issueTokens authTime/,
    );
    const handler = http.get(`${BASE_URL}/x`, () => HttpResponse.json({}));
    expect(() => auth.protect(handler, { acr: [] })).toThrow(/\[reauth\/msw\] protect\(\) acr/);
    expect(() => auth.protect(handler, { acr: 'a"b' })).toThrow(TypeError);
    expect(() => auth.protect(handler, { maxAge: 1.5 })).toThrow(/\[reauth\/msw\] protect\(\) maxAge/);
    expect(() => auth.protect(handler, { maxAge: -1 })).toThrow(TypeError);
    expect(() =>
      createMockAuthServer({ baseUrl: BASE_URL, users: [{ username: 'x', password: 'y', otp: '' }] }),
    ).toThrow(/\[reauth\/msw\] users expects/);
  });

  it('resets the step-up count with clearStats and reset', async () => {
    const { accessToken } = await auth.controls.issueTokens('bob');
    await post(STEP_UP_URL, accessToken, { code: '123456' });
    expect(auth.stats.stepUps).toBe(1);

    auth.controls.clearStats();

    expect(auth.stats.stepUps).toBe(0);
  });
});

describe('the step-up route', () => {
  it('is served at paths.stepUp, and only when some user has an otp', async () => {
    const withOtp = createMockAuthServer({ baseUrl: BASE_URL, users: USERS, paths: { stepUp: '/mfa' } });
    const without = createMockAuthServer({ baseUrl: BASE_URL });

    expect(withOtp.handlers.map((handler) => handler.info.path)).toContain(`${BASE_URL}/mfa`);
    expect(without.handlers.map((handler) => handler.info.path)).not.toContain(STEP_UP_URL);
  });
});

describe('step-up end to end with @reauth/core and @reauth/fetch', () => {
  const { auth } = useStepUpAuth();

  async function signedInBob() {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = createSession({
      refresh: async ({ refreshToken, signal }) => {
        const response = await authFetch(`${BASE_URL}/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken }),
          signal,
          skipAuth: true,
        });
        if (!response.ok) throw response;
        return response.json();
      },
      crossTab: false,
      autoRefresh: false,
    });
    const authFetch = createAuthFetch(session, { allowedOrigins: [BASE_URL] });
    session.signIn(await loginAs('bob', 'builder'));
    return { session, authFetch };
  }

  it('opens the step-up prompt with acrValues and maxAge; the code posted to the step-up route replays the request', async () => {
    const { session, authFetch } = await signedInBob();
    const asked: ReauthContext[] = [];
    session.onReauth(async (context) => {
      asked.push(context);
      // What an app's MFA modal does: post the code with the current token, hand the answer back.
      const response = await authFetch(STEP_UP_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: '123456' }),
      });
      if (!response.ok) throw new Error(`step-up answered ${response.status}`);
      return response.json();
    });

    const response = await authFetch(EXPORT_URL, { method: 'POST' });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ exported: 2 });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ reason: 'step_up', acrValues: ['mfa'], maxAge: 300 });
    expect(auth.stats.stepUps).toBe(1);
    expect(auth.stats.refreshes).toBe(0);
    expect(auth.stats.requests.map(({ url, status }) => [new URL(url).pathname, status])).toEqual([
      ['/admin/export', 401],
      ['/auth/step-up', 200],
      ['/admin/export', 200],
    ]);
    expect(session.getState().status).toBe('signedIn');

    // Past max_age the same token is refused again, and the prompt opens a second time.
    auth.controls.advanceClock(301_000);
    auth.controls.expireAccessTokens();
    const later = await authFetch(EXPORT_URL, { method: 'POST' });
    expect(later.status).toBe(200);
    expect(asked).toHaveLength(2);
    expect(auth.stats.stepUps).toBe(2);
  });

  it('rejects with STEP_UP_CANCELLED when the code is wrong and the prompt gives up; the session stays', async () => {
    const { session, authFetch } = await signedInBob();
    let answered = 0;
    session.onReauth(async () => {
      const response = await authFetch(STEP_UP_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: '999999' }),
      });
      answered = response.status;
      return null;
    });

    await expect(authFetch(EXPORT_URL, { method: 'POST' })).rejects.toMatchObject({
      code: 'STEP_UP_CANCELLED',
    });
    expect(answered).toBe(400);
    expect(auth.stats.stepUps).toBe(0);
    expect(session.getState().status).toBe('signedIn');
  });
});

describe("step-up with cookies: 'refresh'", () => {
  useStepUpAuth('refresh');

  it('answers like the login: the access token in the body, a new refresh cookie of the family (acr kept by refresh)', async () => {
    const client = createCookieClient();
    const { accessToken } = (await (await client.login('bob', 'builder')).json()) as { accessToken: string };
    const before = await client.cookieFor('/auth/refresh');

    const response = await post(STEP_UP_URL, accessToken, { code: '123456' });
    for (const header of response.headers.getSetCookie()) await client.jar.setCookie(header, STEP_UP_URL);

    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType']);
    expect(claimsOf(body.accessToken as string).acr).toBe('mfa');
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(await client.cookieFor('/auth/refresh')).not.toBe(before);
    const renewed = (await (await client.post('/auth/refresh')).json()) as { accessToken: string };
    expect(claimsOf(renewed.accessToken).acr).toBe('mfa');
    expect((await post(EXPORT_URL, renewed.accessToken)).status).toBe(200);
  });
});

describe("step-up with cookies: 'session'", () => {
  const { auth } = useStepUpAuth('session');

  it('refuses a password session with the Cookie challenge, and a stepped-up session (new id) gets through until max_age', async () => {
    const client = createCookieClient();
    expect((await client.login('bob', 'builder')).status).toBe(200);
    const before = await client.cookieFor('/');

    const refused = await client.post('/admin/export');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      `Cookie realm="reauth-msw", form-action="${BASE_URL}/auth/login", cookie-name="reauth_session", error="insufficient_user_authentication", error_description="This request requires a sign-in with mfa within the last 300 seconds", acr_values="mfa", max_age=300`,
    );
    expect((await client.post('/auth/step-up', { code: '000000' })).status).toBe(400);

    const stepped = await client.post('/auth/step-up', { code: '123456' });

    expect(stepped.status).toBe(200);
    expect(await stepped.json()).toEqual({ user: { sub: 'bob', roles: ['user', 'admin'] } });
    expect(await client.cookieFor('/')).not.toBe(before);
    expect((await client.post('/admin/export')).status).toBe(200);
    // The old id stops working (a new id on a privilege change), refused as revoked, not as reuse.
    const old = await fetch(`${BASE_URL}/auth/refresh`, { method: 'POST', headers: { cookie: before } });
    expect(old.status).toBe(401);
    expect(auth.stats.reuseDetected).toBe(0);
    // A refresh (a sliding session) keeps the sign-in; max_age still counts from the step-up.
    auth.controls.advanceClock(200_000);
    expect((await client.post('/auth/refresh')).status).toBe(200);
    expect((await client.post('/admin/export')).status).toBe(200);
    auth.controls.advanceClock(100_001);
    expect((await client.post('/auth/refresh')).status).toBe(200);
    expect((await client.post('/admin/export')).status).toBe(401);
    expect(auth.stats.stepUps).toBe(1);
  });
});
