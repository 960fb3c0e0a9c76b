import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeSigner } from '#test-support/model/dpop';

// Real servers on 127.0.0.1. `api` answers /hop with a redirect to `evil` (another port: another origin).
interface Origin {
  url: string;
  port: string;
  seen: { host: string; path: string; headers: IncomingHttpHeaders }[];
  server: Server;
}
const TOKEN = 'leak-probe-access-1';
let api: Origin;
let evil: Origin;

async function start(
  answer: (path: string, host: string) => { status: number; location?: string },
): Promise<Origin> {
  const seen: Origin['seen'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const host = req.headers.host ?? '';
    seen.push({ host, path, headers: req.headers });
    const { status, location } = answer(path, host);
    res.writeHead(status, location ? { location } : {});
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = String((server.address() as AddressInfo).port);
  return { url: `http://127.0.0.1:${port}`, port, seen, server };
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
    path === '/hop' ? { status: 302, location: `${evil.url}/landing` } : { status: 200 },
  );
});
afterEach(async () => {
  vi.restoreAllMocks();
  await stop(api);
  await stop(evil);
});

const carries = (headers: IncomingHttpHeaders) =>
  Object.entries(headers).some(([name, value]) => String(value).includes(TOKEN) || name === 'dpop');
const leaked = () => evil.seen.some(({ headers }) => carries(headers));

function signedIn(options: { dpop?: boolean } = {}) {
  const session = createSession({
    refresh: async () => ({ accessToken: TOKEN }),
    ...(options.dpop ? { dpop: createFakeSigner() } : {}),
  });
  session.signIn({ accessToken: TOKEN, refreshToken: 'refresh-1' });
  return session;
}

describe('axios (Node http adapter, follow-redirects): a redirect to another origin carries no token', () => {
  it("custom header, 302 to another port, with axios's own fetch adapter in Node (adapter: 'fetch')", async () => {
    const instance = axios.create({ baseURL: api.url, adapter: 'fetch' });
    attachAuth(instance, signedIn(), { header: 'X-Api-Token', scheme: '' });
    const failure = await instance.get('/hop').then(
      () => null,
      (error: unknown) => error,
    );
    expect(api.seen[0]?.headers['x-api-token']).toBeDefined();
    // The redirect is refused, as @reauth/fetch refuses it: fetch would carry the custom header along.
    expect(failure).toBeInstanceOf(Error);
    expect(evil.seen).toHaveLength(0);
    expect(leaked()).toBe(false);
  });

  it("custom header with axios's fetch adapter: a redirect mode the caller chose is kept", async () => {
    const instance = axios.create({ baseURL: api.url, adapter: 'fetch' });
    attachAuth(instance, signedIn(), { header: 'X-Api-Token', scheme: '' });
    await instance.get('/hop', { fetchOptions: { redirect: 'manual' } }).catch(() => null);
    expect(api.seen).toHaveLength(1);
    expect(evil.seen).toHaveLength(0);
    const config = { fetchOptions: { redirect: 'follow' as const } };
    await instance.get('/hop', config).catch(() => null);
    expect(evil.seen).toHaveLength(1); // followed, as asked (docs: then the API must not redirect across origins)
    expect(config.fetchOptions).toEqual({ redirect: 'follow' }); // the caller's objects are not written
  });

  it("default Authorization header, 302 to another port, with axios's fetch adapter", async () => {
    const instance = axios.create({ baseURL: api.url, adapter: 'fetch' });
    attachAuth(instance, signedIn());
    await instance.get('/hop').catch(() => null);
    expect(evil.seen).toHaveLength(1);
    expect(leaked()).toBe(false);
  });

  it('DPoP session: the proof header does not follow a 302 to another origin', async () => {
    const instance = axios.create({ baseURL: api.url });
    attachAuth(instance, signedIn({ dpop: true }));
    await instance.get('/hop').catch(() => null);
    expect(api.seen[0]?.headers.dpop).toBeDefined();
    expect(evil.seen).toHaveLength(1);
    expect(leaked()).toBe(false);
  });
});

