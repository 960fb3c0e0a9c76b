import { attachAuth } from '@reauth/axios';
import { createSession, type TokensInput } from '@reauth/core';
import axios, { type AxiosAdapter, AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it, vi } from 'vitest';

/** A refresh that lands when the test says so. */
function heldRefresh() {
  let land: (tokens: TokensInput) => void = () => {};
  const calls: string[] = [];
  const refresh = ({ refreshToken }: { refreshToken: string }) => {
    calls.push(refreshToken);
    return new Promise<TokensInput>((resolve) => {
      land = resolve;
    });
  };
  return { refresh, calls, land: (tokens: TokensInput) => land(tokens) };
}

function setup() {
  const held = heldRefresh();
  const session = createSession({ refresh: held.refresh, crossTab: false, autoRefresh: false });
  let sends = 0;
  // The first token is refused by the API (a server-side expiry): its requests meet a 401.
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    sends += 1;
    const response = { data: 'ok', status: 200, statusText: 'OK', headers: {}, config };
    if (config.headers.get('Authorization') !== 'Bearer access-1') return response;
    throw new AxiosError('401', 'ERR_BAD_REQUEST', config, null, { ...response, status: 401 });
  };
  const http = axios.create({ baseURL: 'https://api.review.test', adapter });
  attachAuth(http, session);
  session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
  return { session, http, held, sends: () => sends };
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('cancelling a request that waits for a refresh', () => {
  // A legacy `cancelToken` (still supported by axios, and what older code passes) cancels a waiting request as a
  // signal does: otherwise it would settle only with the refresh, or never while a prompt stays open.
  it('with a CancelToken: rejects at once as a CanceledError', async () => {
    const { session, http, held } = setup();
    const refreshing = session.refresh();
    const source = axios.CancelToken.source();
    const outcome = http.get('/a', { cancelToken: source.token }).catch((error: unknown) => error);
    await flush();
    source.cancel('user left the page');
    const settled = await Promise.race([outcome, flush().then(() => 'still waiting')]);
    held.land({ accessToken: 'access-2' });
    await refreshing;
    expect(axios.isCancel(settled)).toBe(true);
    expect((settled as Error).message).toBe('user left the page');
  });

  it('with a CancelToken: a request waiting after its 401 rejects at once, and is not replayed', async () => {
    const { http, held, sends } = setup();
    const source = axios.CancelToken.source();
    const first = http.get('/a').then((response) => response.status);
    const cancelled = http.get('/b', { cancelToken: source.token }).catch((error: unknown) => error);
    await flush();
    expect(held.calls).toEqual(['refresh-1']); // both met a 401; one refresh runs
    source.cancel('navigated away');
    const settled = await Promise.race([cancelled, flush().then(() => 'still waiting')]);
    held.land({ accessToken: 'access-2' });

    expect(axios.isCancel(settled)).toBe(true);
    expect(await first).toBe(200);
    expect(sends()).toBe(3); // a, b, and a's replay
  });

  it('a CancelToken shared by many requests that never wait gets no listener from reauth', async () => {
    const { http } = setup();
    const source = axios.CancelToken.source();
    const subscribe = vi.spyOn(source.token, 'subscribe');
    const ok: AxiosAdapter = async (config) => ({
      data: '',
      status: 200,
      statusText: '',
      headers: {},
      config,
    });

    for (let i = 0; i < 10; i++) await http.get('/x', { adapter: ok, cancelToken: source.token });

    expect(subscribe).not.toHaveBeenCalled();
  });
});
