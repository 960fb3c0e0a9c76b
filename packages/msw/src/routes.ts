import { delay, HttpResponse, http } from 'msw';
import type { ServerState } from './controls';
import type { Guard } from './protect';
import { invalidRequest, oauthError, readJsonObject } from './responses';
import type { RedeemOutcome, TokenStore } from './tokens';
import type { MockUser, RefreshFailureKind, RefreshRecord } from './types';

export interface RouteContext {
  urls: { login: string; refresh: string; logout: string; me: string };
  users: ReadonlyMap<string, MockUser>;
  realm: string;
  state: ServerState;
  store: TokenStore;
  guard: Guard;
}

const refreshTokenIn = (body: Record<string, unknown> | null): string | null => {
  const token = body?.refreshToken ?? body?.refresh_token;
  return typeof token === 'string' && token !== '' ? token : null;
};

const REFUSALS: Record<Exclude<RedeemOutcome, 'ok'>, string> = {
  unknown: 'The refresh token is unknown',
  expired: 'The refresh token expired',
  revoked: 'The refresh token was revoked',
  reused: 'The refresh token was already used; its whole family is now revoked',
};

function forcedFailure(kind: RefreshFailureKind): Response {
  if (kind === 'network') return HttpResponse.error();
  if (kind === 'server') return oauthError(500, 'server_error', 'A forced failure (failNextRefresh)');
  return oauthError(400, 'invalid_grant', 'The refresh token was refused (failNextRefresh)');
}

/** The login, refresh, logout and me handlers. */
export function createRoutes({ urls, users, realm, state, store, guard }: RouteContext) {
  const { stats } = state;
  const record = (tokenId: string | null, outcome: RefreshRecord['outcome']) =>
    stats.refreshCalls.push({ tokenId, outcome, at: state.now() });

  const login = http.post(urls.login, async ({ request }) => {
    const body = await readJsonObject(request);
    if (typeof body?.username !== 'string' || typeof body.password !== 'string') return invalidRequest();
    const user = users.get(body.username);
    if (user?.password !== body.password) {
      stats.failedLogins++;
      const description = 'The username or password is incorrect';
      return oauthError(401, 'invalid_credentials', description, `Bearer realm="${realm}"`);
    }
    stats.logins++;
    return HttpResponse.json(await store.issue(user.username));
  });

  const refresh = http.post(urls.refresh, async ({ request }) => {
    stats.refreshes++;
    // A forced failure is claimed and the delay started on arrival (in request order, and a test with
    // fake timers sees the delay as soon as it sees the call); every outcome is decided after the
    // delay, so a revocation made meanwhile applies.
    const failure = state.takeFailure();
    const body = readJsonObject(request);
    if (state.refreshDelayMs() > 0) await delay(state.refreshDelayMs());
    if (failure !== undefined) {
      record(store.idOf(refreshTokenIn(await body)), 'forced');
      return forcedFailure(failure);
    }
    const presented = refreshTokenIn(await body);
    if (presented === null) {
      record(null, 'malformed');
      return invalidRequest();
    }
    const redeemed = await store.redeem(presented);
    record(redeemed.tokenId, redeemed.outcome);
    if (redeemed.outcome === 'ok') return HttpResponse.json(redeemed.tokens);
    if (redeemed.outcome === 'reused') stats.reuseDetected++;
    return oauthError(400, 'invalid_grant', REFUSALS[redeemed.outcome]);
  });

  const logout = http.post(urls.logout, async ({ request }) => {
    const presented = refreshTokenIn(await readJsonObject(request));
    if (presented === null) return invalidRequest();
    stats.logouts++;
    store.revokeFamilyOf(presented);
    // Idempotent, as RFC 7009 revocation is: an unknown or already revoked token is still a success.
    return new HttpResponse(null, { status: 204 });
  });

  const me = guard('GET', urls.me, (claims) => HttpResponse.json({ sub: claims.sub, roles: claims.roles }));

  return [login, refresh, logout, me];
}
