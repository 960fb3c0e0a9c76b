import { misuse, type RefreshContext, type TokensInput } from '@reauth/core';
import {
  type AuthorizationServer,
  allowInsecureRequests as allowInsecure,
  type Client,
  type ClientAuth,
  discoveryRequest,
  isDPoPNonceError,
  None,
  processDiscoveryResponse,
  processRefreshTokenResponse,
  refreshTokenGrantRequest,
  type TokenEndpointResponse,
} from 'oauth4webapi';
import { type DPoPSigner, dpopHandles } from './dpop';

/**
 * The options of {@link oauthRefresh}. Give `issuer` (discovered once), or `tokenEndpoint`, or both.
 * @example
 * ```ts
 * const options: OAuthRefreshOptions = {
 *   tokenEndpoint: 'https://tenant.auth0.com/oauth/token',
 *   clientId: 'web',
 *   dpop: await dpop(), // optional: DPoP-bound tokens; the same signer goes to createSession({ dpop })
 * };
 * ```
 */
export interface OAuthRefreshOptions {
  /**
   * The authorization server's issuer identifier, e.g. `https://auth.example.com/realms/app`. Its OpenID
   * Connect discovery document (`/.well-known/openid-configuration`) is fetched once, at the first refresh,
   * and gives the token endpoint; an `id_token` in a refresh response is then checked against this issuer.
   */
  issuer?: string | URL | undefined;
  /**
   * The token endpoint itself, e.g. `https://tenant.auth0.com/oauth/token`: no discovery. Without `issuer`, an
   * `id_token` in the response is ignored (no issuer is known to check it against).
   */
  tokenEndpoint?: string | URL | undefined;
  /** The client's `client_id` at the authorization server. */
  clientId: string;
  /**
   * How the client authenticates at the token endpoint. Default: a public client (`None()`: only `client_id`
   * is sent). Any oauth4webapi client authentication works, e.g. `ClientSecretPost(secret)` on a server.
   */
  clientAuth?: ClientAuth | undefined;
  /** Allow plain `http://` endpoints — for a local development server only. Default false. */
  allowInsecureRequests?: boolean | undefined;
  /**
   * The DPoP signer of the session (`await dpop()`, the same one given to `createSession({ dpop })`): each token
   * request carries a proof of its key, so the tokens issued are bound to it (`token_type: 'DPoP'`), and a
   * refresh token bound to it keeps working. The token endpoint's `use_dpop_nonce` is retried once, with its nonce.
   */
  dpop?: DPoPSigner | undefined;
}

const WHERE = 'oauthRefresh';

/**
 * A `refresh` function for `createSession({ refresh })` that runs the OAuth 2.0 `refresh_token` grant
 * (RFC 6749 §6) at a standard authorization server (Keycloak, Auth0, Okta, Cognito, Entra, oidc-provider…)
 * through oauth4webapi. An OAuth error from the token endpoint (`invalid_grant`: the refresh token expired,
 * was revoked or was already used; or any other 400/401) rejects with an error carrying that HTTP `status`, so
 * reauth re-authenticates; a 5xx or a network failure carries no 4xx status and is transient
 * (`REFRESH_UNAVAILABLE`, the session kept). A response without a new refresh token keeps the current one.
 * With `dpop`, token requests carry a proof of the signer's key (the endpoint's `use_dpop_nonce` retried once).
 * @param options where the token endpoint is, and who the client is
 * @returns the refresh function; it aborts its request when reauth's `signal` aborts
 * @example
 * ```ts
 * const session = createSession({
 *   refresh: oauthRefresh({ issuer: 'https://auth.example.com/realms/app', clientId: 'web' }),
 * });
 * ```
 */
