// A real OpenID provider (oidc-provider, panva's certified one) and resource servers that verify its JWT
// access tokens with jose (Bearer, or DPoP-bound with their proofs), all on 127.0.0.1 with free ports, for the
// tests of oauthRefresh and dpop.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  EmbeddedJWK,
  exportJWK,
  generateKeyPair,
  type JWK,
  jwtVerify,
} from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

export const CLIENT_ID = 'web';
export const SCOPE = 'openid offline_access api:read';
/** A confidential client (a server-side app) that authenticates with `client_secret_post`. */
export const CONFIDENTIAL = { clientId: 'backend', secret: 'backend-secret-for-tests-only' };

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** What the token endpoint saw: each grant's consumed and newly issued refresh token ids. */
export interface Grant {
  used: string | undefined;
  issued: string | undefined;
  /** The `token_type` of the response: 'DPoP' when the access token is bound to the proof's key. */
  tokenType: string | undefined;
}

export interface AuthorizationServer {
  issuer: string;
  /** POST requests that reached the token endpoint. */
  tokenRequests: number;
  /** Successful grants, in order. */
  grants: Grant[];
  /** Lifetime in seconds of the access tokens issued from now on. */
  accessTokenTtl: number;
  /** Answer every request with this status instead of the provider, when set (e.g. 503). */
  failWith: number | undefined;
  /** The token endpoint's OAuth errors, in order (e.g. 'use_dpop_nonce', 'invalid_grant'). */
  tokenErrors: string[];
  /**
   * A refresh token for the test user, issued for `SCOPE` and the resource server — what the authorization code
   * flow would have left the app with after the user signed in. With `jkt`, bound to that DPoP key (RFC 9449
   * §5), as the code exchange of a public client that sent a DPoP proof leaves it.
   */
  signedIn(clientId?: string, binding?: { jkt?: string }): Promise<string>;
  /** Stops answering (connections refused), as an authorization server that is down. */
  stop(): Promise<void>;
  jwks: { keys: JWK[] };
}

export interface AuthorizationServerOptions {
  /**
   * DPoP with server nonces: every DPoP proof must carry a fresh `DPoP-Nonce` of the provider's, else the
   * answer is `use_dpop_nonce` with one (oidc-provider's `features.dPoP.nonceSecret` and `requireNonce`). DPoP
   * itself is on either way (oidc-provider's default), without nonces.
   */
  dpopNonces?: boolean;
}

export async function startAuthorizationServer(
  resource: string,
  options: AuthorizationServerOptions = {},
): Promise<AuthorizationServer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'as-key' };
  const publicJwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'as-key' };
  let provider: Provider | undefined;
  const state = {
    tokenRequests: 0,
    grants: [] as Grant[],
    accessTokenTtl: 300,
    failWith: undefined as number | undefined,
    tokenErrors: [] as string[],
  };
  const server = await listen((req, res) => {
    if (state.failWith !== undefined) {
      res.writeHead(state.failWith, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    if (req.method === 'POST' && req.url === '/token') state.tokenRequests += 1;
    provider?.callback()(req, res);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
        id_token_signed_response_alg: 'ES256',
      },
      {
        client_id: CONFIDENTIAL.clientId,
        client_secret: CONFIDENTIAL.secret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    ttl: {
      AccessToken: () => state.accessTokenTtl,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      RefreshToken: 14 * 24 * 3600,
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-only-cookie-key'] },
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      dPoP: options.dpopNonces
        ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
        : { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api:read',
          audience: resource,
          accessTokenTTL: state.accessTokenTtl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  });
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const { RotatedRefreshToken, RefreshToken } = ctx.oidc.entities;
    const tokenType = (ctx.body as { token_type?: string } | undefined)?.token_type;
    state.grants.push({ used: RotatedRefreshToken?.jti, issued: RefreshToken?.jti, tokenType });
  });
  provider.on('grant.error', (_ctx: KoaContextWithOIDC, error: { error?: string }) => {
    state.tokenErrors.push(error.error ?? 'unknown');
  });

  return Object.assign(state, {
    issuer,
    jwks: { keys: [publicJwk] },
    async signedIn(clientId = CLIENT_ID, binding: { jkt?: string } = {}) {
      const live = provider as Provider;
      const client = await live.Client.find(clientId);
      if (!client) throw new Error(`client ${clientId} is not registered`);
      const grant = new live.Grant({ accountId: 'alice', clientId });
      grant.addOIDCScope('openid offline_access');
      grant.addResourceScope(resource, 'api:read');
      const grantId = await grant.save();
      const refreshToken = new live.RefreshToken({
        accountId: 'alice',
        client,
        grantId,
        gty: 'authorization_code',
        scope: SCOPE,
        resource,
        ...(binding.jkt && { jkt: binding.jkt }),
      });
      return refreshToken.save();
    },
    stop: () => close(server),
  });
}

export interface ResourceServer {
  url: string;
  /** How far the resource server's clock runs ahead of the client's, in ms. */
  clockAheadMs: number;
  /** Requests answered 401 because the token had expired. */
  expired: number;
  ok: number;
  stop(): Promise<void>;
}

/** A resource server: `GET /items` needs a valid JWT access token of the issuer for this audience. */
export async function startResourceServer(): Promise<
  ResourceServer & { trust(as: AuthorizationServer): void }
> {
  let as: AuthorizationServer | undefined;
  const state = { clockAheadMs: 0, expired: 0, ok: 0 };
  const server = await listen(async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !as) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    try {
      await jwtVerify(token, createLocalJWKSet(as.jwks), {
        issuer: as.issuer,
        audience: url,
        typ: 'at+jwt',
        currentDate: new Date(Date.now() + state.clockAheadMs),
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED') state.expired += 1;
      res
        .writeHead(401, {
          'www-authenticate': 'Bearer error="invalid_token", error_description="expired or invalid"',
        })
        .end();
      return;
    }
    state.ok += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [] }));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    trust(authorizationServer: AuthorizationServer) {
      as = authorizationServer;
    },
    stop: () => close(server),
  });
}

