import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { describe, expect, it, onTestFinished } from 'vitest';

const TOKEN = 'opaque-access-token-3f9a';

/** A node:http server answering with `reply`; every request's headers are recorded. */
async function listen(reply: (path: string) => { status: number; location?: string }) {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    seen.push({ path, headers: request.headers });
    const { status, location } = reply(path);
    response.writeHead(status, location ? { location } : {}).end(status === 200 ? 'ok' : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => void server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** An allowed API whose /go redirects to a foreign server (a file store, say), by Node's own fetch. */
async function redirecting(options: { header?: string } = {}) {
  const foreign = await listen(() => ({ status: 200 }));
  const api = await listen((path) => {
    if (path === '/go') return { status: 302, location: `${foreign.url}/file` };
    return path === '/here' ? { status: 302, location: '/there' } : { status: 200 };
  });
  const session = createSession({ crossTab: false, autoRefresh: false });
  session.signIn({ accessToken: TOKEN });
  const authFetch = createAuthFetch(session, { allowedOrigins: [api.url], ...options });
  return { api, foreign, authFetch };
}

const carriesToken = (headers: IncomingHttpHeaders) => Object.values(headers).some((v) => v?.includes(TOKEN));

describe('a redirect to another origin never carries the token', () => {
  it('with Authorization: the redirect is followed and fetch drops the header', async () => {
    const { api, foreign, authFetch } = await redirecting();

    const response = await authFetch(`${api.url}/go`);

    expect(response.status).toBe(200);
    expect(api.seen.map((s) => carriesToken(s.headers))).toEqual([true]);
    expect(foreign.seen.map((s) => [s.path, carriesToken(s.headers)])).toEqual([['/file', false]]);
  });

  it.each([
    ['a URL', (url: string): RequestInfo => url],
    ['a Request', (url: string): RequestInfo => new Request(url, { method: 'POST', body: 'x' })],
  ])(
    'with a custom header (%s): the send refuses the redirect, which fetch would follow with it',
    async (_, input) => {
      const { api, foreign, authFetch } = await redirecting({ header: 'X-Api-Token' });

      const outcome = await authFetch(input(`${api.url}/go`)).catch((error: unknown) => error);

      expect(outcome).toBeInstanceOf(TypeError);
      expect(api.seen.map((s) => s.headers['x-api-token'])).toEqual([`Bearer ${TOKEN}`]);
      expect(foreign.seen).toEqual([]);
    },
  );

  it('with a custom header, a redirect the caller allows (redirect: follow) is followed', async () => {
    const { api, authFetch } = await redirecting({ header: 'X-Api-Token' });

    const response = await authFetch(`${api.url}/here`, { redirect: 'follow' });

    expect(response.status).toBe(200);
    expect(api.seen.map((s) => [s.path, s.headers['x-api-token']])).toEqual([
      ['/here', `Bearer ${TOKEN}`],
      ['/there', `Bearer ${TOKEN}`],
    ]);
  });
});
