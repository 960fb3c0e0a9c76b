import { createSession, isAuthError } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeSigner, fingerprint } from '#test-support/model/dpop';
import { DPOP_PATHS, dpopSetup } from './support/dpop';
import { expectNoSecretsIn, finish, flushMicrotasks, track, url } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('DPoP: a fresh proof on every send', () => {
  it('signs each send for its method, URL and token, and sends the token with the DPoP scheme', async () => {
    const { authFetch, api, tokens, proofsOf, signer } = dpopSetup();
    const response = await finish(authFetch(url('/items?page=2'), { method: 'POST', body: 'x' }));
    expect(response.status).toBe(200);
    const [send] = api.sendsOf('/items');
    expect(send?.authorization).toBe(`DPoP ${tokens.accessToken}`);
    expect(proofsOf('/items')).toEqual([
      { jti: 1, htm: 'POST', htu: url('/items'), ath: fingerprint(tokens.accessToken) },
    ]);
    // The signer is given the URL as sent, query included (a proof's htu leaves it out).
    expect(signer.signs.map((s) => s.url)).toEqual([url('/items?page=2')]);
  });

  it('a replay after a refresh carries a new proof, made for the new token; one refresh for many 401s', async () => {
    const { authFetch, api, proofsOf, resource } = dpopSetup();
    api.expireAccessTokens();
    const responses = await finish(Promise.all(DPOP_PATHS.slice(2).map((path) => authFetch(url(path)))));
    expect(responses.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(api.refresh).toHaveBeenCalledTimes(1);
    const fresh = api.lastIssued().accessToken;
    const proofs = DPOP_PATHS.slice(2).flatMap(proofsOf);
    expect(proofs).toHaveLength(12);
    // Every jti distinct: no proof sent twice (the server refuses a replayed proof).
    expect(new Set(proofs.map((p) => p?.jti)).size).toBe(12);
    expect(resource.state.verdicts.filter((v) => v === 'replayed')).toEqual([]);
    for (const path of DPOP_PATHS.slice(2)) {
      expect(proofsOf(path).map((p) => p?.ath)).toEqual([
        expect.not.stringMatching(fingerprint(fresh)),
        fingerprint(fresh),
      ]);
    }
  });

  it('sends neither proof nor token to another origin, nor with skipAuth; the signer is not asked', async () => {
    const { authFetch, api, signer } = dpopSetup();
    api.route('https://elsewhere.test/x', () => ({ status: 200 }));
    api.route('/public', () => ({ status: 200 }));
    await finish(authFetch('https://elsewhere.test/x'));
    await finish(authFetch(url('/public'), { skipAuth: true }));
    for (const send of api.sends) {
      expect(send.authorization).toBeNull();
      expect(send.headers.dpop).toBeUndefined();
    }
    expect(signer.signs).toEqual([]);
  });
});

describe('DPoP nonces', () => {
  it('a use_dpop_nonce 401 is sent again once with the nonce: no refresh, even with maxRetries 0', async () => {
    const { authFetch, api, proofsOf, resource, eventsOf } = dpopSetup({ auth: { maxRetries: 0 } });
    resource.state.nonce = 'n-abc';
    const response = await finish(authFetch(url('/items')));
    expect(response.status).toBe(200);
    expect(proofsOf('/items').map((p) => p?.nonce)).toEqual([undefined, 'n-abc']);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(resource.state.verdicts).toEqual(['nonce', 'ok']);
    expect(eventsOf('requestReplayed')).toHaveLength(1);
    // The nonce is kept: the next request carries it from its first send.
    await finish(authFetch(url('/other')));
    expect(proofsOf('/other').map((p) => p?.nonce)).toEqual(['n-abc']);
  });

  it('asks once per request: a second use_dpop_nonce 401 reaches the caller, with no refresh', async () => {
    const { authFetch, api, resource, session } = dpopSetup();
    resource.state.nonce = 'n0';
    resource.state.rotate = true; // a server that never accepts a nonce
    const response = await finish(authFetch(url('/items')));
    expect(response.status).toBe(401);
    expect(api.sendsOf('/items')).toHaveLength(2);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(session.getState().status).toBe('signedIn');
  });

  it('a nonce dance does not spend the refresh: expired and nonce-less, it takes one nonce retry and one refresh', async () => {
    const { authFetch, api, proofsOf, resource } = dpopSetup();
    resource.state.nonce = 'n1';
    api.expireAccessTokens();
    const response = await finish(authFetch(url('/items')));
    expect(response.status).toBe(200);
    expect(resource.state.verdicts).toEqual(['nonce', 'expired', 'ok']);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(proofsOf('/items').map((p) => p?.nonce)).toEqual([undefined, 'n1', 'n1']);
  });

  it('learns a nonce a 200 hands out: the next request carries it, with no 401', async () => {
    const { authFetch, proofsOf, resource, signer } = dpopSetup();
    resource.state.nonceOnSuccess = true;
    await finish(authFetch(url('/items')));
    await finish(authFetch(url('/other')));
    expect(resource.state.verdicts).toEqual(['ok', 'ok']);
    expect(proofsOf('/other')[0]?.nonce).toBe('s1');
    expect(signer.observed).toEqual([
      { url: url('/items'), nonce: 's1' },
      { url: url('/other'), nonce: 's2' },
    ]);
  });

  it('invalid_dpop_proof never refreshes, whatever shouldRefresh says: the 401 reaches the caller', async () => {
    const shouldRefresh = vi.fn(() => true);
    const { authFetch, api, resource, signer } = dpopSetup({ auth: { shouldRefresh } });
    const sign = signer.sign;
    signer.sign = async (send) => ({
      DPoP: (await sign(send)).DPoP?.replace('"htm":"GET"', '"htm":"PUT"') ?? '',
    });
    const response = await finish(authFetch(url('/items')));
    expect(response.status).toBe(401);
    expect(resource.state.verdicts).toEqual(['proof']);
    expect(api.sendsOf('/items')).toHaveLength(1);
    expect(api.refresh).not.toHaveBeenCalled();
  });
});

describe('DPoP: signing and the session', () => {
  it('a token refreshed while a proof is being made: the send takes the new token, signed for it', async () => {
    const { authFetch, api, session, proofsOf, signer } = dpopSetup();
    signer.delayMs = 50;
    const pending = track(authFetch(url('/items')));
    await vi.advanceTimersByTimeAsync(1);
    const refreshed = session.refresh();
    await vi.advanceTimersByTimeAsync(20); // the refresh lands while the first proof is still being made
    await refreshed;
    signer.delayMs = 0;
    await vi.advanceTimersByTimeAsync(200);
    expect(pending.value?.status).toBe(200);
    const fresh = api.lastIssued().accessToken;
    expect(api.sendsOf('/items').map((s) => s.authorization)).toEqual([`DPoP ${fresh}`]);
    expect(proofsOf('/items').map((p) => p?.ath)).toEqual([fingerprint(fresh)]);
  });

  it('signed out while a proof is being made: nothing is sent with the old token', async () => {
    const { authFetch, api, session, signer } = dpopSetup();
    signer.delayMs = 50;
    const pending = track(authFetch(url('/items')));
    await vi.advanceTimersByTimeAsync(1);
    session.signOut();
    await vi.advanceTimersByTimeAsync(200);
    expect(pending.settled).toBe(true);
    for (const send of api.sendsOf('/items')) {
      expect(send.authorization).toBeNull();
      expect(send.headers.dpop).toBeUndefined();
    }
    // As any request waiting when the session ends: rejected with SIGNED_OUT, never sent.
    expect(pending.rejected).toBe(true);
    expect((pending.error as { code?: string }).code).toBe('SIGNED_OUT');
    expect(api.sendsOf('/items')).toEqual([]);
  });

  it('a signer that fails rejects the request with an error that names the request, never the token', async () => {
    const { authFetch, api, signer, tokens } = dpopSetup();
    const cause = new Error('key unavailable');
    signer.failWith = cause;
    const error = await finish(authFetch(url('/items?access_token=leak'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/\[reauth\] dpop could not sign GET https:\/\/api\.test\/items/);
    expect((error as Error).cause).toBe(cause);
    expect(isAuthError(error)).toBe(false);
    expectNoSecretsIn(`${(error as Error).message}\n${(error as Error).stack}`, [
      tokens.accessToken,
      tokens.refreshToken,
      'leak',
    ]);
    expect(api.sendsOf('/items')).toEqual([]);
  });

  it('an observe that throws is reported, and the answer still reaches the caller', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { authFetch, signer } = dpopSetup();
    signer.observe = () => {
      throw new Error('boom');
    };
    const response = await finish(authFetch(url('/items')));
    expect(response.status).toBe(200);
    expect(errors).toHaveBeenCalledTimes(1);
    await flushMicrotasks();
  });
});

describe('createSession({ dpop }) misuse', () => {
  it('refuses a cookie session, and a value that is not a signer, saying what to pass', () => {
    const signer = createFakeSigner();
    expect(() =>
      createSession({ cookies: 'session', dpop: signer } as unknown as Parameters<typeof createSession>[0]),
    ).toThrow(/`dpop` can't bind a cookie session/);
    expect(() =>
      createSession({ dpop: { sign: () => {} } } as unknown as Parameters<typeof createSession>[0]),
    ).toThrow(/`dpop` must be a signer such as `await dpop\(\)` from '@reauth\/oauth'/);
    expect(() =>
      createSession({ cookies: 'refresh', refresh: async () => ({ accessToken: 'a' }), dpop: signer }),
    ).not.toThrow();
  });
});
