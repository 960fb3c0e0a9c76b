import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios, { type AxiosAdapter, AxiosError } from 'axios';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

it("cookies: 'session' — axios keeps the app's own Authorization header on the replay (fetch does)", async () => {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const sent: (string | undefined)[] = [];
  let isFirst = true;
  const adapter: AxiosAdapter = async (config) => {
    sent.push(config.headers.get('Authorization') as string | undefined);
    if (isFirst) {
      isFirst = false;
      const response = { status: 401, statusText: '', headers: {}, config, data: null };
      throw new AxiosError('401', 'ERR_BAD_REQUEST', config, null, response);
    }
    return { status: 200, statusText: 'OK', headers: {}, config, data: 'ok' };
  };
  const api = axios.create({ baseURL: 'https://api.example.test', adapter });
  const session = createSession({ cookies: 'session' });
  session.signIn({ user: { sub: 'alice' } });
  session.onReauth(async () => ({}));
  attachAuth(api, session);
  await api.get('/items', { headers: { Authorization: 'ApiKey app-123' } });
  expect(sent).toEqual(['ApiKey app-123', 'ApiKey app-123']);
});
