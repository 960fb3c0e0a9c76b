import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { describe, expect, it } from 'vitest';

describe('a token that is not a valid header value', () => {
  // A token with a CR/LF inside fails the send with an error that quotes the header value: it is refused when it
  // arrives (a refresh result: REFRESH_UNAVAILABLE, tokens kept), so it never reaches an error message.
  it('never puts the token in the error a send fails with', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.first-half\r\nsecond-half-of-the-secret';
    const session = createSession({
      crossTab: false,
      autoRefresh: false,
      refresh: async () => ({ accessToken: token, expiresIn: 3600 }),
    });
    session.signIn({ accessToken: 'good-token', refreshToken: 'refresh-1', expiresIn: 3600 });
    const authFetch = createAuthFetch(session, {
      allowedOrigins: ['https://api.review.test'],
      fetch: async (_input, init) =>
        new Response(null, {
          status: new Headers(init?.headers).get('authorization') === 'Bearer good-token' ? 401 : 200,
        }),
    });

    const outcome = await authFetch('https://api.review.test/items').then(
      (response) => response.status,
      (error: unknown) => String((error as Error).message),
    );

    expect(String(outcome)).not.toContain('second-half-of-the-secret');
    expect(outcome).toMatch(/REFRESH_UNAVAILABLE|refresh/i);
  });
});
