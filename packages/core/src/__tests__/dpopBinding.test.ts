import { createSession, type RequestSigner } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryStorage, T0 } from './support/harness';
import { makeJwt } from './support/jwt';

beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const signerWith = (jkt?: string): RequestSigner => ({
  scheme: 'DPoP',
  ...(jkt === undefined ? {} : { jkt }),
  sign: async () => ({ DPoP: 'proof' }),
  observe: () => {},
});
const boundTo = (jkt: string | undefined) =>
  makeJwt({ sub: 'alice', exp: T0 / 1000 + 600, ...(jkt === undefined ? {} : { cnf: { jkt } }) });

/** Storage left by a session that signed in with an access token bound to `jkt`. */
function leftBy(jkt: string | undefined) {
  const storage = memoryStorage();
  createSession({ storage, crossTab: false, autoRefresh: false }).signIn({
    accessToken: boundTo(jkt),
    refreshToken: 'r1',
    expiresIn: 600,
  });
  expect(storage.items.size).toBe(1);
  return storage;
}

describe('DPoP: tokens bound to another key are not used', () => {
  it('restored tokens bound to another key (a key lost with a reload): signed out, and dropped from storage', () => {
    const storage = leftBy('key-1');
    const refresh = vi.fn(async () => ({ accessToken: 'new' }));
    const session = createSession({ storage, dpop: signerWith('key-2'), refresh, crossTab: false });
    expect(session.getState()).toMatchObject({ status: 'signedOut', user: null });
    expect(storage.items.size).toBe(0);
    // The refresh token of the lost key is not spent either: it is bound to that key too.
    expect(refresh).not.toHaveBeenCalled();
  });

  it("restored tokens bound to the signer's key, or not known to be bound (opaque, no cnf), are kept", async () => {
    for (const [left, signer] of [
      ['key-1', signerWith('key-1')],
      [undefined, signerWith('key-1')],
      ['key-1', signerWith(undefined)],
    ] as const) {
      const storage = leftBy(left);
      const session = createSession({ storage, dpop: signer, crossTab: false, autoRefresh: false });
      expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
      expect(await session.getAccessToken()).toBe(boundTo(left));
    }
  });
});
