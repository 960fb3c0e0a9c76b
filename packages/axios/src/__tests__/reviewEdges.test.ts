import { attachAuth } from '@reauth/axios';
import { createSession, type TokensInput } from '@reauth/core';
import axios, { type AxiosAdapter, AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it, vi } from 'vitest';

const TOKEN = 'opaque-access-token-of-the-edge-tests';
const ALLOWED = 'https://api.review.test';

/** An instance on ALLOWED whose adapter records where each request went and the Authorization it carried. */
function recording() {
  const session = createSession({ crossTab: false, autoRefresh: false });
  session.signIn({ accessToken: TOKEN });
  const sent: { origin: string; authorization: unknown }[] = [];
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    let origin: string;
    try {
      origin = new URL(axios.getUri(config)).origin;
    } catch {
      origin = 'invalid';
    }
    sent.push({ origin, authorization: config.headers.get('Authorization') });
    return { data: 'ok', status: 200, statusText: 'OK', headers: {}, config };
  };
  const http = axios.create({ baseURL: ALLOWED, adapter });
  attachAuth(http, session);
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  return { http, sent };
}

const tricks = [
  'https://api.review.test @evil.test',
  'https://api.review.test\f@evil.test',
  'https://api.review.test\u00a0@evil.test',
  'https://api.review.test.evil.test',
  'https://api.review.test@evil.test',
  'https://api.review.test:1@evil.test',
];

describe('the origin decided per request, after the same origin was seen', () => {
  it.each(tricks)('sends no token through a per-request baseURL %j that leads elsewhere', async (baseURL) => {
    const { http, sent } = recording();
    await http.get(`${ALLOWED}/warm`);
    await http.get('/warm');
    await http.get('/items', { baseURL }).catch(() => {});
    expect(
      sent.slice(2).every(({ origin, authorization }) => origin !== ALLOWED && authorization === undefined),
    ).toBe(true);
  });

  it('takes a URL object as config.url (axios does), with the token for an allowed origin', async () => {
    const { http, sent } = recording();
    await http.get(`${ALLOWED}/warm`);
    const status = await http
      .request({ url: new URL(`${ALLOWED}/items`) as unknown as string })
      .then((r) => r.status);
    expect(status).toBe(200);
    expect(sent.map((send) => send.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });
});

describe('an error of the wait after a replay', () => {
  it('goes back as it is, not through the response interceptors registered before attachAuth', async () => {
    const lands: ((tokens: TokensInput) => void)[] = [];
    const refresh = () =>
      new Promise<TokensInput>((resolve) => {
        lands.push(resolve);
      });
    const session = createSession({ refresh, crossTab: false, autoRefresh: false });
    const sent: string[] = [];
    const adapter: AxiosAdapter = async (config) => {
      const authorization = String(config.headers.get('Authorization'));
      sent.push(authorization);
      const response = { data: 'ok', status: 401, statusText: '', headers: {}, config };
      throw new AxiosError('401', 'ERR_BAD_REQUEST', config, null, response);
    };
    const http = axios.create({ baseURL: ALLOWED, adapter });
    const earlier: string[] = [];
    http.interceptors.response.use(undefined, (error: AxiosError) => {
      earlier.push(`${error.constructor.name} ${error.response?.status ?? error.code}`);
      return Promise.reject(error);
    });
    attachAuth(http, session, { maxRetries: 2 });
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const controller = new AbortController();
    const outcome = http.get('/a', { signal: controller.signal }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(lands).toHaveLength(1));
    lands[0]?.({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    // The replay is refused too: with maxRetries 2 it waits for a second refresh, which the abort ends.
    await vi.waitFor(() => expect(lands).toHaveLength(2));
    expect(sent).toEqual(['Bearer access-1', 'Bearer access-2']);
    controller.abort();
    expect(axios.isCancel(await outcome)).toBe(true);
    expect(earlier).toEqual(['AxiosError 401']);
  });
});
