import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeSigner } from '#test-support/model/dpop';

// Two real servers on 127.0.0.1 (two ports: two origins). The API's /hop redirects to the other one's /landing.
interface Origin {
  url: string;
  seen: { path: string; headers: IncomingHttpHeaders }[];
  server: Server;
}
const TOKEN = 'leak-probe-access-1';
let api: Origin;
let evil: Origin;

async function start(answer: (path: string) => { status: number; location?: string }): Promise<Origin> {
  const seen: Origin['seen'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    seen.push({ path, headers: req.headers });
    const { status, location } = answer(path);
    res.writeHead(status, location ? { location } : {});
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}
const stop = (origin: Origin) =>
  new Promise<void>((resolve) => {
    origin.server.closeAllConnections();
    origin.server.close(() => resolve());
  });

beforeEach(async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  evil = await start(() => ({ status: 200 }));
  api = await start((path) =>
    path === '/hop307'
      ? { status: 307, location: `${evil.url}/landing` }
      : path === '/hop'
        ? { status: 302, location: `${evil.url}/landing` }
        : { status: 200 },
  );
});
afterEach(async () => {
  vi.restoreAllMocks();
  await stop(api);
  await stop(evil);
});

/** Whether any header the other origin received carries the token or a DPoP proof. */
const leaked = () =>
  evil.seen.some(({ headers }) =>
    Object.entries(headers).some(
      ([name, value]) => String(value).includes(TOKEN) || name.toLowerCase() === 'dpop',
    ),
  );

describe('a redirect to another origin carries no token and no proof', () => {
  it('custom header, 302, a Request input whose redirect mode is set explicitly to "follow"', async () => {
    const session = createSession({ refresh: async () => ({ accessToken: TOKEN }) });
    session.signIn({ accessToken: TOKEN });
    const authFetch = createAuthFetch(session, { allowedOrigins: [api.url], header: 'X-Api-Token' });
    await authFetch(new Request(`${api.url}/hop`, { redirect: 'follow' })).catch(() => null);
    expect(leaked()).toBe(false);
  });
});

describe('the URL decided on is the URL sent to', () => {
  it('a URL object the caller changes after the call, while a DPoP proof is made, is sent where it was decided (or with no token)', async () => {
    const session = createSession({
      refresh: async () => ({ accessToken: TOKEN }),
      dpop: createFakeSigner(),
    });
    session.signIn({ accessToken: TOKEN });
    const authFetch = createAuthFetch(session, { allowedOrigins: [api.url] });
    const target = new URL(`${api.url}/items`);
    const sent = authFetch(target);
    target.port = new URL(evil.url).port; // the app reuses its URL object for the next call
    await sent.catch(() => null);
    expect(leaked()).toBe(false);
  });

  it('a URL object changed while the request waits for a refresh', async () => {
    let finishRefresh: (tokens: { accessToken: string }) => void = () => {};
    let asked: () => void = () => {};
    const refreshAsked = new Promise<void>((resolve) => (asked = resolve));
    const session = createSession({
      refresh: () =>
        new Promise((resolve) => {
          finishRefresh = resolve;
          asked();
        }),
    });
    session.signIn({ accessToken: 'old-token', refreshToken: 'refresh-1' });
    const refreshing = session.refresh().catch(() => null);
    const authFetch = createAuthFetch(session, { allowedOrigins: [api.url] });
    const target = new URL(`${api.url}/items`);
    const sent = authFetch(target);
    target.port = new URL(evil.url).port;
    await refreshAsked;
    finishRefresh({ accessToken: TOKEN });
    await refreshing;
    await sent.catch(() => null);
    // Sent where it was checked (as fetch itself reads a URL once, at the call): the token stays with the API.
    expect({ api: api.seen.length, evil: evil.seen.length }).toEqual({ api: 1, evil: 0 });
    expect(leaked()).toBe(false);
  });

  it('a URL object changed between the first send (401) and its replay', async () => {
    await stop(api);
    let target!: URL;
    api = await start((path) => {
      if (path === '/expire') {
        target.port = new URL(evil.url).port; // the app moves on while the 401 is on its way
        return { status: 401 };
      }
      return { status: 200 };
    });
    const session = createSession({ refresh: async () => ({ accessToken: TOKEN }) });
    session.signIn({ accessToken: 'old-token', refreshToken: 'refresh-1' });
    const authFetch = createAuthFetch(session, { allowedOrigins: [api.url] });
    target = new URL(`${api.url}/expire`);
    await authFetch(target).catch(() => null);
    // Sent where it was checked (as fetch itself reads a URL once, at the call): the token stays with the API.
    expect({ api: api.seen.length, evil: evil.seen.length }).toEqual({ api: 2, evil: 0 });
    expect(leaked()).toBe(false);
  });

  it('an object whose toString answers differently on the second read', async () => {
    const session = createSession({ refresh: async () => ({ accessToken: TOKEN }) });
    session.signIn({ accessToken: TOKEN });
    const authFetch = createAuthFetch(session, { allowedOrigins: [api.url] });
    let reads = 0;
    const target = { toString: () => (reads++ === 0 ? `${api.url}/items` : `${evil.url}/items`) };
    await authFetch(target as unknown as URL).catch(() => null);
    expect(leaked()).toBe(false);
  });

  it('a Request subclass whose url getter names the API while the Request itself goes elsewhere', async () => {
    const session = createSession({ refresh: async () => ({ accessToken: TOKEN }) });
    session.signIn({ accessToken: TOKEN });
    const authFetch = createAuthFetch(session, { allowedOrigins: [api.url] });
    const apiUrl = api.url;
    class Lying extends Request {
      override get url() {
        return `${apiUrl}/items`;
      }
    }
    await authFetch(new Lying(`${evil.url}/items`)).catch(() => null);
    expect(evil.seen).toHaveLength(1);
    expect(leaked()).toBe(false);
  });

  it('a URL object input (unchanged) to another origin gets no token; to the API it does', async () => {
    const session = createSession({ refresh: async () => ({ accessToken: TOKEN }) });
    session.signIn({ accessToken: TOKEN });
    const authFetch = createAuthFetch(session, { allowedOrigins: [api.url] });
    await authFetch(new URL(`${evil.url}/items`));
    await authFetch(new URL(`${api.url}/items`));
    expect(evil.seen).toHaveLength(1);
    expect(leaked()).toBe(false);
    expect(api.seen[0]?.headers.authorization).toBeDefined();
  });

  it('signed out: no Authorization header at all', async () => {
    const session = createSession({ refresh: async () => ({ accessToken: TOKEN }) });
    session.signIn({ accessToken: TOKEN });
    session.signOut();
    const authFetch = createAuthFetch(session, { allowedOrigins: [api.url] });
    await authFetch(`${api.url}/items`);
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]?.headers.authorization).toBeUndefined();
  });
});
