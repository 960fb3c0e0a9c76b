import { createSession, type TokensInput } from '@reauth/core';
import { type AuthFetch, createAuthFetch } from '@reauth/fetch';
import { BASE_URL } from './mockApi';

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** What an app without an auth library writes: a wrapper that adds the header to every call. */
export function createHeaderFetch(send: Fetch, accessToken: string): Fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${accessToken}`);
    return send(input, { ...init, headers });
  };
}

/** reauth's fetch as its README sets it up, signed in, the API's origin allowed. */
export function createReauthFetch(send: Fetch, tokens: TokensInput): AuthFetch {
  const session = createSession({
    refresh: async ({ refreshToken }) => {
      const response = await send(`${BASE_URL}/auth/refresh`, {
        method: 'POST',
        body: JSON.stringify({ refreshToken }),
      });
      return (await response.json()) as { accessToken: string; refreshToken: string; expiresIn: number };
    },
  });
  session.signIn(tokens);
  return createAuthFetch(session, { fetch: send, allowedOrigins: [BASE_URL] });
}
