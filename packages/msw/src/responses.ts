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
 * `Bearer realm="…"` with the realm as an RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped as
 * quoted-pairs, so a parser reads back the realm as given (`my "app"` → `realm="my \"app\""`).
 */
export const bearerChallenge = (realm: string) => `Bearer realm="${realm.replace(/["\\]/g, '\\$&')}"`;

export const invalidRequest = () =>
  oauthError(400, 'invalid_request', 'Send a JSON object with the required string fields');

const DESCRIPTIONS: Record<Exclude<AccessProblem, 'missing'>, string> = {
  expired: 'The access token expired',
  invalid: 'The access token is invalid',
};

/**
 * The 401 for a request without a usable token. Without a token the challenge has no `error`
 * (RFC 6750 §3.1: the client may not know authentication is needed); with one, `invalid_token`.
 */
export function refusal(realm: string, problem: AccessProblem): HttpResponse<Record<string, string>> {
  const challenge = bearerChallenge(realm);
  if (problem === 'missing') return oauthError(401, 'unauthorized', undefined, challenge);
  const description = DESCRIPTIONS[problem];
  const params = `, error="invalid_token", error_description="${description}"`;
  return oauthError(401, 'invalid_token', description, `${challenge}${params}`);
}

/** A token without the role: 403, or 401 when asked, both with an `insufficient_scope` challenge. */
export function insufficientScope(
  realm: string,
  roles: readonly string[],
  as401: boolean,
): HttpResponse<Record<string, string>> {
  const description = `Requires one of the roles: ${roles.join(', ')}`;
  const params = `, error="insufficient_scope", scope="${roles.join(' ')}"`;
  const status = as401 ? 401 : 403;
  return oauthError(status, 'insufficient_scope', description, `${bearerChallenge(realm)}${params}`);
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
