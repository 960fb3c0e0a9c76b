import { attachAuth } from '@reauth/axios';
import { createSession, type TokensInput } from '@reauth/core';
import axios, { type AxiosAdapter, AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';

describe('detach() while a request waits for the refresh its 401 started', () => {
  // detach() ejects the interceptor (its slot becomes a hole): the replay must still run only the interceptors
  // registered before it, not every one but the last.
  it('runs each response interceptor registered after attachAuth once for the replayed request', async () => {
    let land: (tokens: TokensInput) => void = () => {};
    const session = createSession({
      crossTab: false,
      autoRefresh: false,
      refresh: () =>
        new Promise<TokensInput>((resolve) => {
          land = resolve;
        }),
    });
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
    const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
      const response = { data: 'ok', status: 200, statusText: 'OK', headers: {}, config };
      if (config.headers.get('Authorization') === 'Bearer access-2') return response;
      throw new AxiosError('401', 'ERR_BAD_REQUEST', config, null, { ...response, status: 401 });
    };
    const http = axios.create({ baseURL: 'https://api.review.test', adapter });
    const detach = attachAuth(http, session);
    const seen: string[] = [];
    http.interceptors.response.use((response) => {
      seen.push('after-1');
      return response;
    });
    http.interceptors.response.use((response) => {
      seen.push('after-2');
      return response;
    });

    const request = http.get('/a');
    for (let i = 0; i < 20; i++) await Promise.resolve(); // the 401 came back; it waits for the refresh
    detach();
    land({ accessToken: 'access-2' });
    const response = await request;

    expect(response.status).toBe(200);
    expect(seen).toEqual(['after-1', 'after-2']);
  });
});
