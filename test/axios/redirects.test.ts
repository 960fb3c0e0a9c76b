import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios from 'axios';
import { describe, expect, it, onTestFinished } from 'vitest';

const TOKEN = 'opaque-access-token-review-7c1d';

/** One node:http server for every host name; /go redirects to `target`, anything else answers 200. */
async function listen(target: (port: number) => string) {
  const seen: { host: string | undefined; path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    seen.push({ host: request.headers.host, path, headers: request.headers });
    if (path === '/go') response.writeHead(302, { location: target(port) }).end();
    else response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => void server.close());
  const { port } = server.address() as AddressInfo;
  return { port, seen };
}

// Every name resolves to the test server: the origins differ by host name only, as in production.
const lookup = (_host: string, _options: unknown, callback: (e: null, a: string, f: number) => void) =>
  callback(null, '127.0.0.1', 4);

const carriesToken = (headers: IncomingHttpHeaders) => Object.values(headers).some((v) => v?.includes(TOKEN));

async function redirectedBy(target: (port: number) => string, header?: string) {
  const server = await listen(target);
  const api = axios.create({ baseURL: `http://api.review.test:${server.port}`, lookup } as never);
  const session = createSession({ crossTab: false, autoRefresh: false });
  session.signIn({ accessToken: TOKEN });
  attachAuth(api, session, header ? { header } : {});
  const response = await api.get('/go');
  expect(response.status).toBe(200);
  return server.seen.map(({ host, path, headers }) => [host?.split(':')[0], path, carriesToken(headers)]);
}

describe('axios in Node, a redirect to another origin', () => {
  it('drops Authorization on a redirect to an unrelated host', async () => {
    const seen = await redirectedBy((port) => `http://files.other.test:${port}/file`);

    expect(seen).toEqual([
      ['api.review.test', '/go', true],
      ['files.other.test', '/file', false],
    ]);
  });

  // follow-redirects alone keeps Authorization on a redirect to a subdomain; axios strips it by origin.
  it('drops Authorization on a redirect to a subdomain of the API host', async () => {
    const seen = await redirectedBy((port) => `http://uploads.api.review.test:${port}/file`);

    expect(seen).toEqual([
      ['api.review.test', '/go', true],
      ['uploads.api.review.test', '/file', false],
    ]);
  });

  it('drops a custom header on a redirect to a subdomain too (marked sensitiveHeaders)', async () => {
    const seen = await redirectedBy((port) => `http://uploads.api.review.test:${port}/file`, 'X-Api-Token');

    expect(seen).toEqual([
      ['api.review.test', '/go', true],
      ['uploads.api.review.test', '/file', false],
    ]);
  });
});
