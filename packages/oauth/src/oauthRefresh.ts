import { misuse, type RefreshContext, type TokensInput, waitFor, warnOnce } from '@reauth/core';
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
  // A factory passed uncalled (`ClientSecretPost`, not `ClientSecretPost(secret)`) would send no credentials: the
  // server answers invalid_client, and the user is signed out at the first refresh. A client authentication takes
  // the request's body and headers (3 or 4 parameters); a factory takes at most 2.
  if (process.env.NODE_ENV !== 'production' && clientAuth.length < 3) {
    warnOnce(
      `${WHERE}: \`clientAuth\` looks like a factory passed uncalled (a client authentication takes the request's body and headers): call it, e.g. clientAuth: ClientSecretPost(secret).`,
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

  // One discovery for every refresh (of every session, on a server): not tied to the signal of the refresh that
  // happened to start it — a sign-out there must not fail the others' — but bounded on its own.
  const discover = (signal: AbortSignal): Promise<AuthorizationServer> => {
    if (!server) {
      const url = issuer as URL;
      server = discoveryRequest(url, { ...http, signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) }).then(
        (response) => processDiscoveryResponse(url, response),
      );
      // A failed discovery is not cached: the next refresh tries again.
      server.catch(() => {
        server = undefined;
      });
    }
    return waitFor(server, signal);
  };

  return async ({ refreshToken, signal }) => {
    try {
      return await refreshWith(await discover(signal), refreshToken, signal);
    } catch (error) {
      throw safeError(error, refreshToken);
    }
  };

  async function refreshWith(
    as: AuthorizationServer,
    refreshToken: string,
    signal: AbortSignal,
  ): Promise<TokensInput> {
    const grant = async (isNonceRetry: boolean): Promise<TokenEndpointResponse> => {
      const response = await refreshTokenGrantRequest(as, client, clientAuth, refreshToken, {
        ...http,
        ...(DPoP && { DPoP }),
        signal,
      });
      try {
        return await processRefreshTokenResponse(as, client, await tolerated(response, !idTokenChecked));
      } catch (error) {
        // The handle has learnt the nonce from this answer: the second proof carries it. Once: a server that
        // refuses that one too has another problem.
        if (DPoP && !isNonceRetry && isDPoPNonceError(error)) return grant(true);
        throw error;
      }
    };
    const result = await grant(false);
    // The tokens are kept (the server has rotated the refresh token already), but every API call will be refused:
    // the session sends them as DPoP.
    if (process.env.NODE_ENV !== 'production' && DPoP && result.token_type.toLowerCase() !== 'dpop') {
      warnOnce(
        `${WHERE}: dpop was given, but the token endpoint answered token_type ${result.token_type}: enable DPoP for client ${clientId} at the authorization server, or drop the dpop option.`,
      );
    }
    const tokens: TokensInput = { accessToken: result.access_token, refreshToken: result.refresh_token };
    if (result.expires_in !== undefined) tokens.expiresIn = result.expires_in;
    return tokens;
  }
}

/** How long the shared discovery may take: it is no refresh's own, so no refresh's signal ends it. */
const DISCOVERY_TIMEOUT_MS = 30_000;

/**
 * The refresh's error as the session and its events show it, without what could hold a token. oauth4webapi's own
 * errors (`OAUTH_…` codes) carry the response: as `cause` (a malformed 200's whole token response, the body around a
 * JSON parse error, an id_token that failed its check) or as `response`; and a server may echo the refresh token in
 * `error_description`. Those two fields go, and the refresh token sent is cut out of the message and the
 * description; the error keeps its class (`ResponseBodyError`…), `code`, `status` and `error`. It was made for this
 * call alone. Other errors (a network failure, an abort) are passed on as they are.
 */
function safeError(error: unknown, refreshToken: string): unknown {
  const own = error as Error & {
    code?: unknown;
    cause?: unknown;
    response?: unknown;
    error_description?: unknown;
  };
  if (!(error instanceof Error) || typeof own.code !== 'string' || !own.code.startsWith('OAUTH_'))
    return error;
  const clean = <T>(text: T) =>
    typeof text === 'string' ? text.split(refreshToken).join('[redacted]') : text;
  delete own.cause;
  delete own.response;
  own.message = clean(own.message);
  if (own.stack !== undefined) own.stack = clean(own.stack);
  if (own.error_description !== undefined) own.error_description = clean(own.error_description);
  return error;
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
  // fetch refuses such a URL at every request, quoting it — the password with it.
  if (url.username || url.password) {
    throw misuse(
      WHERE,
      `\`${name}\` must not carry a user or password: give the client's secret as clientAuth`,
    );
  }
  if (url.protocol === 'http:' && !allowInsecureRequests) {
    throw misuse(WHERE, `\`${name}\` is http://; pass allowInsecureRequests: true for a local server only`);
  }
  return url;
}

/**
 * The same response, as oauth4webapi takes it, where a successful one needs two allowances: an `id_token` reauth
 * does not use and cannot check (`dropIdToken`: no issuer is known) is left out, and a `refresh_token: null` (some
 * servers send it for "no new one") is read as absent — the current refresh token is kept — instead of failing
 * every refresh.
 */
async function tolerated(response: Response, dropIdToken: boolean): Promise<Response> {
  if (response.status !== 200) return response;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  if (typeof body !== 'object' || body === null) return response;
  const { id_token, refresh_token, ...rest } = body as Record<string, unknown>;
  const kept = {
    ...rest,
    ...(id_token !== undefined && !dropIdToken && { id_token }),
    ...(refresh_token != null && { refresh_token }),
  };
  if (Object.keys(kept).length === Object.keys(body).length) return response;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(JSON.stringify(kept), { status: 200, headers });
}
