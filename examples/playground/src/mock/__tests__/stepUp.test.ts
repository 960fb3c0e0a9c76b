// @vitest-environment node
// Node's fetch classes: a `Cookie` request header is allowed there (a browser's is bridged, see cookieBridge.ts).
import { getResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionModel } from '../../model';
import { createPlaygroundApi } from '../api';
import { apiBase, STEP_UP } from '../demo';

const origin = 'http://127.0.0.1:5173';
const base = apiBase(origin);

function serverOf(model: SessionModel) {
  const api = createPlaygroundApi(origin, model);
  let cookie: string | null = null;
  async function send(
    path: string,
    init: { method?: string; body?: unknown; token?: string | undefined } = {},
  ) {
    const headers = new Headers({ 'content-type': 'application/json' });
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (cookie) headers.set('cookie', cookie);
    const request = new Request(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const response = await getResponse(api.handlers, request);
    if (!response) throw new Error(`no route for ${path}`);
    const setCookie = response.headers.getSetCookie()[0];
    if (setCookie) cookie = setCookie.split(';')[0] ?? null;
    return response;
  }
  return { api, send };
}

type Sign = Record<string, unknown> & { accessToken?: string };

async function signedIn(model: SessionModel, username = 'bob', password = 'builder') {
  const server = serverOf(model);
  const login = await server.send('/auth/login', { method: 'POST', body: { username, password } });
  expect(login.status).toBe(200);
  const { accessToken } = (await login.json()) as Sign;
  return { ...server, token: accessToken };
}

const claimsOf = (token: string) => JSON.parse(atob(token.split('.')[1] ?? '')) as Record<string, unknown>;
type Send = ReturnType<typeof serverOf>['send'];
const exportAction = (send: Send, token?: string) =>
  send(STEP_UP.actionPath, { method: 'POST', ...(token ? { token } : {}) });

describe('the admin action that needs an MFA sign-in (step-up)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  for (const model of ['tokens', 'refresh'] as const) {
    it(`${model}: refuses a password sign-in's token with the RFC 9470 challenge; the code gives a kit token the action and the other routes accept`, async () => {
      const { api, send, token } = await signedIn(model);
      const refused = await exportAction(send, token);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe(
        'Bearer realm="reauth-playground", error="insufficient_user_authentication", error_description="This request requires a sign-in with mfa within the last 300 seconds", acr_values="mfa", max_age=300',
      );

      const wrong = await send(STEP_UP.stepUpPath, { method: 'POST', body: { code: '000000' }, token });
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
      expect((await exportAction(send, token)).status).toBe(401);

      const stepped = await send(STEP_UP.stepUpPath, { method: 'POST', body: { code: STEP_UP.code }, token });
      expect(stepped.status).toBe(200);
      const body = (await stepped.json()) as Sign;
      // What complete() takes: what a login answers in the model — a new pair of the login's family (tokens), or
      // the access token and a rotated refresh cookie (refresh).
      if (model === 'tokens') {
        expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
        expect(stepped.headers.getSetCookie()).toEqual([]);
      } else {
        expect(Object.keys(body).sort()).toEqual(['accessToken', 'expiresIn', 'tokenType']);
        expect(stepped.headers.getSetCookie()).toHaveLength(1);
      }
      expect(claimsOf(body.accessToken as string)).toMatchObject({ acr: 'mfa' });
      const strong = body.accessToken as string;
      expect(claimsOf(strong)).toMatchObject({ sub: 'bob', roles: ['user', 'admin'] });
      expect(claimsOf(strong).jti).not.toBe(claimsOf(token as string).jti);

      const allowed = await exportAction(send, strong);
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ exported: 2, acr: 'mfa' });
      // A real token of the kit: its protect() lets it through the other routes too.
      expect((await send('/profile', { token: strong })).status).toBe(200);
      // The password sign-in's token is still refused: the MFA belongs to the token the code gave.
      expect((await exportAction(send, token)).status).toBe(401);
      // Not a login, not a refresh.
      expect(api.stats).toMatchObject({ logins: 1, refreshes: 0 });

      // A server reset forgets the MFA sign-ins with every token.
      api.controls.reset();
      expect((await exportAction(send, strong)).status).toBe(401);
    });
  }

  it('session: the code opens a new session of the MFA sign-in, whose cookie opens the action', async () => {
    const { api, send } = await signedIn('session');
    const refused = await exportAction(send);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(
      /^Cookie realm="reauth-playground", .*error="insufficient_user_authentication", .*acr_values="mfa", max_age=300$/,
    );
    const stepped = await send(STEP_UP.stepUpPath, { method: 'POST', body: { code: STEP_UP.code } });
    expect(stepped.status).toBe(200);
    expect(await stepped.json()).toEqual({ user: { sub: 'bob', roles: ['user', 'admin'] } });
    expect(stepped.headers.getSetCookie()).toHaveLength(1);
    expect((await exportAction(send)).status).toBe(200);
    expect(api.stats).toMatchObject({ logins: 1, refreshes: 0 });
  });

  it('an MFA sign-in older than max_age no longer opens it', async () => {
    // The kit's clock is Date.now, read at each use: a fake Date moves it.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000_000_000);
    const { send, token } = await signedIn('tokens');
    const stepped = (await (
      await send(STEP_UP.stepUpPath, { method: 'POST', body: { code: STEP_UP.code }, token })
    ).json()) as Sign & { refreshToken?: string };
    // The access token lives as long as max_age: a refresh (which keeps the sign-in) gives one that outlives it.
    vi.setSystemTime(1_000_000_000 + (STEP_UP.maxAge * 1000) / 2);
    const refreshed = await send('/auth/refresh', {
      method: 'POST',
      body: { refreshToken: stepped.refreshToken },
    });
    const strong = ((await refreshed.json()) as Sign).accessToken as string;
    vi.setSystemTime(1_000_000_000 + STEP_UP.maxAge * 1000);
    expect((await exportAction(send, strong)).status).toBe(200);
    vi.setSystemTime(1_000_000_000 + STEP_UP.maxAge * 1000 + 1);
    expect((await exportAction(send, strong)).status).toBe(401);
  });

  it('is for admins only: a user without the role gets 403 before any step-up', async () => {
    const { send, token } = await signedIn('tokens', 'alice', 'wonderland');
    expect((await exportAction(send, token)).status).toBe(403);
  });

  it('needs a signed-in user to take a code', async () => {
    const { send } = serverOf('tokens');
    expect((await send(STEP_UP.stepUpPath, { method: 'POST', body: { code: STEP_UP.code } })).status).toBe(
      401,
    );
  });
});
