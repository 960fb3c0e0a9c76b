// oauthRefresh({ dpop }) against a real authorization server: oidc-provider 9 with DPoP and server nonces
// (every proof must carry a fresh DPoP-Nonce of the provider's), rotating refresh tokens and JWT access tokens
// for a resource indicator — on 127.0.0.1, started here. Tokens are verified with jose against the provider's
// keys; the provider's events count grants and the token endpoint's errors.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSession, isAuthError, type RefreshContext, type Session } from '@reauth/core';
import { type DPoPSigner, dpop, oauthRefresh } from '@reauth/oauth';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import {
  allowInsecureRequests,
  discoveryRequest,
  isDPoPNonceError,
  None,
  processDiscoveryResponse,
  processRefreshTokenResponse,
  refreshTokenGrantRequest,
} from 'oauth4webapi';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuthorizationServer, CLIENT_ID, startAuthorizationServer } from './support/servers';

const RESOURCE = 'http://127.0.0.1:1/api';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const codeOf = (error: unknown) => (isAuthError(error) ? error.code : error);
const context = (refreshToken: string): RefreshContext => ({
  refreshToken,
  signal: new AbortController().signal,
});

async function authorizationServer(): Promise<AuthorizationServer> {
  const as = await startAuthorizationServer(RESOURCE, { dpopNonces: true });
  stops.push(as.stop);
  return as;
}

const refreshWith = (as: AuthorizationServer, signer: DPoPSigner) =>
  oauthRefresh({ issuer: as.issuer, clientId: CLIENT_ID, allowInsecureRequests: true, dpop: signer });

/** A signed-in session whose refresh goes through oauthRefresh({ dpop: signer }), counting its refresh calls. */
function sessionWith(as: AuthorizationServer, signer: DPoPSigner, refreshToken: string) {
  const refresh = refreshWith(as, signer);
  const counts = { refreshCalls: 0, refreshStarts: 0, refreshFailures: 0 };
  const session: Session = createSession({
    refresh: (context) => {
      counts.refreshCalls += 1;
      return refresh(context);
    },
    dpop: signer,
    autoRefresh: false,
    crossTab: false,
  });
  session.on('refreshStart', () => {
    counts.refreshStarts += 1;
  });
  session.on('refreshFailure', () => {
    counts.refreshFailures += 1;
  });
  session.signIn({ accessToken: 'what-the-sign-in-left', refreshToken }); // opaque to the session
  return { session, counts };
}

/** The access token's claims, after verifying it is the provider's JWT for the resource. */
async function verifiedClaims(as: AuthorizationServer, accessToken: string | null) {
  const { payload } = await jwtVerify(accessToken ?? '', createLocalJWKSet(as.jwks), {
    issuer: as.issuer,
    audience: RESOURCE,
    typ: 'at+jwt',
  });
  return payload as { cnf?: { jkt?: string }; sub?: string };
}

/** The nonce the signer's next proof to `url` carries. */
async function nonceFor(signer: DPoPSigner, url: string) {
  const { DPoP } = await signer.sign({ method: 'POST', url, accessToken: 'any' });
  return decodeJwt(DPoP as string).nonce;
}

