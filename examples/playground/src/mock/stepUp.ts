// Step-up (RFC 9470) on the playground's backend: an admin action that needs an MFA sign-in, and the route where
// the login modal sends the one-time code.
//
// The kit signs its access tokens itself (a key of its own, claims `sub`, `roles`, `jti`, `iat`, `exp`), and offers
// no way to add a claim: a token carrying `acr: 'mfa'` that its `protect()` accepts cannot be made outside it. So
// the step-up route takes a real token from the kit (`controls.issueTokens`) and this server remembers which
// tokens an MFA sign-in gave — by `jti`, as an introspection endpoint would answer `acr: 'mfa'` for them. With a
// cookie session there is no token: the session itself is strengthened, remembered by its cookie.
import type { CookieModel, MockAuthServer } from '@reauth/msw';
import { type HttpHandler, HttpResponse, http } from 'msw';
import type { SessionModel } from '../model';
import { STEP_UP } from './demo';

/** The kit's session cookie (its default name: the playground sets none). */
const SESSION_COOKIE = 'reauth_session';

const SECOND = 1000;

export interface StepUpOptions {
  auth: MockAuthServer<CookieModel | undefined>;
  /** The API's base URL: the routes live under it. */
  base: string;
  model: SessionModel;
  realm: string;
  /** Awaited before the admin action answers: the API's latency. */
  latency?: () => Promise<unknown>;
  now?: () => number;
}

const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** The `jti` of one of the kit's JWTs (already verified by `protect()`); null when it has none. */
function jtiOf(token: string): string | null {
  try {
    const payload = token.split('.')[1] ?? '';
    const claims: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const jti = (claims as { jti?: unknown } | null)?.jti;
    return typeof jti === 'string' && jti !== '' ? jti : null;
  } catch {
    return null;
  }
}

function cookieOf(request: Request, name: string): string | null {
  for (const pair of (request.headers.get('cookie') ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator !== -1 && pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return null;
}

/**
 * The admin action (`POST {base}/admin/audit/export`, admins only) answering 401
 * `error="insufficient_user_authentication", acr_values="mfa", max_age=300` to a credential no MFA sign-in gave
 * within `max_age`, and the step-up route (`POST {base}/auth/step-up`, `{ code }`) that checks the one-time code
 * and answers what the prompt's `complete()` takes: `{ accessToken, expiresIn, tokenType }` (the session's refresh
 * token, or cookie, is kept), or `{ user }` with a cookie session.
 *
 * @returns the two handlers, and `forget()` (a server reset: no sign-in remembered)
 */
export function createStepUp({ auth, base, model, realm, latency, now = Date.now }: StepUpOptions): {
  handlers: HttpHandler[];
  forget(): void;
} {
  // What an MFA sign-in strengthened (a token's jti, or a session's cookie) → when it happened (ms).
  const strengthened = new Map<string, number>();
  const credentialOf = (request: Request): string | null => {
    if (model === 'session') return cookieOf(request, SESSION_COOKIE);
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    return token === undefined ? null : jtiOf(token);
  };
  const remember = (credential: string) => {
    const at = now();
    // Those past max_age would be refused anyway: forgotten, so the map does not grow for ever.
    for (const [key, when] of strengthened) if (at - when > STEP_UP.maxAge * SECOND) strengthened.delete(key);
    strengthened.set(credential, at);
  };
  const challenge = [
    `${model === 'session' ? 'Cookie' : 'Bearer'} realm=${quoted(realm)}`,
    'error="insufficient_user_authentication"',
    'error_description="This action needs a sign-in with a one-time code"',
    `acr_values="${STEP_UP.acr}"`,
    `max_age=${STEP_UP.maxAge}`,
  ].join(', ');
  const badCode = (error: string, description: string) =>
    HttpResponse.json({ error, error_description: description }, { status: 400 });

  const action = auth.protect(
    http.post(`${base}${STEP_UP.actionPath}`, async ({ request }) => {
      await latency?.();
      const credential = credentialOf(request);
      const at = credential === null ? undefined : strengthened.get(credential);
      if (at === undefined || now() - at > STEP_UP.maxAge * SECOND) {
        return HttpResponse.json(
          {
            error: 'insufficient_user_authentication',
            error_description: 'This action needs a sign-in with a one-time code',
          },
          { status: 401, headers: { 'WWW-Authenticate': challenge } },
        );
      }
      return HttpResponse.json({ exported: 2, acr: STEP_UP.acr });
    }),
    { roles: ['admin'] },
  );

  // Behind protect(): the user is the one signed in (its token or cookie), the code is the second factor.
  const stepUp = auth.protect(
    http.post(`${base}${STEP_UP.stepUpPath}`, async ({ request }) => {
      const body: unknown = await request.json().catch(() => null);
      const code = (body as { code?: unknown } | null)?.code;
      if (typeof code !== 'string') return badCode('invalid_request', 'Send { "code": "…" }');
      if (code.trim() !== STEP_UP.code) return badCode('invalid_grant', 'The one-time code is wrong');
      const user = await auth.userOf(request);
      const credential = credentialOf(request);
      // protect() let the request in, so neither is missing; a 500 says so if the kit ever disagreed.
      if (!user || credential === null) throw new Error('a step-up request protect() admitted has no user');
      if (model === 'session') {
        remember(credential);
        return HttpResponse.json({ user });
      }
      const issued = await auth.controls.issueTokens(user.sub);
      if (!('accessToken' in issued)) throw new Error('the kit issued no access token');
      const jti = jtiOf(issued.accessToken);
      if (jti === null) throw new Error('the kit issued an access token without a jti');
      remember(jti);
      // The refresh token that came with it is not handed out: the session keeps its own (complete() keeps it).
      const { accessToken, expiresIn, tokenType } = issued;
      return HttpResponse.json({ accessToken, expiresIn, tokenType });
    }),
  );

  return { handlers: [action, stepUp], forget: () => strengthened.clear() };
}
