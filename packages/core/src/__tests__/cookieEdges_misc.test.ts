import { type AuthEvent, type CookieRefreshContext, createSession } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asReactNative, restoreGlobals } from './support/asyncStorage';
import { memoryStorage, T0 } from './support/harness';
import { makeJwt } from './support/jwt';

afterEach(restoreGlobals);

describe('quiet restore, and what storage keeps', () => {
  beforeEach(asReactNative);

  it('a refused restore is quiet in the events too: no SESSION_EXPIRED for a visitor on every page load', async () => {
    const refresh = vi.fn(async (_context: CookieRefreshContext) => {
      throw Object.assign(new Error('invalid_grant'), { status: 400 });
    });
    const session = createSession({ cookies: 'refresh', refresh, crossTab: false });
    const seen: AuthEvent[] = [];
    session.on('*', (event) => seen.push(event));
    await session.ready();
    expect(session.getState()).toMatchObject({ status: 'signedOut', error: null });
    // DESIGN: "refused → signedOut quietly (no prompt, no SESSION_EXPIRED)"; createEventLog / devtools show this.
    const codes = seen.map((event) => ('error' in event ? event.error?.code : undefined));
    expect(codes).not.toContain('SESSION_EXPIRED');
  });

  it("a refresh token stored by the previous model is removed from storage when cookies: 'refresh' reads it", () => {
    const storage = memoryStorage({
      reauth: JSON.stringify({
        v: 1,
        accessToken: makeJwt({ sub: 'alice', exp: T0 / 1000 + 600 }),
        refreshToken: 'r-legacy',
        expiresAt: T0 + 600_000,
        receivedAt: T0,
      }),
    });
    const refresh = vi.fn(async (_context: CookieRefreshContext) => ({ accessToken: 'a2' }));
    const session = createSession({ cookies: 'refresh', refresh, storage, crossTab: false });
    expect(session.getState().status).toBe('signedIn');
    // The point of the cookie model: no refresh token readable by a script. It is ignored, but left in place
    // until the next write (the next refresh, maybe minutes away).
    expect(storage.items.get('reauth') ?? '').not.toContain('r-legacy');
  });
});
