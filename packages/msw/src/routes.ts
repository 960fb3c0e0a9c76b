import { delay, HttpResponse, http } from 'msw';
import type { ServerState } from './controls';
import type { CredentialModel } from './models';
import type { Guard } from './protect';
import { invalidRequest, oauthError, readJsonObject } from './responses';
import type { TokenStore } from './tokens';
import type { MockUser, RefreshFailureKind, RefreshRecord } from './types';

export interface RouteContext {
  urls: { login: string; refresh: string; logout: string; me: string; stepUp: string };
  users: ReadonlyMap<string, MockUser>;
  model: CredentialModel;
  state: ServerState;
  store: TokenStore;
  guard: Guard;
}

function forcedFailure(model: CredentialModel, kind: Exclude<RefreshFailureKind, 'hang'>): Response {
  if (kind === 'network') return HttpResponse.error();
  if (kind === 'server') return oauthError(500, 'server_error', 'A forced failure (failNextRefresh)');
  return model.rejected();
}

/**
 * A 'hang': no answer until the client gives up (its abort reaches `request.signal`; the error answer is
 * read by no one) or reset() comes, which answers as the reset server does for a forgotten token.
 */
async function hangUp(state: ServerState, model: CredentialModel, request: Request): Promise<Response> {
  const why = await state.hang(request.signal);
  return why === 'aborted' ? HttpResponse.error() : model.refuse('unknown');
}

/** The login, refresh, logout and me handlers, and the step-up route when some user has an `otp`. */
export function createRoutes({ urls, users, model, state, store, guard }: RouteContext) {
  const { stats } = state;

  const login = http.post(urls.login, async ({ request }) => {
    const isCurrent = state.tagWork();
    const body = await readJsonObject(request);
    if (typeof body?.username !== 'string' || typeof body.password !== 'string') return invalidRequest();
    const user = users.get(body.username);
    if (user?.password !== body.password) {
      if (isCurrent()) stats.failedLogins++;
      const description = 'The username or password is incorrect';
      return oauthError(401, 'invalid_credentials', description, model.challenge);
    }
    if (isCurrent()) stats.logins++;
    return model.signIn(user.username);
  });

  const refresh = http.post(urls.refresh, async ({ request }) => {
    const isCurrent = state.tagWork();
    stats.refreshes++;
    // A forced failure is claimed and the delay started on arrival (in request order, and a test with
    // fake timers sees the delay as soon as it sees the call); every outcome is decided after the
    // delay, so a revocation made meanwhile applies. A hang skips the delay: it is recorded at once.
    const failure = state.takeFailure();
    const credential = model.refreshOf(request);
    if (failure !== 'hang' && state.refreshDelayMs() > 0) await delay(state.refreshDelayMs());
    if (failure !== 'hang') await state.whileHeld();
    const presented = await credential;
    const record = (tokenId: string | null, outcome: RefreshRecord['outcome']) => {
      // Started before a reset(): the fresh stats are another test's, they must not count it.
      if (isCurrent()) stats.refreshCalls.push({ tokenId, outcome, at: state.now() });
    };
    // The reset server has no forced failure queued; it would refuse the forgotten token below instead.
    if (failure !== undefined && isCurrent()) {
      record(store.idOf(presented), 'forced');
      // Nothing is redeemed: the token it carried still refreshes once the client tries again.
      return failure === 'hang' ? hangUp(state, model, request) : forcedFailure(model, failure);
    }
    if (presented === null) {
      record(null, 'malformed');
      return model.missing();
    }
    const renewed = await model.renew(presented);
    record(renewed.tokenId, renewed.outcome);
    // A reset() during the signing: the new pair is the old server's, which the reset one forgot.
    if (!isCurrent()) return model.refuse('unknown');
    if (renewed.outcome === 'ok') return renewed.response;
    if (renewed.outcome === 'reused') stats.reuseDetected++;
    return model.refuse(renewed.outcome);
  });

  const logout = http.post(urls.logout, async ({ request }) => {
    const isCurrent = state.tagWork();
    const presented = await model.refreshOf(request);
    const response = model.signedOut(presented);
    if (response === null) return invalidRequest();
    if (isCurrent()) stats.logouts++;
    // A logout without a cookie (a cookie model) has nothing to revoke, and still clears the cookie.
    if (presented !== null) store.revokeFamilyOf(presented);
    return response;
  });

  const me = guard('GET', urls.me, (claims) => HttpResponse.json({ sub: claims.sub, roles: claims.roles }));

  // Step-up (RFC 9470): the user of the current credential proves a second factor, and gets credentials
  // signed in with `acr: 'mfa'` now. A refusal is a 400, never a 401: that would look like an expired session.
  const stepUp = guard('POST', urls.stepUp, async (claims, { request }) => {
    const body = await readJsonObject(request);
    if (typeof body?.code !== 'string') return invalidRequest();
    const { otp } = users.get(claims.sub) ?? {};
    if (otp === undefined) {
      return oauthError(400, 'invalid_grant', 'This user has no one-time code: it cannot step up');
    }
    if (body.code !== otp) return oauthError(400, 'invalid_grant', 'The one-time code is wrong');
    const presented = model.accessOf(request);
    // The guard admitted the request, so it carried a credential.
    if (presented === null) return invalidRequest();
    const response = await model.stepUp(presented, claims);
    stats.stepUps++;
    return response;
  });

  const hasStepUp = [...users.values()].some((user) => user.otp !== undefined);
  return hasStepUp ? [login, refresh, logout, me, stepUp] : [login, refresh, logout, me];
}
