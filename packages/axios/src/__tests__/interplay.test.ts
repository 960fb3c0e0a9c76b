import { Readable } from 'node:stream';
import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios, { type InternalAxiosRequestConfig } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeApi } from './support/fakeApi';
import { bearer, setup } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** An instance with app interceptors registered *before* attachAuth, as apps often do. */
function appWith(register: (instance: ReturnType<typeof axios.create>) => void) {
  const api = createFakeApi();
  const http = axios.create({ baseURL: 'https://api.test', adapter: api.adapter });
  register(http);
  const session = createSession({ refresh: api.refresh });
  attachAuth(http, session);
  session.signIn(api.issueTokens());
  return { api, http, session };
}

describe("the app's response interceptors, each once per request", () => {
  it('an unwrapping interceptor registered before attachAuth unwraps the replayed response too', async () => {
    const { api, http } = appWith((instance) =>
      instance.interceptors.response.use((response) => response.data),
    );
    api.expireAccessTokens();
    const data = http.get('/items');
    await vi.advanceTimersByTimeAsync(200);
    expect(await data).toEqual(expect.objectContaining({ url: '/items', sendNo: 2 }));
  });

  it('an error interceptor registered before attachAuth sees the 401 and then the failed replay, not more', async () => {
    const seen: number[] = [];
    const { api, http } = appWith((instance) =>
      instance.interceptors.response.use(undefined, (error) => {
        seen.push(error.response?.status);
        return Promise.reject(error);
      }),
    );
    api.route('/items', ({ sendNo }) => ({ status: sendNo === 1 ? 401 : 500, data: {} }));
    const result = http.get('/items').catch((error) => error.response?.status);
    await vi.advanceTimersByTimeAsync(200);
    expect(await result).toBe(500);
    expect(seen).toEqual([401, 500]);
  });
});

describe('bodies that cannot be sent twice', () => {
  it('hands back the 401 of a request with a stream body instead of replaying it empty', async () => {
    const { api, http } = setup();
    api.expireAccessTokens();
    const result = http.post('/upload', Readable.from(['hello'])).catch((error) => error.response?.status);
    await vi.advanceTimersByTimeAsync(200);
    expect(await result).toBe(401);
    expect(api.sends.filter((send) => send.url === '/upload')).toHaveLength(1);
  });
});

describe('interceptors that reshape the config', () => {
  it('works when another interceptor turns the headers into a plain object', async () => {
    const { api, http } = setup();
    http.interceptors.request.use(
      (config) => ({ ...config, headers: { ...config.headers } }) as unknown as InternalAxiosRequestConfig,
    );
    api.expireAccessTokens();
    const response = http.get('/items');
    await vi.advanceTimersByTimeAsync(200);
    expect((await response).status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it('makes a request wait for a refresh that began while an asynchronous app interceptor ran', async () => {
    const { api, http, tokens } = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    // An app interceptor that awaits something (registered after attachAuth, so it runs first).
    http.interceptors.request.use(async (config) => {
      if (config.url === '/slow-start') await gate;
      return config;
    });
    api.expireAccessTokens();
    const held = http.get('/slow-start');
    const trigger = http.get('/items'); // its 401 starts a refresh while /slow-start is held
    await vi.advanceTimersByTimeAsync(15);
    release();
    await vi.advanceTimersByTimeAsync(200);
    expect((await held).status).toBe(200);
    expect((await trigger).status).toBe(200);
    const sends = api.sends.filter((send) => send.url === '/slow-start');
    expect(sends).toHaveLength(1);
    expect(sends[0]?.authorization).not.toBe(bearer(tokens.accessToken));
  });
});

describe('a custom header', () => {
  it('is marked sensitive, so axios drops it on a redirect to another origin', async () => {
    const { http } = setup({ attach: { header: 'X-Api-Token', scheme: '' } });
    const failed = http.get('/items').catch((error) => error);
    await vi.advanceTimersByTimeAsync(200);
    const { config } = (await failed) as { config: InternalAxiosRequestConfig };
    // The bare token (scheme ''), a JWT: the fake API only reads Authorization, so this is the replay's.
    expect(config.headers.get('X-Api-Token')).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(config.sensitiveHeaders).toEqual(['X-Api-Token']);
  });
});
