// Step-up (RFC 9470) against a real resource server on 127.0.0.1: it verifies each HS256 JWT and demands
// acr=mfa on /api/admin, answering 401 error="insufficient_user_authentication" with acr_values otherwise. The
// login gives acr=pwd; the step-up endpoint exchanges a one-time code for an acr=mfa token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachAuth } from '@reauth/axios';
import { createSession, type ReauthHandler, type Session } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const SECRET = 'step-up-test-secret';
const CODE = '123456';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (claims: Record<string, unknown>) => {
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
};
/** The claims of a token this server signed and that has not expired, else null. */
function verify(token: string): Record<string, unknown> | null {
  const [header, payload, signature = ''] = token.split('.');
  const expected = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
  return claims.exp * 1000 > Date.now() ? claims : null;
}
const tokens = (acr: string) => ({
  accessToken: sign({ sub: 'alice', acr, exp: Math.floor(Date.now() / 1000) + 600 }),
  refreshToken: 'r1',
  expiresIn: 600,
});

interface Stats {
  refreshes: number;
  stepUps: number;
  requests: { path: string; status: number }[];
}

async function startServer() {
  const stats: Stats = { refreshes: 0, stepUps: 0, requests: [] };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const bodyOf = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text ? JSON.parse(text) : {};
  };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const claims = verify(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
    if (path === '/auth/login') return json(res, 200, tokens('pwd'));
    if (path === '/auth/refresh') {
      stats.refreshes += 1;
      return json(res, 200, tokens('pwd'));
    }
    if (path === '/auth/step-up') {
      stats.stepUps += 1;
      const { code } = await bodyOf(req);
      return claims && code === CODE
        ? json(res, 200, tokens('mfa'))
        : json(res, 400, { error: 'invalid_code' });
    }
    // Some latency, so that concurrent requests overlap.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
      stats.requests.push({ path, status });
      json(res, status, body, headers);
    };
    if (!claims)
      return answer(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    if (path === '/api/admin' && claims.acr !== 'mfa') {
      return answer(
        401,
        { error: 'insufficient_user_authentication' },
        {
          'www-authenticate':
            'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="mfa", max_age="300"',
        },
      );
    }
    return answer(200, { path, acr: claims.acr });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url, stats, close };
}

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  server.stats.refreshes = server.stats.stepUps = 0;
  server.stats.requests = [];
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

/** A signed-in session whose prompt answers a step-up with the one-time code (or dismisses it). */
function signedIn(answer: 'code' | 'dismiss') {
  const session = createSession({
    refresh: async ({ refreshToken }) =>
      (
        await fetch(`${server.url}/auth/refresh`, { method: 'POST', body: JSON.stringify({ refreshToken }) })
      ).json(),
  });
  const asked: Parameters<ReauthHandler>[0][] = [];
  session.onReauth(async (context) => {
    asked.push(context);
    if (context.reason !== 'step_up' || answer === 'dismiss') return null;
    const response = await fetch(`${server.url}/auth/step-up`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await session.getAccessToken()}` },
      body: JSON.stringify({ code: CODE, acr: context.acrValues[0] }),
    });
    return response.json();
  });
  session.signIn(tokens('pwd'));
  return { session, asked };
}

const adapters = {
  fetch: (session: Session) => {
    const authFetch = createAuthFetch(session, { allowedOrigins: [server.url] });
    return (path: string) =>
      authFetch(`${server.url}${path}`).then(
        (response) => response.status,
        (error: { code?: string }) => error.code ?? 'error',
      );
  },
  axios: (session: Session) => {
    const api = axios.create({ baseURL: server.url });
    attachAuth(api, session);
    return (path: string) =>
      api.get(path).then(
        (response) => response.status,
        (error: { code?: string; response?: { status: number } }) =>
          error.response?.status ?? error.code ?? 'error',
      );
  },
};

describe.each(Object.keys(adapters) as (keyof typeof adapters)[])('step-up through %s', (name) => {
  it('concurrent requests that need acr=mfa share one step-up, spend no refresh, and succeed; others go on', async () => {
    const { session, asked } = signedIn('code');
    const get = adapters[name](session);
    const results = await Promise.all([
      get('/api/admin'),
      get('/api/admin'),
      get('/api/items'),
      get('/api/admin'),
    ]);
    expect(results).toEqual([200, 200, 200, 200]);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ reason: 'step_up', acrValues: ['mfa'], maxAge: 300 });
    expect(server.stats.stepUps).toBe(1);
    expect(server.stats.refreshes).toBe(0);
    // Each admin request: refused once, then let through with the stronger token; no request sent three times.
    const admin = server.stats.requests.filter((request) => request.path === '/api/admin');
    expect(admin.map((request) => request.status).sort()).toEqual([200, 200, 200, 401, 401, 401]);
    expect(server.stats.requests.filter((request) => request.path === '/api/items')).toEqual([
      { path: '/api/items', status: 200 },
    ]);
    expect(session.getState().status).toBe('signedIn');
  });

  it('a dismissed step-up rejects only those requests, with STEP_UP_CANCELLED; the session goes on', async () => {
    const { session } = signedIn('dismiss');
    const get = adapters[name](session);
    const results = await Promise.all([get('/api/admin'), get('/api/items')]);
    expect(results).toEqual(['STEP_UP_CANCELLED', 200]);
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: null });
    expect(await get('/api/items')).toBe(200);
    expect(server.stats.refreshes).toBe(0);
  });
});
