import { type CookieRefreshContext, createSession } from '@reauth/core';
import { connectQueryClient } from '@reauth/react-query';
import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

const jwt = (claims: Record<string, unknown>) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

// React Native's globals: an app, so the session restores at start-up (here by the refresh cookie).
beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('navigator', { product: 'ReactNative' });
  vi.stubGlobal('window', {});
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

it('a reload restored by the refresh cookie is not taken for a switch of user (no cache reset, no refetch)', async () => {
  const refresh = vi.fn(async (_context: CookieRefreshContext) => ({
    accessToken: jwt({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 300 }),
    expiresIn: 300,
  }));
  const session = createSession({ cookies: 'refresh', refresh, crossTab: false });
  const queryClient = new QueryClient();
  const refetch = vi.spyOn(queryClient, 'refetchQueries');
  connectQueryClient(queryClient, session);
  expect(session.getState().status).toBe('restoring');
  await session.ready();
  expect(session.getState().user).toMatchObject({ sub: 'alice' });
  expect(refetch).not.toHaveBeenCalled();
});
