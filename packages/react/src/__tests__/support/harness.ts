import { createSession, type TokensInput } from '@reauth/core';
import { createClock } from './clock';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A session whose refreshes the test settles by hand: `refreshes[n].resolve(tokens)`, `.refuse()` (HTTP 400:
 * terminal) or `.fail()` (network: transient). Alone: no other tab, no background refresh.
 */
export function createHarness() {
  const clock = createClock();
  const refreshes: { resolve(tokens: TokensInput): void; refuse(): void; fail(): void }[] = [];
  let serial = 0;
  const session = createSession({
    refresh: () =>
      new Promise((resolve, reject) => {
        refreshes.push({
          resolve,
          refuse: () => reject(Object.assign(new Error('invalid_grant'), { status: 400 })),
          fail: () => reject(new TypeError('Failed to fetch')),
        });
      }),
    now: clock.now,
    crossTab: false,
    autoRefresh: false,
  });
  /** Tokens for `sub` with `roles`, a JWT access token valid for ten minutes. */
  const tokens = (sub = 'alice', roles: string[] = ['user']) => {
    serial += 1;
    const iat = Math.floor(clock.now() / 1000);
    const claims = { sub, roles, iat, exp: iat + 600, jti: String(serial) };
    return {
      accessToken: `${encode({ alg: 'HS256' })}.${encode(claims)}.sig${serial}`,
      refreshToken: `refresh-${serial}`,
    };
  };
  /** Asks for a token the way a request does, and settles the outcome as a value: the token or the code. */
  const request = () =>
    session.getAccessToken().then(
      (token) => ({ token }),
      (error: { code?: string }) => ({ code: error.code }),
    );
  /** The refresh call `n` (0-based), once the session has made it (it calls `refresh` in a microtask). */
  const refreshCall = async (n = 0) => {
    for (let turn = 0; turn < 10 && !refreshes[n]; turn += 1) await Promise.resolve();
    const call = refreshes[n];
    if (!call) throw new Error(`refresh call ${n} was never made`);
    return call;
  };
  return { clock, session, refreshes, refreshCall, tokens, request };
}
