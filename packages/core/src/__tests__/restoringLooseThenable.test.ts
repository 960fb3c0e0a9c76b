import { type AsyncStorageLike, createSession } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asReactNative, restoreGlobals, stored, T0 } from './support/asyncStorage';
import { makeJwt } from './support/jwt';

beforeEach(asReactNative);
afterEach(restoreGlobals);

/** A hand-written thenable that always calls what it is given (not Promises/A+: it doesn't skip a missing one). */
const minimal = <T>(value: T) =>
  ({
    // biome-ignore lint/suspicious/noThenProperty: a hand-written thenable is the point here
    then(onFulfilled: (value: T) => unknown) {
      return Promise.resolve().then(() => onFulfilled(value));
    },
  }) as unknown as Promise<T>;

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

describe('a storage answering with a minimal thenable, no refresh timeout', () => {
  it('restores the stored session', async () => {
    const token = makeJwt({ sub: 'alice', exp: T0 / 1000 + 3600 });
    const storage: AsyncStorageLike = {
      getItem: () => minimal(stored(token)),
      setItem: () => minimal(undefined),
      removeItem: () => minimal(undefined),
    };
    const session = createSession({ storage, refreshTimeoutMs: Number.POSITIVE_INFINITY });
    expect(session.getState().status).toBe('restoring');

    await flushMicrotasks();

    expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
  });
});
