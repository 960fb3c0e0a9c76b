import { type AsyncStorageLike, createSession } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asReactNative, restoreGlobals, stored, T0 } from './support/asyncStorage';
import { makeJwt } from './support/jwt';

beforeEach(asReactNative);
afterEach(restoreGlobals);

/** A thenable that has `then` and nothing else (no `catch`, no `finally`), settled on the next microtask. */
const bare = <T>(settle: (resolve: (value: T) => void, reject: (error: unknown) => void) => void) =>
  ({
    // biome-ignore lint/suspicious/noThenProperty: a bare thenable, what such a storage answers, is the point here
    then(onFulfilled?: (value: T) => unknown, onRejected?: (error: unknown) => unknown) {
      return new Promise<T>((resolve, reject) => queueMicrotask(() => settle(resolve, reject))).then(
        onFulfilled,
        onRejected,
      );
    },
  }) as unknown as Promise<T>;

describe('an asynchronous storage that answers with bare thenables', () => {
  it('restores with no refresh timeout (the read is waited for as it is)', async () => {
    const token = makeJwt({ sub: 'alice', exp: T0 / 1000 + 3600 });
    const storage: AsyncStorageLike = {
      getItem: () => bare((resolve) => resolve(stored(token))),
      setItem: () => bare((resolve) => resolve(undefined)),
      removeItem: () => bare((resolve) => resolve(undefined)),
    };
    const session = createSession({ storage, refreshTimeoutMs: Number.POSITIVE_INFINITY });
    expect(session.getState().status).toBe('restoring');

    await session.ready();

    expect(session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
  });

  it('ends signed out when such a read fails, with no refresh timeout', async () => {
    const storage: AsyncStorageLike = {
      getItem: () => bare((_, reject) => reject(new Error('disk busy'))),
      setItem: () => bare((resolve) => resolve(undefined)),
      removeItem: () => bare((resolve) => resolve(undefined)),
    };
    const session = createSession({ storage, refreshTimeoutMs: Number.POSITIVE_INFINITY });

    await session.ready();

    expect(session.getState().status).toBe('signedOut');
  });
});
