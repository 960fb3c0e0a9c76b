import { delay, HttpResponse, http } from 'msw';
import type { ServerState } from './controls';
import type { Guard } from './protect';
import { bearerChallenge, invalidRequest, oauthError, readJsonObject } from './responses';
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

function forcedFailure(kind: Exclude<RefreshFailureKind, 'hang'>): Response {
  if (kind === 'network') return HttpResponse.error();
  if (kind === 'server') return oauthError(500, 'server_error', 'A forced failure (failNextRefresh)');
  return oauthError(400, 'invalid_grant', 'The refresh token was refused (failNextRefresh)');
}

/**
 * A 'hang': no answer until the client gives up (its abort reaches `request.signal`; the error answer is
 * read by no one) or reset() comes, which answers as the reset server does for a forgotten token.
 */
async function hangUp(state: ServerState, request: Request): Promise<Response> {
  const why = await state.hang(request.signal);
  return why === 'aborted' ? HttpResponse.error() : oauthError(400, 'invalid_grant', REFUSALS.unknown);
}

/** The login, refresh, logout and me handlers. */
export function createRoutes({ urls, users, realm, state, store, guard }: RouteContext) {
  const { stats } = state;
  const challenge = bearerChallenge(realm);

  const login = http.post(urls.login, async ({ request }) => {
    const isCurrent = state.tagWork();
    const body = await readJsonObject(request);
    if (typeof body?.username !== 'string' || typeof body.password !== 'string') return invalidRequest();
    const user = users.get(body.username);
    if (user?.password !== body.password) {
      if (isCurrent()) stats.failedLogins++;
      const description = 'The username or password is incorrect';
      return oauthError(401, 'invalid_credentials', description, challenge);
    }
    if (isCurrent()) stats.logins++;
    return HttpResponse.json(await store.issue(user.username));
  });

  const refresh = http.post(urls.refresh, async ({ request }) => {
    const isCurrent = state.tagWork();
    stats.refreshes++;
    // A forced failure is claimed and the delay started on arrival (in request order, and a test with
    // fake timers sees the delay as soon as it sees the call); every outcome is decided after the
    // delay, so a revocation made meanwhile applies. A hang skips the delay: it is recorded at once.
    const failure = state.takeFailure();
    const body = readJsonObject(request);
    if (failure !== 'hang' && state.refreshDelayMs() > 0) await delay(state.refreshDelayMs());
    if (failure !== 'hang') await state.whileHeld();
    const presented = refreshTokenIn(await body);
    const record = (tokenId: string | null, outcome: RefreshRecord['outcome']) => {
      // Started before a reset(): the fresh stats are another test's, they must not count it.
      if (isCurrent()) stats.refreshCalls.push({ tokenId, outcome, at: state.now() });
    };
    // The reset server has no forced failure queued; it would refuse the forgotten token below instead.
    if (failure !== undefined && isCurrent()) {
      record(store.idOf(presented), 'forced');
      // Nothing is redeemed: the token it carried still refreshes once the client tries again.
      return failure === 'hang' ? hangUp(state, request) : forcedFailure(failure);
    }
    if (presented === null) {
      record(null, 'malformed');
      return invalidRequest();
    }
    const redeemed = await store.redeem(presented);
    record(redeemed.tokenId, redeemed.outcome);
    // A reset() during the signing: the new pair is the old server's, which the reset one forgot.
    if (!isCurrent()) return oauthError(400, 'invalid_grant', REFUSALS.unknown);
    if (redeemed.outcome === 'ok') return HttpResponse.json(redeemed.tokens);
    if (redeemed.outcome === 'reused' && isCurrent()) stats.reuseDetected++;
    return oauthError(400, 'invalid_grant', REFUSALS[redeemed.outcome]);
  });

  const logout = http.post(urls.logout, async ({ request }) => {
    const isCurrent = state.tagWork();
    const presented = refreshTokenIn(await readJsonObject(request));
    if (presented === null) return invalidRequest();
    if (isCurrent()) stats.logouts++;
    store.revokeFamilyOf(presented);
    // Idempotent, as RFC 7009 revocation is: an unknown or already revoked token is still a success.
    return new HttpResponse(null, { status: 204 });
  });

  const me = guard('GET', urls.me, (claims) => HttpResponse.json({ sub: claims.sub, roles: claims.roles }));

  return [login, refresh, logout, me];
}