/** One request as a DPoP resource server saw it: the proof's `jti` and `nonce`, and what it answered. */
export interface DPoPRequest {
  jti: string | undefined;
  nonce: string | undefined;
  status: number;
  /** The `error` of the answer's `WWW-Authenticate: DPoP` challenge, e.g. 'use_dpop_nonce'. */
  error: string | undefined;
}

export interface DPoPResourceServer extends ResourceServer {
  /** Every request to `GET /items`, in order. */
  requests: DPoPRequest[];
  /** The nonce proofs must carry (RFC 9449 §9); set another to make it change, as nonces expire. */
  nonce: string;
  /** Refuse every proof with `invalid_dpop_proof`, when true. */
  refuseProofs: boolean;
}

/**
 * A resource server for DPoP-bound tokens (RFC 9449 §7): `GET /items` needs `Authorization: DPoP <JWT access token
 * of the issuer>` and a `DPoP` proof of the token's key (`cnf.jkt`), signed (jose, the key it embeds), for this
 * method and URL, with `ath` of the token, a `jti` never seen before, and the server's current nonce — answered
 * `use_dpop_nonce` with a `DPoP-Nonce` header when it is missing or old.
 */
export async function startDPoPResourceServer(): Promise<
  DPoPResourceServer & { trust(as: AuthorizationServer): void }
> {
  let as: AuthorizationServer | undefined;
  const seen = new Set<string>();
  const state = {
    clockAheadMs: 0,
    expired: 0,
    ok: 0,
    requests: [] as DPoPRequest[],
    nonce: 'rs-nonce-1',
    refuseProofs: false,
  };
  const server = await listen(async (req, res) => {
    const record: DPoPRequest = { jti: undefined, nonce: undefined, status: 401, error: undefined };
    state.requests.push(record);
    const refuse = (error: string, headers: Record<string, string> = {}) => {
      record.error = error;
      res.writeHead(401, { 'www-authenticate': `DPoP error="${error}"`, ...headers }).end();
    };
    const token = /^DPoP (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const proof = req.headers.dpop;
    if (!token || typeof proof !== 'string' || !as) return refuse('invalid_token');
    let jkt: string;
    try {
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: ['ES256'],
      });
      Object.assign(record, { jti: payload.jti, nonce: payload.nonce });
      const ath = createHash('sha256').update(token).digest('base64url');
      const isFresh = Math.abs(Date.now() / 1000 - (payload.iat ?? 0)) < 60;
      if (
        state.refuseProofs ||
        payload.htm !== req.method ||
        payload.htu !== `${url}${new URL(req.url ?? '/', url).pathname}` ||
        payload.ath !== ath ||
        typeof payload.jti !== 'string' ||
        seen.has(payload.jti) ||
        !isFresh
      ) {
        return refuse('invalid_dpop_proof');
      }
      seen.add(payload.jti);
      if (payload.nonce !== state.nonce) return refuse('use_dpop_nonce', { 'dpop-nonce': state.nonce });
      jkt = await calculateJwkThumbprint(protectedHeader.jwk as JWK);
    } catch {
      return refuse('invalid_dpop_proof');
    }
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(as.jwks), {
        issuer: as.issuer,
        audience: url,
        typ: 'at+jwt',
        currentDate: new Date(Date.now() + state.clockAheadMs),
      });
      if ((payload.cnf as { jkt?: string } | undefined)?.jkt !== jkt) return refuse('invalid_token');
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED') state.expired += 1;
      return refuse('invalid_token');
    }
    state.ok += 1;
    record.status = 200;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [] }));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    trust(authorizationServer: AuthorizationServer) {
      as = authorizationServer;
    },
    stop: () => close(server),
  });
}
