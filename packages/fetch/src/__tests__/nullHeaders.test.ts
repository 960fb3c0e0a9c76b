import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { describe, expect, it } from 'vitest';

function setup() {
  const session = createSession({ crossTab: false, autoRefresh: false, refresh: async () => null as never });
  session.signIn({ accessToken: 'token-1', refreshToken: 'refresh-1', expiresIn: 3600 });
  const calls: { input: RequestInfo | URL; init: RequestInit | undefined }[] = [];
  const authFetch = createAuthFetch(session, {
    allowedOrigins: ['https://api.shapes.test'],
    fetch: async (input, init) => {
      // What a real fetch does with init: builds a Request (throws on headers it can't read).
      new Request(input as RequestInfo, init);
      calls.push({ input, init });
      return new Response(null, { status: 204 });
    },
  });
  return { authFetch, calls };
}

describe('headers: null from untyped JS', () => {
  it('headers: null (untyped JS) rejects as fetch itself does, with or without a token', async () => {
    const { authFetch } = setup();
    const init = { headers: null } as unknown as RequestInit;
    // No token (another origin): fetch itself rejects.
    await expect(authFetch('https://elsewhere.test/items', init)).rejects.toThrow(TypeError);
    // With a token: the same answer, not a request sent with the caller's headers replaced.
    await expect(authFetch('https://api.shapes.test/items', init)).rejects.toThrow(TypeError);
  });
});
