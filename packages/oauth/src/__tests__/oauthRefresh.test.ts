// oauthRefresh against a real authorization server: oidc-provider 9 (panva's certified OpenID provider) with
// rotating refresh tokens and JWT access tokens for a resource indicator, and a resource server that verifies
// them with jose — all on 127.0.0.1, started here. The first refresh token is issued through the provider's own
// models (a Grant and a RefreshToken, saved as its authorization code exchange saves them) so that no browser
// interaction is needed; every later token comes from the real token endpoint.
import {
  createSession,
  isAuthError,
  type RefreshContext,
  type Session,
  type TokensInput,
} from '@reauth/core';
import { type AuthFetch, createAuthFetch } from '@reauth/fetch';
import { oauthRefresh } from '@reauth/oauth';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuthorizationServer,
  CLIENT_ID,
  type ResourceServer,
  startAuthorizationServer,
  startResourceServer,
} from './support/servers';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const codeOf = (error: unknown) => (isAuthError(error) ? error.code : error);
const context = (refreshToken: string): RefreshContext => ({
  refreshToken,
  signal: new AbortController().signal,
});

interface Setup {
  as: AuthorizationServer;
  rs: ResourceServer;
  session: Session;
  authFetch: AuthFetch;
  refresh: (context: RefreshContext) => Promise<TokensInput>;
  /** The refresh token the session was signed in with. */
  signedInWith: string;
}

/**
 * A signed-in session whose access token has expired at the resource server (its clock runs two minutes ahead
 * of the client's: the client still believes the token good, so requests are sent and answered 401). Tokens
 * issued from then on last an hour.
 */
async function setup(): Promise<Setup> {
  const rs = await startResourceServer();
  stops.push(rs.stop);
  const as = await startAuthorizationServer(rs.url);
  stops.push(as.stop);
  rs.trust(as);

  const refresh = oauthRefresh({ issuer: as.issuer, clientId: CLIENT_ID, allowInsecureRequests: true });
  const session = createSession({ refresh, refreshLeewayMs: 0, autoRefresh: false, crossTab: false });
  const authFetch = createAuthFetch(session, { allowedOrigins: [rs.url] });

  as.accessTokenTtl = 60;
  const tokens = await refresh(context(await as.signedIn())); // what the sign-in left the app with
  session.signIn(tokens);
  rs.clockAheadMs = 120_000;
  as.accessTokenTtl = 3600;
  as.tokenRequests = 0;
  as.grants.length = 0;
  return { as, rs, session, authFetch, refresh, signedInWith: tokens.refreshToken as string };
}

describe('oauthRefresh with createSession and createAuthFetch, against oidc-provider', () => {
  it('25 concurrent 401s cost exactly one refresh_token grant at the token endpoint, and all 25 replay', async () => {
    const { as, rs, authFetch } = await setup();

    const responses = await Promise.all(Array.from({ length: 25 }, () => authFetch(`${rs.url}/items`)));

    expect(responses.map((response) => response.status)).toEqual(Array(25).fill(200));
    expect(rs.expired).toBe(25);
    expect(rs.ok).toBe(25);
    expect(as.tokenRequests).toBe(1);
    expect(as.grants).toHaveLength(1);
  });

  it('sends the rotated refresh token each time: every grant consumes the one the previous grant issued', async () => {
    const { as, rs, session, authFetch, signedInWith } = await setup();

    expect((await authFetch(`${rs.url}/items`)).status).toBe(200); // a 401, then grant 1
    await session.refresh(); // grant 2
    await session.refresh(); // grant 3

    const [first, second, third] = as.grants;
    expect(as.grants).toHaveLength(3);
    expect(first?.used).toBe(signedInWith);
    expect(second?.used).toBe(first?.issued);
    expect(third?.used).toBe(second?.issued);
    expect(new Set([signedInWith, first?.issued, second?.issued, third?.issued]).size).toBe(4);
    expect((await authFetch(`${rs.url}/items`)).status).toBe(200);
    expect(as.tokenRequests).toBe(3);
  });

  it('a reused refresh token revokes the grant: invalid_grant (status 400), then SESSION_EXPIRED with no handler', async () => {
    const { as, rs, session, authFetch, refresh, signedInWith } = await setup();
    await session.refresh(); // rotation: signedInWith is now consumed

    // Someone replays the consumed token: the provider refuses it and revokes the whole grant.
    const reuse = await refresh(context(signedInWith)).catch((error: unknown) => error);
    expect(reuse).toMatchObject({ status: 400, error: 'invalid_grant' });

    rs.clockAheadMs = 2 * 3600_000; // the session's access token has expired too
    const outcome = await authFetch(`${rs.url}/items`).catch((error: unknown) => error);

    expect(codeOf(outcome)).toBe('SESSION_EXPIRED');
    expect(session.getState().status).toBe('signedOut');
    expect(session.getState().error?.cause).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(as.tokenRequests).toBe(3);
  });

  it.each([
    ['down (connection refused)', 'down'],
    ['answering 503', 'unavailable'],
  ] as const)(
    'the authorization server %s: REFRESH_UNAVAILABLE, the session kept, and it recovers',
    async (_, kind) => {
      const { as, rs, session, authFetch } = await setup();
      // Discovery happened during setup and is cached: only the token endpoint is needed from here on.
      if (kind === 'down') await as.stop();
      else as.failWith = 503;

      const outcome = await authFetch(`${rs.url}/items`).catch((error: unknown) => error);

      expect(codeOf(outcome)).toBe('REFRESH_UNAVAILABLE');
      expect(session.getState().status).toBe('signedIn');
      if (kind === 'unavailable') {
        as.failWith = undefined;
        expect((await authFetch(`${rs.url}/items`)).status).toBe(200);
        expect(as.grants).toHaveLength(1);
      }
    },
  );
});