export function oauthRefresh(
  options: OAuthRefreshOptions,
): (context: RefreshContext) => Promise<TokensInput> {
  if (typeof options !== 'object' || options === null) {
    throw misuse(WHERE, 'expected options { issuer or tokenEndpoint, clientId }');
  }
  const { clientId, clientAuth = None(), allowInsecureRequests = false } = options;
  if (typeof clientId !== 'string' || clientId === '') {
    throw misuse(WHERE, '`clientId` must be the client_id registered at the authorization server');
  }
  if (typeof clientAuth !== 'function') {
    throw misuse(
      WHERE,
      '`clientAuth` must be an oauth4webapi client authentication, e.g. ClientSecretPost(secret)',
    );
  }
  if (typeof allowInsecureRequests !== 'boolean') {
    throw misuse(WHERE, '`allowInsecureRequests` must be a boolean');
  }
  const DPoP = options.dpop === undefined ? undefined : dpopHandles.get(options.dpop);
  if (options.dpop !== undefined && !DPoP) {
    throw misuse(WHERE, "`dpop` must be the signer of `await dpop()` from '@reauth/oauth'");
  }
  const issuer = endpoint('issuer', options.issuer, allowInsecureRequests);
  const tokenEndpoint = endpoint('tokenEndpoint', options.tokenEndpoint, allowInsecureRequests);
  if (!issuer && !tokenEndpoint) {
    throw misuse(WHERE, 'expected `issuer` (discovered once) or `tokenEndpoint`');
  }

  const client: Client = { client_id: clientId };
  const http = { [allowInsecure]: allowInsecureRequests };
  const idTokenChecked = issuer !== undefined;
  let server: Promise<AuthorizationServer> | undefined = tokenEndpoint
    ? Promise.resolve({
        // Without an issuer, oauth4webapi still wants one: the endpoint's origin stands in, and the id_token it
        // would be checked against is dropped before processing (see `withoutIdToken`).
        issuer: (issuer ?? new URL(tokenEndpoint.origin)).href,
        token_endpoint: tokenEndpoint.href,
      })
    : undefined;

  const discover = (signal: AbortSignal): Promise<AuthorizationServer> => {
    if (!server) {
      const url = issuer as URL;
      server = discoveryRequest(url, { ...http, signal }).then((response) =>
        processDiscoveryResponse(url, response),
      );
      // A failed discovery is not cached: the next refresh tries again.
      server.catch(() => {
        server = undefined;
      });
    }
    return server;
  };

  return async ({ refreshToken, signal }) => {
    const as = await discover(signal);
    const grant = async (isNonceRetry: boolean): Promise<TokenEndpointResponse> => {
      const response = await refreshTokenGrantRequest(as, client, clientAuth, refreshToken, {
        ...http,
        ...(DPoP && { DPoP }),
        signal,
      });
      try {
        return await processRefreshTokenResponse(
          as,
          client,
          idTokenChecked ? response : await withoutIdToken(response),
        );
      } catch (error) {
        // The handle has learnt the nonce from this answer: the second proof carries it. Once: a server that
        // refuses that one too has another problem.
        if (DPoP && !isNonceRetry && isDPoPNonceError(error)) return grant(true);
        throw withoutBody(error);
      }
    };
    const result = await grant(false);
    const tokens: TokensInput = { accessToken: result.access_token, refreshToken: result.refresh_token };
    if (result.expires_in !== undefined) tokens.expiresIn = result.expires_in;
    return tokens;
  };
}

/**
 * oauth4webapi's error, without what could hold tokens: a malformed 200 (a `token_type` it does not take, a bad
 * `expires_in`) carries the whole token response as `cause.body`, which would reach the session's error and its
 * events. Kept: the message, `code`, `status`, `error`, `error_description`.
 */
function withoutBody(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { code, status, error: oauthError, error_description } = error as Error & Record<string, unknown>;
  const cause = (error as { cause?: unknown }).cause as { body?: unknown } | undefined;
  if (!cause || typeof cause !== 'object' || !('body' in cause)) return error;
  const safe = new Error(error.message);
  safe.name = error.name;
  return Object.assign(safe, { code, status, error: oauthError, error_description });
}

function endpoint(name: string, value: unknown, allowInsecureRequests: boolean): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' || value instanceof URL ? new URL(value) : undefined;
  } catch {}
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw misuse(WHERE, `\`${name}\` must be an absolute https:// URL`);
  }
  if (url.protocol === 'http:' && !allowInsecureRequests) {
    throw misuse(WHERE, `\`${name}\` is http://; pass allowInsecureRequests: true for a local server only`);
  }
  return url;
}

/** The same successful response without its `id_token`, which reauth does not use and cannot check here. */
async function withoutIdToken(response: Response): Promise<Response> {
  if (response.status !== 200) return response;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  if (typeof body !== 'object' || body === null || !('id_token' in body)) return response;
  const { id_token: _dropped, ...rest } = body as Record<string, unknown>;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(rest), { status: 200, headers });
}