describe('the URL decided on is the URL sent to', () => {
  it('a URL object the caller changes right after the call, while the DPoP proof is made', async () => {
    const instance = axios.create();
    attachAuth(instance, signedIn({ dpop: true }), { allowedOrigins: [api.url] });
    const target = new URL(`${api.url}/items`);
    const sent = instance.get(target as unknown as string);
    target.port = evil.port;
    await sent.catch(() => null);
    expect(evil.seen).toHaveLength(1);
    expect(leaked()).toBe(false);
  });

  it('a URL object the caller changes while the DPoP proof is being made (a signer that takes its time)', async () => {
    const signer = createFakeSigner();
    const sign = signer.sign.bind(signer);
    let signing: () => void = () => {};
    const signStarted = new Promise<void>((resolve) => (signing = resolve));
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    signer.sign = async (send) => {
      signing();
      await gate;
      return sign(send);
    };
    const session = createSession({ refresh: async () => ({ accessToken: TOKEN }), dpop: signer });
    session.signIn({ accessToken: TOKEN, refreshToken: 'refresh-1' });
    const instance = axios.create();
    attachAuth(instance, session, { allowedOrigins: [api.url] });
    const target = new URL(`${api.url}/items`);
    const sent = instance.get(target as unknown as string);
    await signStarted;
    target.port = evil.port;
    release();
    await sent.catch(() => null);
    // Sent where it was checked (as fetch itself reads a URL once, at the call): the token stays with the API.
    expect({ api: api.seen.length, evil: evil.seen.length }).toEqual({ api: 1, evil: 0 });
    expect(leaked()).toBe(false);
  });

  it('a URL object the caller changes while the request waits for a refresh', async () => {
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
    const instance = axios.create();
    attachAuth(instance, session, { allowedOrigins: [api.url] });
    const target = new URL(`${api.url}/items`);
    const sent = instance.get(target as unknown as string);
    await refreshAsked;
    await Promise.resolve();
    target.port = evil.port; // after the check, before the send
    finishRefresh({ accessToken: TOKEN });
    await refreshing;
    await sent.catch(() => null);
    // Sent where it was checked (as fetch itself reads a URL once, at the call): the token stays with the API.
    expect({ api: api.seen.length, evil: evil.seen.length }).toEqual({ api: 1, evil: 0 });
    expect(leaked()).toBe(false);
  });

  it('a request interceptor registered AFTER attachAuth (so it runs before it) that moves the request to another origin', async () => {
    const instance = axios.create({ baseURL: api.url });
    attachAuth(instance, signedIn());
    instance.interceptors.request.use((config) => ({ ...config, baseURL: evil.url }));
    await instance.get('/items').catch(() => null);
    expect(evil.seen).toHaveLength(1);
    expect(leaked()).toBe(false);
  });

  it('an asynchronous request interceptor registered AFTER attachAuth that moves the request', async () => {
    const instance = axios.create({ baseURL: api.url });
    attachAuth(instance, signedIn());
    instance.interceptors.request.use(async (config) => {
      config.url = `${evil.url}/items`;
      return config;
    });
    await instance.get('/items').catch(() => null);
    expect(evil.seen).toHaveLength(1);
    expect(leaked()).toBe(false);
  });

  it('a replay after a refresh is checked again: a config moved by an earlier response interceptor on the 401', async () => {
    await stop(api);
    api = await start((path) => (path === '/expire' ? { status: 401 } : { status: 200 }));
    const instance = axios.create({ baseURL: api.url });
    // Registered before attachAuth: it sees the 401 first and "fails over" the config's baseURL.
    instance.interceptors.response.use(undefined, (error) => {
      if (error.config) error.config.baseURL = evil.url;
      return Promise.reject(error);
    });
    const session = createSession({ refresh: async () => ({ accessToken: TOKEN }) });
    session.signIn({ accessToken: 'old-token', refreshToken: 'refresh-1' });
    attachAuth(instance, session);
    await instance.get('/expire').catch(() => null);
    expect(evil.seen).toHaveLength(1); // replayed there…
    expect(leaked()).toBe(false); // …with no token
  });

  it('allowAbsoluteUrls: false joins an absolute url to baseURL: the token goes to the API, never to the absolute url', async () => {
    const instance = axios.create({ baseURL: api.url, allowAbsoluteUrls: false });
    attachAuth(instance, signedIn());
    await instance.get(`${evil.url}/items`).catch(() => null);
    expect(leaked()).toBe(false);
  });

  it('params cannot move the request to another origin', async () => {
    const instance = axios.create({ baseURL: api.url });
    attachAuth(instance, signedIn());
    await instance.get('', { params: { '@127.0.0.1:1': 'x' } }).catch(() => null);
    await instance.get('/items', { params: { x: `//127.0.0.1:${evil.port}` } }).catch(() => null);
    expect(evil.seen).toHaveLength(0);
  });
});

