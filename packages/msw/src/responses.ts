import { HttpResponse } from 'msw';
import type { AccessProblem } from './tokens';

/** An OAuth-style error body (`error`, `error_description`), optionally with a Bearer challenge. */
export function oauthError(
  status: number,
  error: string,
  description?: string,
  challenge?: string,
): HttpResponse<Record<string, string>> {
  const body = description === undefined ? { error } : { error, error_description: description };
  const headers = challenge === undefined ? undefined : { 'WWW-Authenticate': challenge };
  return HttpResponse.json(body, headers === undefined ? { status } : { status, headers });
}

/**
 * An RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped as quoted-pairs, so a parser reads back the
 * value as given (`my "app"` → `"my \"app\""`).
 */
const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** `Bearer realm="…"`, the realm quoted. */
export const bearerChallenge = (realm: string) => `Bearer realm=${quoted(realm)}`;

/**
 * The challenge of a cookie session: the `Cookie` scheme of draft-broyer-http-cookie-auth, which names the
 * login form and the cookie (`Cookie realm="…", form-action="…/auth/login", cookie-name="…"`). Not
 * `Bearer`: no token sent in a header would be accepted.
 */
export const cookieChallenge = (realm: string, loginUrl: string, cookieName: string) =>
  `Cookie realm=${quoted(realm)}, form-action=${quoted(loginUrl)}, cookie-name=${quoted(cookieName)}`;

export const invalidRequest = () =>
  oauthError(400, 'invalid_request', 'Send a JSON object with the required string fields');

/** What a 401 calls the credential it refused. */
export type Credential = 'token' | 'session';

const DESCRIPTIONS: Record<Credential, Record<Exclude<AccessProblem, 'missing'>, string>> = {
  token: { expired: 'The access token expired', invalid: 'The access token is invalid' },
  session: { expired: 'The session expired', invalid: 'The session is unknown, ended or replaced' },
};

/**
 * The 401 for a request without a usable token (or session). Without one the challenge has no `error`
 * (RFC 6750 §3.1: the client may not know authentication is needed); with one, `invalid_token`.
 */
export function refusal(
  challenge: string,
  problem: AccessProblem,
  credential: Credential = 'token',
): HttpResponse<Record<string, string>> {
  if (problem === 'missing') return oauthError(401, 'unauthorized', undefined, challenge);
  return invalidToken(challenge, DESCRIPTIONS[credential][problem]);
}

/** 401 `invalid_token`, in the body and the challenge (`description` is the kit's own text, no quotes). */
export const invalidToken = (challenge: string, description: string) =>
  oauthError(
    401,
    'invalid_token',
    description,
    `${challenge}, error="invalid_token", error_description="${description}"`,
  );

/** A user without the role: 403, or 401 when asked, both with an `insufficient_scope` challenge. */
export function insufficientScope(
  challenge: string,
  roles: readonly string[],
  as401: boolean,
): HttpResponse<Record<string, string>> {
  const description = `Requires one of the roles: ${roles.join(', ')}`;
  const params = `, error="insufficient_scope", scope="${roles.join(' ')}"`;
  const status = as401 ? 401 : 403;
  return oauthError(status, 'insufficient_scope', description, `${challenge}${params}`);
}

export async function readJsonObject(request: Request): Promise<Record<string, unknown> | null> {
  try {
    const value: unknown = await request.json();
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function bearerToken(request: Request): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? null;
}

/**
 * A credential signed in too weakly or too long ago (RFC 9470): 401 `insufficient_user_authentication`, with
 * `acr_values` (when `acr` is asked) and `max_age` (when given) in the challenge, as clients read them.
 */
export function insufficientUserAuthentication(
  challenge: string,
  acr: readonly string[],
  maxAge: number | undefined,
): HttpResponse<Record<string, string>> {
  const ways = acr.length === 0 ? '' : ` with ${acr.join(' or ')}`;
  const within = maxAge === undefined ? '' : ` within the last ${maxAge} seconds`;
  const description = `This request requires a sign-in${ways}${within}`;
  const params = [
    ', error="insufficient_user_authentication"',
    `, error_description="${description}"`,
    acr.length === 0 ? '' : `, acr_values="${acr.join(' ')}"`,
    maxAge === undefined ? '' : `, max_age=${maxAge}`,
  ].join('');
  return oauthError(401, 'insufficient_user_authentication', description, `${challenge}${params}`);
}
