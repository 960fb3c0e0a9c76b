import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fingerprint } from '#test-support/model/dpop';
import { dpopSetup } from './support/dpop';
import { BASE_URL, rejection, track } from './support/setup';

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

describe('attachAuth with DPoP', () => {
  it('signs the first send and every replay anew; one refresh for concurrent 401s; no proof reused', async () => {
    const { http, api, proofsOf, resource, tokens } = dpopSetup();
    const first = await settle(http.post('/items', { a: 1 }, { params: { page: 2 } }));
    expect(first.status).toBe(200);
    expect(api.sendsOf('/items')[0]?.authorization).toBe(`DPoP ${tokens.accessToken}`);
    expect(proofsOf('/items')[0]).toMatchObject({
      htm: 'POST',
      htu: `${BASE_URL}/items`,
      ath: fingerprint(tokens.accessToken),
    });

    api.expireAccessTokens();
    const responses = await settle(Promise.all(['/a', '/b', '/c'].map((path) => http.get(path))));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    const fresh = api.lastIssued().accessToken;
    for (const path of ['/a', '/b', '/c']) {
      const sends = api.sendsOf(path);
      expect(sends.map((s) => s.authorization)).toEqual([`DPoP ${tokens.accessToken}`, `DPoP ${fresh}`]);
      expect(proofsOf(path).map((p) => p?.ath)).toEqual([
        fingerprint(tokens.accessToken),
        fingerprint(fresh),
      ]);
    }
    expect(resource.state.verdicts.filter((v) => v === 'replayed' || v === 'proof')).toEqual([]);
  });

  it('a use_dpop_nonce 401 is sent again once with the nonce, through the replay path: no refresh', async () => {
    const { http, api, proofsOf, resource } = dpopSetup({ attach: { maxRetries: 0 } });
    resource.state.nonce = 'n-xyz';
    const response = await settle(http.get('/items'));
    expect(response.status).toBe(200);
    expect(proofsOf('/items').map((p) => p?.nonce)).toEqual([undefined, 'n-xyz']);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('learns a nonce from a 200 (the response interceptor shows it to the signer)', async () => {
    const { http, proofsOf, resource } = dpopSetup();
    resource.state.nonceOnSuccess = true;
    await settle(http.get('/items'));
    await settle(http.get('/other'));
    expect(resource.state.verdicts).toEqual(['ok', 'ok']);
    expect(proofsOf('/other')[0]?.nonce).toBe('s1');
  });

  it("learns a 200's nonce even when an app response interceptor registered before attachAuth unwraps response.data", async () => {
    const { http, proofsOf, resource } = dpopSetup({
      before: (instance) => void instance.interceptors.response.use((response) => response.data),
    });
    resource.state.nonceOnSuccess = true;
    expect(await settle(http.get('/items'))).toEqual({ ok: true });
    await settle(http.get('/other'));
    // No use_dpop_nonce round trip: the nonce the first answer handed out went with the second request.
    expect(resource.state.verdicts).toEqual(['ok', 'ok']);
    expect(proofsOf('/other')[0]?.nonce).toBe('s1');
  });

  it('a second use_dpop_nonce, or an invalid_dpop_proof, rejects with the 401: no refresh', async () => {
    const { http, api, resource } = dpopSetup({ attach: { shouldRefresh: () => true } });
    resource.state.nonce = 'n0';
    resource.state.rotate = true;
    const error = (await rejection(settle(http.get('/items')))) as { response?: { status: number } };
    expect(error.response?.status).toBe(401);
    expect(api.sendsOf('/items')).toHaveLength(2);
    resource.state.rotate = false;
    resource.state.nonce = undefined;
    api.route('/bad', ({ send }) => {
      const reply = resource.answer({
        method: send.method,
        url: `${BASE_URL}/elsewhere`, // the proof's htu does not match
        authorization: send.authorization,
        proof: send.headers.dpop ?? null,
      });
      return { status: reply.status, data: reply.body, headers: reply.headers };
    });
    const bad = (await rejection(settle(http.get('/bad')))) as { response?: { status: number } };
    expect(bad.response?.status).toBe(401);
    expect(api.sendsOf('/bad')).toHaveLength(1);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('skipAuth and foreign origins carry neither token nor proof', async () => {
    const { http, api, signer } = dpopSetup();
    api.route('/auth/public', () => ({ status: 200 }));
    api.route('https://elsewhere.test/x', () => ({ status: 200 }));
    await settle(http.get('/auth/public', { skipAuth: true }));
    await settle(http.get('https://elsewhere.test/x'));
    for (const send of api.sends) {
      expect(send.authorization).toBeNull();
      expect(send.headers.dpop).toBeUndefined();
    }
    expect(signer.signs).toEqual([]);
  });
});
