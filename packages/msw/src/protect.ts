import { HttpHandler } from 'msw';
import type { ServerState } from './controls';
import type { CredentialModel } from './models';
import { insufficientScope, insufficientUserAuthentication, refusal } from './responses';
import type { AccessClaims, TokenStore } from './tokens';
import type { ProtectOptions } from './types';

export interface ProtectContext {
  /** Where the credential is (a bearer token or a session cookie) and how it is checked. */
  model: CredentialModel;
  state: ServerState;
  store: TokenStore;
  /** Keep each request's body (redacted) in its record. */
  recordBodies: boolean;
}

/** What `stats.requests[].url` shows in place of a token found in the URL's path. */
const REDACTED = '[redacted]';

// The kit's access tokens are JWTs: a JSON header and payload, so both segments start with `eyJ`.
const JWT = /eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g;

/**
 * `text` without a token: the credential as sent or percent-encoded, any JWT, and every refresh token
 * (and session id) the kit issued.
 */
function redact(text: string, presented: string | null, store: TokenStore): string {
  let recorded = text;
  if (presented !== null) {
    for (const form of new Set([presented, encodeURI(presented), encodeURIComponent(presented)])) {
      recorded = recorded.replaceAll(form, REDACTED);
    }
  }
  return store.redactRefreshTokens(recorded.replace(JWT, REDACTED), REDACTED);
}

/** The URL as stats may hold it: no query (it may carry secrets), no token in the path (`/files/:token`). */
function recordedUrl(url: string, presented: string | null, store: TokenStore): string {
  const { origin, pathname } = new URL(url);
  return redact(`${origin}${pathname}`, presented, store);
}

/** The roles check of `protect`: any one of `roles` admits; no roles asked = any valid credential. */
export const hasAnyRole = (claims: AccessClaims, roles: readonly string[]) =>
  roles.length === 0 || roles.some((role) => claims.roles.includes(role));

// An RFC 9470 acr value goes in a quoted, space-separated list: no space, quote, backslash or control character.
const ACR = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export const isAcr = (value: unknown): value is string => typeof value === 'string' && ACR.test(value);

/** The step-up options of `protect`, checked: the accepted `acr` values ([] = any) and `maxAge`. */
export function checkStepUp({ acr, maxAge }: ProtectOptions): { acr: string[]; maxAge: number | undefined } {
  const values = acr === undefined ? [] : Array.isArray(acr) ? acr : [acr];
  if ((acr !== undefined && values.length === 0) || !values.every(isAcr)) {
    throw new TypeError(
      "[reauth/msw] protect() acr expects an acr value or a non-empty array of them, each without spaces, quotes or backslashes, e.g. 'mfa'",
    );
  }
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge >= 0)) {
    throw new TypeError(
      `[reauth/msw] protect() maxAge expects a whole number of seconds >= 0, got ${String(maxAge)}`,
    );
  }
  return { acr: values, maxAge };
}

type Resolve = (
  claims: AccessClaims,
  info: { request: Request; requestId: string },
) => Promise<Response | undefined> | Response | undefined;

/**
 * A handler on `method` and `path` that answers 401/403 itself, hands an authorized request to
 * `resolve`, and records every answer in `stats.requests` (the redacted view: a `jti`, never a token).
 */
export function createGuard({ model, state, store, recordBodies }: ProtectContext) {
  const { challenge, credential } = model;
  return function guard(
    method: HttpHandler['info']['method'],
    path: HttpHandler['info']['path'],
    resolve: Resolve,
    options: ProtectOptions = {},
  ): HttpHandler {
    const { roles = [], insufficientScopeAs401 = false } = options;
    // Checked here, not at the first request (where it would be a 500 from inside the handler).
    if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string')) {
      throw new TypeError(
        `[reauth/msw] protect(handler, { roles }) expects an array of role names, e.g. { roles: ['admin'] }, got ${JSON.stringify(roles)}`,
      );
    }
    const stepUp = checkStepUp(options);
    // Signed in as asked: one of the acr values, and within maxAge seconds (by the kit's clock).
    const isStrongEnough = ({ acr, authTime }: AccessClaims) =>
      (stepUp.acr.length === 0 || stepUp.acr.includes(acr)) &&
      (stepUp.maxAge === undefined || state.now() - authTime * 1000 <= stepUp.maxAge * 1000);
    return new HttpHandler(method, path, async ({ request, requestId }) => {
      const isCurrent = state.tagWork();
      const token = model.accessOf(request);
      // Read from a clone before anyone consumes it: a refused request's body is recorded too.
      const body = recordBodies ? await request.clone().text() : undefined;
      const check = await model.verifyAccess(token);
      let response: Response | undefined;
      if (!('claims' in check)) response = refusal(challenge, check.problem, credential);
      else if (!hasAnyRole(check.claims, roles)) {
        response = insufficientScope(challenge, roles, insufficientScopeAs401);
      } else if (!isStrongEnough(check.claims)) {
        response = insufficientUserAuthentication(challenge, stepUp.acr, stepUp.maxAge);
      } else response = await resolve(check.claims, { request, requestId });
      // A wrapped handler that falls through answered nothing: nothing to record.
      if (response === undefined) return undefined;
      if (!isCurrent()) {
        // Started before a reset(): not this generation's to record, and its token belongs to the old
        // server (signed with the old key), so the reset server refuses it.
        const recheck = await model.verifyAccess(token);
        return 'claims' in recheck ? response : refusal(challenge, recheck.problem, credential);
      }
      state.stats.requests.push({
        method: request.method,
        url: recordedUrl(request.url, token, store),
        status: response.status,
        hadToken: token !== null,
        tokenId: 'claims' in check ? check.claims.jti : check.tokenId,
        at: state.now(),
        ...(body === undefined ? {} : { body: body === '' ? null : redact(body, token, store) }),
      });
      return response;
    });
  };
}

export type Guard = ReturnType<typeof createGuard>;

/** `protect(handler, options)`: the guard on the handler's own method and path, delegating to it. */
export function createProtect(guard: Guard) {
  return function protect(handler: HttpHandler, options: ProtectOptions = {}): HttpHandler {
    if (!(handler instanceof HttpHandler)) {
      throw new TypeError('[reauth/msw] protect() expects an msw http handler, e.g. http.get(url, resolver)');
    }
    const { method, path } = handler.info;
    // The wrapped handler matches and resolves as it would on its own (params, cookies, `once`).
    return guard(method, path, async (_, info) => (await handler.run(info))?.response, options);
  };
}
