import { decodeJwt } from '@reauth/core';
import { createMockAuthServer } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const API = 'https://api.example.test';

/** The msw server of a test file: listening for the whole file, a test's handlers dropped after it. */
export function startMswServer(): SetupServer {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/**
 * A fresh @reauth/msw kit on `server`, its clock `now` and its access tokens valid ten minutes, and the
 * protected routes `GET /api/:name` answering `{ resource, owner }` (owner: the `sub` of the token sent).
 */
export function startMockAuth(server: SetupServer, now: () => number) {
  const auth = createMockAuthServer({ baseUrl: API, accessTokenTtlMs: 600_000, now });
  const resources = http.get(`${API}/api/:name`, ({ request, params }) => {
    // The kit's guard has verified the token before this runs: reading its claims is enough.
    const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
    return HttpResponse.json({ resource: params.name, owner: decodeJwt(token)?.sub ?? null });
  });
  server.use(...auth.handlers, auth.protect(resources));
  return auth;
}

/** The `jti` of a token: what `auth.stats.requests[n].tokenId` names instead of the token. */
export function tokenIdOf(token: string): string {
  const jti = decodeJwt(token)?.jti;
  if (typeof jti !== 'string') throw new Error('not a token of the kit: it has no jti');
  return jti;
}