describe('oauthRefresh({ dpop }) against oidc-provider with DPoP nonces', () => {
  it("a session's refresh gets a DPoP-bound JWT access token (token_type DPoP, cnf.jkt of the key); the nonce dance costs one token request more, no extra grant and no extra refresh", async () => {
    const as = await authorizationServer();
    const signer = await dpop();
    const { session, counts } = sessionWith(as, signer, await as.signedIn());

    await session.refresh();

    expect(as.tokenErrors).toEqual(['use_dpop_nonce']); // the first proof had no nonce
    expect(as.tokenRequests).toBe(2);
    expect(as.grants).toHaveLength(1);
    expect(as.grants[0]?.tokenType).toBe('DPoP');
    expect(counts).toEqual({ refreshCalls: 1, refreshStarts: 1, refreshFailures: 0 });
    const claims = await verifiedClaims(as, await session.getAccessToken());
    expect(claims.cnf?.jkt).toBe(await signer.thumbprint());
    expect(claims.sub).toBe('alice');
    // The signer and oauthRefresh share one nonce cache, per origin: the provider's nonce is known for the
    // provider only.
    expect(await nonceFor(signer, `${as.issuer}/token`)).toEqual(expect.any(String));
    expect(await nonceFor(signer, `${RESOURCE}/items`)).toBeUndefined();

    // With the nonce learnt, the next refresh is a single request, and rotation goes on.
    await session.refresh();

    expect(as.tokenRequests).toBe(3);
    expect(as.tokenErrors).toEqual(['use_dpop_nonce']);
    expect(as.grants).toHaveLength(2);
    expect(as.grants[1]?.used).toBe(as.grants[0]?.issued);
    expect(as.grants[1]?.tokenType).toBe('DPoP');
    expect(counts).toEqual({ refreshCalls: 2, refreshStarts: 2, refreshFailures: 0 });
    expect(session.getState().status).toBe('signedIn');
  });

  it('a refresh token bound to the key keeps working across rotations, every access token bound to the same key', async () => {
    const as = await authorizationServer();
    const signer = await dpop();
    const jkt = await signer.thumbprint();
    const signedInWith = await as.signedIn(CLIENT_ID, { jkt });
    const { session } = sessionWith(as, signer, signedInWith);

    const bindings: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      await session.refresh();
      bindings.push((await verifiedClaims(as, await session.getAccessToken())).cnf?.jkt);
    }

    expect(bindings).toEqual([jkt, jkt, jkt]);
    const [first, second, third] = as.grants;
    expect(as.grants.map((grant) => grant.tokenType)).toEqual(['DPoP', 'DPoP', 'DPoP']);
    expect(second?.used).toBe(first?.issued);
    expect(third?.used).toBe(second?.issued);
    expect(session.getState().status).toBe('signedIn');
  });

  it("signer.handle makes the app's own token requests with the same key and nonces: their tokens are bound to it, and the session goes on from them", async () => {
    const as = await authorizationServer();
    const signer = await dpop();
    const jkt = await signer.thumbprint();
    const start = await as.signedIn(CLIENT_ID, { jkt });
    // The app's own request (as its sign-in's code exchange would be), through oauth4webapi with the handle.
    const server = await processDiscoveryResponse(
      new URL(as.issuer),
      await discoveryRequest(new URL(as.issuer), { [allowInsecureRequests]: true }),
    );
    const grant = (handleNonce: boolean) =>
      refreshTokenGrantRequest(server, { client_id: CLIENT_ID }, None(), start, {
        DPoP: signer.handle,
        [allowInsecureRequests]: true,
      }).then((response) =>
        processRefreshTokenResponse(server, { client_id: CLIENT_ID }, response).catch((error: unknown) => {
          if (handleNonce && isDPoPNonceError(error)) return undefined;
          throw error;
        }),
      );
    // The provider demands a nonce: the first answer teaches it to the handle, the second succeeds.
    const tokens = (await grant(true)) ?? (await grant(false));
    expect(tokens?.token_type.toLowerCase()).toBe('dpop');
    expect((await verifiedClaims(as, tokens?.access_token ?? null)).cnf?.jkt).toBe(jkt);
    // The nonce it learnt is the signer's: the session's refresh from these tokens needs no nonce dance.
    const { session } = sessionWith(as, signer, tokens?.refresh_token as string);
    const before = as.tokenRequests;
    await session.refresh();
    expect(as.tokenRequests - before).toBe(1);
    expect((await verifiedClaims(as, await session.getAccessToken())).cnf?.jkt).toBe(jkt);
  });

  it("a refresh token bound to one key is refused with another key's proofs (invalid_grant), is still the first key's, and ends a session that presents it: SESSION_EXPIRED", async () => {
    const as = await authorizationServer();
    const rightful = await dpop();
    const other = await dpop();
    const first = await refreshWith(
      as,
      rightful,
    )(context(await as.signedIn(CLIENT_ID, { jkt: await rightful.thumbprint() })));
    const rotated = first.refreshToken as string; // bound to the rightful key as the one it replaced

    const stolen = await refreshWith(as, other)(context(rotated)).catch((error: unknown) => error);
    const bare = await oauthRefresh({ issuer: as.issuer, clientId: CLIENT_ID, allowInsecureRequests: true })(
      context(rotated),
    ).catch((error: unknown) => error);

    expect(stolen).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(bare).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(as.grants).toHaveLength(1);

    const { session, counts } = sessionWith(as, other, rotated);
    const outcome = await session.refresh().catch((error: unknown) => error);

    expect(codeOf(outcome)).toBe('SESSION_EXPIRED');
    expect(session.getState().status).toBe('signedOut');
    expect(session.getState().error?.cause).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(counts.refreshCalls).toBe(1);
    expect(as.grants).toHaveLength(1);

    // The refusals were about the key, not the token: its own key still refreshes with it.
    const again = await refreshWith(as, rightful)(context(rotated));
    expect((await verifiedClaims(as, again.accessToken ?? null)).cnf?.jkt).toBe(await rightful.thumbprint());
    expect(as.grants).toHaveLength(2);
  });
});

describe("oauthRefresh({ dpop }) and the token endpoint's use_dpop_nonce", () => {
  /** A token endpoint that always asks for a new nonce, recording the proofs it gets. */
  async function demandingEndpoint() {
    const proofs: string[] = [];
    const server = createServer((req, res) => {
      proofs.push(String(req.headers.dpop ?? ''));
      res
        .writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': `nonce-${proofs.length}` })
        .end(JSON.stringify({ error: 'use_dpop_nonce', error_description: 'a nonce is required' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, proofs };
  }

  it('retries once, the second proof carrying the nonce given; asked again, rejects with that 400 (terminal)', async () => {
    const endpoint = await demandingEndpoint();
    const refresh = oauthRefresh({
      tokenEndpoint: endpoint.url,
      clientId: CLIENT_ID,
      allowInsecureRequests: true,
      dpop: await dpop(),
    });

    const outcome = await refresh(context('refresh-token-1')).catch((error: unknown) => error);

    expect(outcome).toMatchObject({ status: 400, error: 'use_dpop_nonce' });
    expect(endpoint.proofs).toHaveLength(2);
    const [first, second] = endpoint.proofs.map((proof) => decodeJwt(proof));
    expect(first?.nonce).toBeUndefined();
    expect(second?.nonce).toBe('nonce-1');
    expect(second?.jti).not.toBe(first?.jti);
  });

  it('without dpop, a use_dpop_nonce answer is not retried', async () => {
    const endpoint = await demandingEndpoint();
    const refresh = oauthRefresh({
      tokenEndpoint: endpoint.url,
      clientId: CLIENT_ID,
      allowInsecureRequests: true,
    });

    const outcome = await refresh(context('refresh-token-1')).catch((error: unknown) => error);

    expect(outcome).toMatchObject({ status: 400, error: 'use_dpop_nonce' });
    expect(endpoint.proofs).toEqual(['']);
  });
});