const API = 'https://api.example.test';
const URLS = [
  '/x',
  'x',
  '@evil.test/x',
  '\\\\evil.test/x',
  '/\\evil.test/x',
  '\t//evil.test/x',
  ' //evil.test/x',
  '//evil.test/x',
  'https:evil.test/x',
  'https:/evil.test/x',
  'https:\\\\evil.test/x',
  'https://evil.test/x',
  ' https://evil.test/x',
  'HTTPS://evil.test/x',
  'https://api.example.test@evil.test/x',
  'https://api.example.test\t.evil.test/x',
  '.evil.test/x',
  ':@evil.test/x',
  '?@evil.test',
  '#@evil.test',
  'https://api.example.test:443/x',
  'https://API.example.test./x',
  'http://api.example.test/x',
  '',
];
const BASES = [
  'https://evil.test',
  'https://evil.test/api',
  'https://api.example.test.evil.test',
  '//api.example.test',
  API,
  `${API}/`,
  `${API}/v1`,
  `${API}/v1/`,
  `${API}//`,
  'HTTPS://API.EXAMPLE.TEST',
  `${API}:443`,
  `${API}?q`,
  `${API}#f`,
  `${API} `,
  ` ${API}`,
  `${API}\t`,
  `${API}@evil.test`,
  'https://user@api.example.test',
];

describe('every url and baseURL pair, decided as axios sends it', () => {
  for (const allowAbsoluteUrls of [true, false]) {
    it(`a token only where axios really sends (allowAbsoluteUrls: ${allowAbsoluteUrls})`, async () => {
      const wrong: string[] = [];
      for (const baseURL of BASES) {
        const instance = axios.create({ baseURL, allowAbsoluteUrls });
        const sent: { where: string | null; auth: boolean }[] = [];
        instance.defaults.adapter = async (config) => {
          let where: string | null = null;
          try {
            where = new URL(instance.getUri(config)).origin;
          } catch {}
          sent.push({ where, auth: !!config.headers.get('Authorization') });
          return { data: {}, status: 200, statusText: 'OK', headers: {}, config };
        };
        attachAuth(instance, signedIn(), { allowedOrigins: [API] });
        for (const url of URLS) {
          // warm the cache with an allowed request, then the attack
          await instance.get('/warm');
          await instance.get(url);
          const last = sent.at(-1);
          // where null: axios refuses the URL (buildFullPath throws, or it does not parse): nothing is sent.
          if (last?.auth && last.where !== null && last.where !== API)
            wrong.push(`${JSON.stringify(baseURL)} + ${JSON.stringify(url)} -> ${last.where}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('sanity: the sweep sees the token where it belongs (the check above can fail)', async () => {
    const instance = axios.create({ baseURL: API });
    let auth = false;
    instance.defaults.adapter = async (config) => {
      auth = !!config.headers.get('Authorization');
      return { data: {}, status: 200, statusText: 'OK', headers: {}, config };
    };
    attachAuth(instance, signedIn(), { allowedOrigins: [API] });
    await instance.get('/x');
    expect(auth).toBe(true);
  });
});
