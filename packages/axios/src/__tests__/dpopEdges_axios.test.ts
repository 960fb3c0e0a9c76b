import { isAuthError } from '@reauth/core';
import { CanceledError, isCancel } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDpopResource, createFakeSigner, fingerprint, readProof } from '#test-support/model/dpop';
import { dpopSetup } from './support/dpop';
import { BASE_URL, rejection, setup, track } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function settle<T>(promise: Promise<T>) {
  const state = track(promise);
  await vi.advanceTimersByTimeAsync(1_000);
  expect(state.settled).toBe(true);
  return promise;
}

const flush = async () => {
  for (let i = 0; i < 50; i++) await Promise.resolve();
};

describe('settling while signing', () => {
  it('an abort while the signer never answers rejects with CanceledError (no hang)', async () => {
    const { http, signer, api } = dpopSetup();
    signer.sign = () => new Promise(() => {});
    const controller = new AbortController();
    const pending = track(http.get('/items', { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(5);
    controller.abort();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pending.settled).toBe(true);
    expect(isCancel(pending.error)).toBe(true);
    expect(api.sends).toEqual([]);
  });

  it('an abort while a slow signer works rejects at once', async () => {
    const { http, signer } = dpopSetup();
    signer.delayMs = 1_000;
    const controller = new AbortController();
    const pending = track(http.get('/items', { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(5);
    controller.abort();
    await flush();
    expect(pending.settled).toBe(true);
    expect(pending.error).toBeInstanceOf(CanceledError);
  });

  it('a signer that fails rejects with the [reauth] error (not a CanceledError)', async () => {
    const { http, signer, api } = dpopSetup();
    signer.failWith = new Error('no key');
    const error = await rejection(settle(http.get('/items')));
    expect((error as Error).message).toMatch(/\[reauth\] dpop could not sign GET https:\/\/api\.test\/items/);
    expect(api.sends).toEqual([]);
  });
});

describe('proofs and the interceptor paths', () => {
  it("an app's async request interceptor registered after attachAuth (runs first, copies the config): fresh proofs", async () => {
    const { http, api, proofsOf, resource } = dpopSetup();
    http.interceptors.request.use(async (config) => ({ ...config, headers: config.headers }));
    api.expireAccessTokens();
    const response = await settle(http.get('/items'));
    expect(response.status).toBe(200);
    const jtis = proofsOf('/items').map((p) => p?.jti);
    expect(new Set(jtis).size).toBe(2);
    expect(resource.state.verdicts.filter((v) => v === 'replayed' || v === 'proof')).toEqual([]);
  });

  it("an app's async request interceptor registered before attachAuth (runs after ours): fresh proofs", async () => {
    const signer = createFakeSigner();
    const made = setup({ session: { dpop: signer }, signedIn: false });
    // re-attach with the app's interceptor first: setup attached already, so detach and redo
    made.detach();
    made.http.interceptors.request.use(async (config) => {
      await Promise.resolve();
      return config;
    });
    const { attachAuth } = await import('@reauth/axios');
    attachAuth(made.http, made.session);
    const tokens = made.api.issueTokens();
    made.session.signIn(tokens);
    const resource = createDpopResource((token) => made.api.check(token));
    made.api.route('/items', ({ send }) => {
      const reply = resource.answer({
        method: send.method,
        url: `${BASE_URL}${send.url}`,
        authorization: send.authorization,
        proof: send.headers.dpop ?? null,
      });
      return { status: reply.status, data: reply.body, headers: reply.headers };
    });
    resource.state.nonce = 'n1';
    made.api.expireAccessTokens();
    const response = await settle(made.http.get('/items'));
    expect(response.status).toBe(200);
    expect(resource.state.verdicts).toEqual(['nonce', 'expired', 'ok']);
  });

  it('validateStatus accepting 401: a use_dpop_nonce 401 is retried once with the nonce, resolved 200', async () => {
    const { http, api, proofsOf, resource } = dpopSetup();
    resource.state.nonce = 'n-v';
    const response = await settle(http.get('/items', { validateStatus: () => true }));
    expect(response.status).toBe(200);
    expect(proofsOf('/items').map((p) => p?.nonce)).toEqual([undefined, 'n-v']);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('maxRetries 0: nonce retry, then an expired-token 401 on it is handed back without a refresh', async () => {
    const { http, api, resource } = dpopSetup({ attach: { maxRetries: 0 } });
    resource.state.nonce = 'n';
    api.expireAccessTokens();
    const error = (await rejection(settle(http.get('/items')))) as { response?: { status: number } };
    expect(error.response?.status).toBe(401);
    expect(resource.state.verdicts).toEqual(['nonce', 'expired']);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('a nonce retry answered expired: one refresh, a replay with a new proof for the new token', async () => {
    const { http, api, proofsOf, resource } = dpopSetup();
    resource.state.nonce = 'n1';
    api.expireAccessTokens();
    const response = await settle(http.get('/items'));
    expect(response.status).toBe(200);
    expect(resource.state.verdicts).toEqual(['nonce', 'expired', 'ok']);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    const fresh = api.lastIssued().accessToken;
    expect(proofsOf('/items').at(-1)).toMatchObject({ nonce: 'n1', ath: fingerprint(fresh) });
  });

  it("the app's own lower-case dpop header is replaced by the proof, not sent twice", async () => {
    const { http, api, resource } = dpopSetup();
    await settle(http.get('/items', { headers: { dpop: 'stale' } }));
    expect(resource.state.verdicts).toEqual(['ok']);
    expect(api.sendsOf('/items')[0]?.headers.dpop).not.toContain('stale');
  });

  it('a 401 with several challenges (Bearer realm, then DPoP use_dpop_nonce) is a nonce retry, no refresh', async () => {
    const { http, api, signer } = dpopSetup();
    let n = 0;
    api.route('/multi', ({ send }) => {
      n += 1;
      const proof = readProof(send.headers.dpop);
      if (proof?.nonce !== 'mn')
        return {
          status: 401,
          headers: {
            'www-authenticate': 'Bearer realm="api", DPoP algs="ES256", error="use_dpop_nonce"',
            'dpop-nonce': 'mn',
          },
        };
      return { status: 200, data: { ok: n } };
    });
    const response = await settle(http.get('/multi'));
    expect(response.status).toBe(200);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(signer.signs).toHaveLength(2);
  });

  it('a 401 whose Bearer challenge says invalid_token but whose DPoP challenge says use_dpop_nonce: the nonce retry, no refresh', async () => {
    const { http, api } = dpopSetup();
    api.route('/multi2', ({ send }) => {
      const proof = readProof(send.headers.dpop);
      if (proof?.nonce !== 'mn')
        return {
          status: 401,
          headers: {
            'www-authenticate': 'Bearer error="invalid_token", DPoP error="use_dpop_nonce"',
            'dpop-nonce': 'mn',
          },
        };
      return { status: 200, data: {} };
    });
    const response = await settle(http.get('/multi2'));
    expect(response.status).toBe(200);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('DPoP-Nonce on an invalid_token 401 (no use_dpop_nonce): one refresh, the replay carries the nonce', async () => {
    const { http, api, proofsOf } = dpopSetup();
    api.route('/nn', ({ send }) => {
      const token = /^DPoP (.+)$/.exec(send.authorization ?? '')?.[1] ?? null;
      if (api.check(token) !== 'valid')
        return {
          status: 401,
          headers: { 'www-authenticate': 'DPoP error="invalid_token"', 'dpop-nonce': 'nx' },
        };
      return { status: 200, data: {} };
    });
    api.expireAccessTokens();
    const response = await settle(http.get('/nn'));
    expect(response.status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(proofsOf('/nn').map((p) => p?.nonce)).toEqual([undefined, 'nx']);
  });

  it('a sign-out while a replay is being signed rejects with SIGNED_OUT and sends no more', async () => {
    const { http, api, signer, session } = dpopSetup();
    api.expireAccessTokens();
    const pending = track(http.get('/items'));
    await vi.advanceTimersByTimeAsync(5);
    signer.delayMs = 500;
    await vi.advanceTimersByTimeAsync(100);
    session.signOut();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(pending.settled).toBe(true);
    expect(isAuthError(pending.error) && pending.error.code).toBe('SIGNED_OUT');
    expect(api.sendsOf('/items')).toHaveLength(1);
  });

  it("an app's retry interceptor (axios-retry style) re-sending error.config through the instance: a fresh proof", async () => {
    const { http, api, proofsOf, resource } = dpopSetup();
    let failed = false;
    api.route('/flaky', ({ send }) => {
      if (!failed) {
        failed = true;
        return { status: 503, data: {} };
      }
      const reply = resource.answer({
        method: send.method,
        url: `${BASE_URL}${send.url}`,
        authorization: send.authorization,
        proof: send.headers.dpop ?? null,
      });
      return { status: reply.status, data: reply.body, headers: reply.headers };
    });
    http.interceptors.response.use(undefined, (error: { config: never; response?: { status: number } }) =>
      error.response?.status === 503 ? http.request(error.config) : Promise.reject(error),
    );
    const response = await settle(http.get('/flaky'));
    expect(response.status).toBe(200);
    const jtis = proofsOf('/flaky').map((p) => p?.jti);
    expect(jtis).toHaveLength(2);
    expect(new Set(jtis).size).toBe(2);
  });
});
