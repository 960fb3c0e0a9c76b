// DPoP end to end, as an app runs it: one dpop() signer given to createSession and to oauthRefresh, requests
// through createAuthFetch, against oidc-provider (DPoP nonces required, a refresh token bound to the key) and a
// resource server that checks every proof (signature, htm, htu, ath, a jti never seen, its current nonce) and
// that the token is bound to the proof's key — all on 127.0.0.1, started here.
import { attachAuth } from '@reauth/axios';
import { createSession, type RefreshContext, type Session } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { dpop, oauthRefresh } from '@reauth/oauth';
import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_ID, startAuthorizationServer, startDPoPResourceServer } from './support/servers';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/**
 * A session signed in with DPoP-bound tokens whose access token has expired at the resource server (its clock
 * runs two minutes ahead: the client still believes the token good, so requests are sent and answered 401). The
 * signer already knows the provider's nonce (the sign-in's grant taught it), not the resource server's.
 */
/** A GET through one of the adapters: its status (axios told to resolve every status, as fetch does). */
type Get = (url: string) => Promise<{ status: number }>;
const transports: Record<string, (session: Session, origin: string) => Get> = {
  createAuthFetch: (session, origin) => {
    const authFetch = createAuthFetch(session, { allowedOrigins: [origin] });
    return (url) => authFetch(url);
  },
  attachAuth: (session, origin) => {
    const api = axios.create({ validateStatus: () => true });
    attachAuth(api, session, { allowedOrigins: [origin] });
    return (url) => api.get(url);
  },
};

async function setup(transport: keyof typeof transports) {
  const rs = await startDPoPResourceServer();
  stops.push(rs.stop);
  const as = await startAuthorizationServer(rs.url, { dpopNonces: true });
  stops.push(as.stop);
  rs.trust(as);
  const signer = await dpop();
  const refresh = oauthRefresh({
    issuer: as.issuer,
    clientId: CLIENT_ID,
    allowInsecureRequests: true,
    dpop: signer,
  });
  let refreshCalls = 0;
  const session = createSession({
    refresh: (context) => {
      refreshCalls += 1;
      return refresh(context);
    },
    dpop: signer,
    refreshLeewayMs: 0,
    autoRefresh: false,
    crossTab: false,
  });
  const authFetch = transports[transport]?.(session, rs.url) as Get;

  as.accessTokenTtl = 60;
  const signedInWith = await as.signedIn(CLIENT_ID, { jkt: await signer.thumbprint() });
  const context: RefreshContext = { refreshToken: signedInWith, signal: new AbortController().signal };
  session.signIn(await refresh(context)); // what the sign-in left the app with: DPoP-bound tokens
  rs.clockAheadMs = 120_000;
  as.accessTokenTtl = 3600;
  as.tokenRequests = 0;
  as.grants.length = 0;
  return { as, rs, authFetch, refreshes: () => refreshCalls };
}

describe.each(Object.keys(transports))(
  'dpop() with createSession, %s and oauthRefresh, against oidc-provider and a DPoP resource server',
  (transport) => {
    it('concurrent requests with an expired token and no nonce known: one refresh, every send and replay a fresh proof, all let through', async () => {
      const { as, rs, authFetch, refreshes } = await setup(transport);

      const responses = await Promise.all(Array.from({ length: 10 }, () => authFetch(`${rs.url}/items`)));

      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
      expect(rs.ok).toBe(10);
      expect(rs.expired).toBeGreaterThanOrEqual(1);
      const jtis = rs.requests.map((request) => request.jti);
      expect(jtis.every((jti) => typeof jti === 'string')).toBe(true);
      expect(new Set(jtis).size).toBe(rs.requests.length); // no proof sent twice, replays included
      expect(rs.requests.filter((request) => request.error === 'invalid_dpop_proof')).toEqual([]);
      // The first sends had no nonce: each was sent again with the one learnt (not counted as a retry), then
      // replayed once after the refresh. Which send learnt it first is up to timing; the bounds are not.
      const nonceRefusals = rs.requests.filter((request) => request.error === 'use_dpop_nonce');
      expect(nonceRefusals.length).toBeGreaterThanOrEqual(1);
      expect(nonceRefusals.every((request) => request.nonce === undefined)).toBe(true);
      expect(rs.requests.length).toBeLessThanOrEqual(30);
      expect(
        rs.requests
          .filter((request) => request.status === 200)
          .every((request) => request.nonce === rs.nonce),
      ).toBe(true);
      expect(refreshes()).toBe(1);
      expect(as.grants).toHaveLength(1);
      expect(as.grants[0]?.tokenType).toBe('DPoP');
      expect(as.tokenRequests).toBe(1); // the provider's nonce was known from the sign-in's grant
    });

    it("the resource server's nonce changes: the request is sent again once with the new nonce, no refresh", async () => {
      const { as, rs, authFetch, refreshes } = await setup(transport);
      rs.clockAheadMs = 0;
      expect((await authFetch(`${rs.url}/items`)).status).toBe(200); // learns the nonce (a use_dpop_nonce first)
      rs.requests.length = 0;

      rs.nonce = 'rs-nonce-2';
      const response = await authFetch(`${rs.url}/items`);

      expect(response.status).toBe(200);
      expect(rs.requests.map(({ status, error, nonce }) => ({ status, error, nonce }))).toEqual([
        { status: 401, error: 'use_dpop_nonce', nonce: 'rs-nonce-1' },
        { status: 200, error: undefined, nonce: 'rs-nonce-2' },
      ]);
      expect(refreshes()).toBe(0);
      expect(as.tokenRequests).toBe(0);
    });

    it('invalid_dpop_proof reaches the caller as the 401 it is: no refresh, no replay', async () => {
      const { as, rs, authFetch, refreshes } = await setup(transport);
      rs.clockAheadMs = 0;
      rs.refuseProofs = true;

      const response = await authFetch(`${rs.url}/items`);

      expect(response.status).toBe(401);
      expect(rs.requests.map((request) => request.error)).toEqual(['invalid_dpop_proof']);
      expect(refreshes()).toBe(0);
      expect(as.tokenRequests).toBe(0);
    });
  },
);
