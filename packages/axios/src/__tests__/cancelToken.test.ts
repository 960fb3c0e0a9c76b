import { attachAuth } from '@reauth/axios';
import { createSession, type TokensInput } from '@reauth/core';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';

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
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    return { data: 'ok', status: 200, statusText: 'OK', headers: {}, config };
  };
  const http = axios.create({ baseURL: 'https://api.review.test', adapter });
  attachAuth(http, session);
  session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
  return { session, http, held };
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
});
