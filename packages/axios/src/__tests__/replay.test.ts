import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios, { AxiosHeaders, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeApi } from './support/fakeApi';
import { BASE_URL, bearer, setup } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

type Call = (http: AxiosInstance) => Promise<unknown>;

const bodies: [string, Call][] = [
  ['a POST JSON body', (http) => http.post('/echo', { name: 'widget', tags: ['a', 'b'], nested: { n: 1 } })],
  ['a PUT JSON body', (http) => http.put('/echo', { id: 7, done: true })],
  [
    'a PATCH JSON string body',
    (http) => http.patch('/echo', '{"raw":true}', { headers: { 'Content-Type': 'application/json' } }),
  ],
  [
    'a string body',
    (http) => http.post('/echo', 'plain text, ünïcode', { headers: { 'Content-Type': 'text/plain' } }),
  ],
  ['a URLSearchParams body', (http) => http.post('/echo', new URLSearchParams({ a: '1', b: 'two words' }))],
  [
    'a body made by a custom transformRequest',
    (http) =>
      http.post('/echo', { x: 1 }, { transformRequest: [(data) => `envelope:${JSON.stringify({ data })}`] }),
  ],
  [
    'custom headers and params',
    (http) =>
      http.post(
        '/echo',
        { x: 1 },
        { headers: { 'X-Custom': 'abc', 'X-Request-Id': '42' }, params: { q: 'v' } },
      ),
  ],
];

/** What the same call sends through plain axios, without reauth. */
async function plainSend(call: Call) {
  const api = createFakeApi();
  api.route('/echo', () => ({ status: 200 }));
  const done = call(axios.create({ baseURL: BASE_URL, adapter: api.adapter }));
  await vi.advanceTimersByTimeAsync(100);
  await done;
  return api.sends[0];
}

describe('a replay sends the same request', () => {
  it.each(bodies)('replays %s byte for byte, with the same headers but the token', async (_, call) => {
    const { api, http, tokens } = setup();
    api.expireAccessTokens();

    const done = call(http);
    await vi.advanceTimersByTimeAsync(100);
    await done;

    const [first, replay] = api.sendsOf('/echo');
    expect(api.sendsOf('/echo')).toHaveLength(2);
    expect([first?.status, replay?.status]).toEqual([401, 200]);
    expect(replay?.body).toStrictEqual(first?.body);
    expect(replay?.headers).toStrictEqual(first?.headers);
    expect(replay?.params).toStrictEqual(first?.params);
    expect([first?.authorization, replay?.authorization]).toEqual([
      bearer(tokens.accessToken),
      bearer(api.lastIssued().accessToken),
    ]);
    const plain = await plainSend(call);
    expect(first?.body).toStrictEqual(plain?.body);
    expect(first?.headers).toStrictEqual(plain?.headers);
  });
});

describe("the caller's objects", () => {
  const expectUntouched = (
    config: AxiosRequestConfig,
    before: unknown,
    keys: string[],
    headerKeys: string[],
  ) => {
    expect(config).toStrictEqual(before);
    expect(Object.keys(config)).toEqual(keys);
    expect(Object.keys(config.headers ?? {})).toEqual(headerKeys);
    expect(JSON.stringify(Object.keys(config))).not.toMatch(/reauth|retry|replay/i);
  };

  it('leaves the config and headers objects of get/post unmutated through a 401 and a replay', async () => {
    const { api, http } = setup();
    api.expireAccessTokens();
    const config: AxiosRequestConfig = { headers: { 'X-Custom': 'a' }, params: { q: 1 }, timeout: 5000 };
    const body = { name: 'widget' };
    const before = structuredClone(config);

    const done = Promise.all([http.get('/items', config), http.post('/echo', body, config)]);
    await vi.advanceTimersByTimeAsync(100);
    await done;

    expect(api.sends).toHaveLength(4);
    expectUntouched(config, before, ['headers', 'params', 'timeout'], ['X-Custom']);
    expect(body).toStrictEqual({ name: 'widget' });
  });

  it('leaves a config passed to request() and its AxiosHeaders unmutated', async () => {
    const { api, http } = setup();
    api.expireAccessTokens();
    const headers = new AxiosHeaders({ 'X-Custom': 'a' });
    const config: AxiosRequestConfig = { url: '/items', method: 'get', headers };
    const headersBefore = headers.toJSON();

    const done = http.request(config);
    await vi.advanceTimersByTimeAsync(100);
    await done;

    expect(api.sends).toHaveLength(2);
    expect(config.headers).toBe(headers);
    expect(headers.toJSON()).toStrictEqual(headersBefore);
    expect(headers.has('Authorization')).toBe(false);
    expect(Object.keys(config)).toEqual(['url', 'method', 'headers']);
  });
});

describe('response interceptors the app added after attachAuth', () => {
  it('run once on a replayed response (an unwrapping interceptor returns the data)', async () => {
    const { api, http } = setup();
    const seen: unknown[] = [];
    http.interceptors.response.use((response) => {
      seen.push(response.status);
      return response.data;
    });
    api.expireAccessTokens();

    const done = http.get('/items').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);

    expect(await done).toMatchObject({ url: '/items', sendNo: 2 });
    expect(seen).toEqual([200]);
  });

  it('run once on the error of a replay that fails', async () => {
    const { api, http } = setup();
    const seen: unknown[] = [];
    http.interceptors.response.use(undefined, (error: unknown) => {
      seen.push(error);
      throw error;
    });
    api.route('/items', ({ sendNo }) => (sendNo === 1 ? { status: 401 } : { status: 500 }));

    const done = http.get('/items').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);

    expect(await done).toBe(api.thrown.at(-1));
    expect(seen).toEqual([api.thrown.at(-1)]);
  });
});

describe('request interceptors of the app', () => {
  it('a later one that returns a new config object does not keep a 401 from being refreshed', async () => {
    const api = createFakeApi();
    const http = axios.create({ baseURL: BASE_URL, adapter: api.adapter });
    // Registered first, so axios runs it after reauth's (request interceptors run last-registered first).
    http.interceptors.request.use((config) => ({ ...config }));
    const session = createSession({ refresh: api.refresh });
    session.signIn(api.issueTokens());
    attachAuth(http, session);
    api.expireAccessTokens();

    const done = http.get('/items');
    await vi.advanceTimersByTimeAsync(100);

    expect((await done).status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/items').map((s) => s.status)).toEqual([401, 200]);
  });
});
