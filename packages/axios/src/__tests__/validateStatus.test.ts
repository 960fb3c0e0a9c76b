import { attachAuth } from '@reauth/axios';
import { createSession, type TokensInput } from '@reauth/core';
import axios, { type AxiosAdapter, AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it, vi } from 'vitest';

describe('an instance whose validateStatus accepts 4xx', () => {
  // A `validateStatus` that accepts 4xx (to avoid exceptions) resolves a 401: it is refreshed and replayed all the same.
  it('refreshes and replays a 401 that axios resolves', async () => {
    const { http, refresh } = setup();

    const response = await http.get('/items');

    expect(refresh).toHaveBeenCalledTimes(1);
    expect(response.status).toBe(200);
  });

  it('hands back the resolved 401 when no refresh is called for (insufficient_scope)', async () => {
    const { http, refresh, sends } = setup({ 'www-authenticate': 'Bearer error="insufficient_scope"' });

    const response = await http.get('/items');

    expect(response.status).toBe(401);
    expect(refresh).not.toHaveBeenCalled();
    expect(sends()).toBe(1);
  });

  it('rejects with SESSION_EXPIRED when the refresh is refused', async () => {
    const refused = Object.assign(new Error('refused'), { status: 400 });
    const { http, sends } = setup({}, async () => Promise.reject(refused));

    await expect(http.get('/items')).rejects.toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(sends()).toBe(1);
  });
});

function setup(
  challenge: Record<string, string> = {},
  refresh: () => Promise<TokensInput> = vi.fn(async () => ({ accessToken: 'access-2' })),
) {
  const session = createSession({ crossTab: false, autoRefresh: false, refresh });
  session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
  let count = 0;
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    count += 1;
    const ok = config.headers.get('Authorization') === 'Bearer access-2';
    const response = {
      data: ok ? 'ok' : 'no',
      status: ok ? 200 : 401,
      statusText: '',
      headers: ok ? {} : challenge,
      config,
    };
    if (config.validateStatus?.(response.status) ?? true) return response;
    throw new AxiosError('failed', 'ERR_BAD_REQUEST', config, null, response);
  };
  const http = axios.create({
    baseURL: 'https://api.review.test',
    adapter,
    validateStatus: (s) => s < 500,
  });
  attachAuth(http, session);
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  return { http, refresh, sends: () => count };
}
