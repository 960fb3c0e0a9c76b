import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { afterEach, expect, it, vi } from 'vitest';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const expiredJwt = `${encode({ alg: 'HS256' })}.${encode({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 })}.sig`;

afterEach(() => vi.restoreAllMocks());

it('hands back a network error on a stream body unrefreshed, without calling it a 401', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const refresh = vi.fn(async () => ({ accessToken: 'fresh', expiresIn: 3600 }));
  const session = createSession({ refresh, crossTab: false, autoRefresh: false, refreshLeewayMs: 0 });
  session.signIn({ accessToken: expiredJwt, refreshToken: 'r1' });
  const fetch = vi.fn(async () => {
    throw new TypeError('fetch failed');
  });
  const authFetch = createAuthFetch(session, {
    fetch,
    allowedOrigins: ['https://api.test'],
    interceptNetworkError: true,
  });
  const body = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('chunk'));
      controller.close();
    },
  });
  const init = { method: 'POST', body, duplex: 'half' } as RequestInit;
  await expect(authFetch('https://api.test/upload', init)).rejects.toThrow('fetch failed');
  expect(fetch).toHaveBeenCalledTimes(1);
  expect(refresh).not.toHaveBeenCalled();
  expect(warn.mock.calls.flat().join('\n')).not.toContain('a 401 on a request with a stream body');
});
