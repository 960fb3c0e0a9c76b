import { attachAuth } from '@reauth/axios';
import { createSession, type TokensInput } from '@reauth/core';
import axios, { type AxiosAdapter, AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it, vi } from 'vitest';

// What the adapter reads of each outcome axios settles with: a 401 resolved by validateStatus, a 401 of a request
// reauth does not handle, an AxiosError that carries no config.
describe('the shapes of a refused request', () => {
  it('a 401 that validateStatus resolves: shouldRefresh is given the AxiosError axios would have thrown', async () => {
    const shouldRefresh = vi.fn(() => false);
    const { http, sends } = setup({ attach: { shouldRefresh } });

    const response = await http.get('/items', { validateStatus: () => true });

    expect(response.status).toBe(401);
    expect(sends()).toBe(1);
    expect(shouldRefresh).toHaveBeenCalledTimes(1);
    const [refused] = shouldRefresh.mock.calls[0] as unknown as [AxiosError];
    expect(refused).toBeInstanceOf(AxiosError);
    expect(refused).toMatchObject({
      message: 'Request failed with status code 401',
      code: 'ERR_BAD_REQUEST',
      config: response.config,
      response,
    });
  });

  it('a resolved 401 of a skipAuth request comes back resolved, as it came, with no refresh', async () => {
    const { http, refresh, sends } = setup();

    const response = await http.get('/items', { skipAuth: true, validateStatus: () => true });

    expect(response.status).toBe(401);
    expect(response.data).toBe('no');
    expect(refresh).not.toHaveBeenCalled();
    expect(sends()).toBe(1);
  });

  it('an AxiosError without a config (an adapter that throws one) reaches the caller as it is', async () => {
    const bare = new AxiosError('adapter gave up', 'ERR_NETWORK');
    const { http, refresh } = setup({
      adapter: async () => {
        throw bare;
      },
    });

    await expect(http.get('/items')).rejects.toBe(bare);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('a replay that fails with an AxiosError without a config: that error reaches the caller as it is', async () => {
    const bare = new AxiosError('adapter gave up', 'ERR_NETWORK');
    let sends = 0;
    const { http, refresh } = setup({
      adapter: async (config) => {
        sends += 1;
        if (sends > 1) throw bare;
        const response = { data: 'no', status: 401, statusText: '', headers: {}, config };
        throw new AxiosError('failed', 'ERR_BAD_REQUEST', config, null, response);
      },
    });

    await expect(http.get('/items')).rejects.toBe(bare);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(sends).toBe(2);
  });
});

function setup(
  options: { attach?: Parameters<typeof attachAuth>[2]; adapter?: AxiosAdapter } = {},
  refresh: () => Promise<TokensInput> = vi.fn(async () => ({ accessToken: 'access-2' })),
) {
  const session = createSession({ crossTab: false, autoRefresh: false, refresh });
  session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
  let count = 0;
  const api: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    count += 1;
    const ok = config.headers.get('Authorization') === 'Bearer access-2';
    const response = { data: ok ? 'ok' : 'no', status: ok ? 200 : 401, statusText: '', headers: {}, config };
    if (config.validateStatus?.(response.status) ?? true) return response;
    throw new AxiosError('failed', 'ERR_BAD_REQUEST', config, null, response);
  };
  const http = axios.create({ baseURL: 'https://api.shapes.test', adapter: options.adapter ?? api });
  attachAuth(http, session, options.attach);
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  return { http, refresh, sends: () => count };
}
