import { createAuthorizer, createSession, type ReauthContext } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0 } from './support/harness';
import { makeJwt } from './support/jwt';

beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const STEP_UP = {
  status: 401,
  shouldRefresh: false,
  headers: { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", acr_values="mfa"' },
};
const basic = makeJwt({ sub: 'alice', acr: 'pwd', exp: T0 / 1000 + 600 });
const rotated = makeJwt({ sub: 'alice', acr: 'pwd', exp: T0 / 1000 + 900, jti: 'r' });
const strong = makeJwt({ sub: 'alice', acr: 'mfa', exp: T0 / 1000 + 600 });

function signedIn(maxRetries: number) {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  let n = 0;
  const refresh = vi.fn(async () => {
    n += 1;
    return {
      accessToken: n === 1 ? rotated : makeJwt({ sub: 'alice', acr: 'pwd', exp: T0 / 1000 + 900, n }),
      refreshToken: `r${n + 1}`,
    };
  });
  const session = createSession({ refresh, now: () => Date.now() });
  session.signIn({ accessToken: basic, refreshToken: 'r1', expiresIn: 600 });
  const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test', maxRetries });
  return { session, authorizer, refresh };
}

describe('a late step-up 401 (routine refresh meanwhile)', () => {
  for (const maxRetries of [0, 1]) {
    it(`maxRetries ${maxRetries}: the replay with the current token is refused for step-up too → the prompt opens (a step-up is not counted)`, async () => {
      const { session, authorizer } = signedIn(maxRetries);
      const asked: ReauthContext[] = [];
      session.onReauth(async (context) => {
        asked.push(context);
        return { accessToken: strong };
      });
      const sent = await authorizer.authorize({ url: '/admin/export' });
      // A routine refresh lands while the request is in flight: its step-up 401 is late.
      await session.refresh();
      const replay = await authorizer.handleUnauthorized(sent, STEP_UP);
      expect(replay && authorizer.credentials(replay)).toBe(`Bearer ${rotated}`);
      // The rotated token is no stronger: refused for step-up again.
      const next = await authorizer.handleUnauthorized(replay as NonNullable<typeof replay>, STEP_UP);
      expect(asked).toHaveLength(1);
      expect(next && authorizer.credentials(next)).toBe(`Bearer ${strong}`);
    });
  }

  it('maxRetries 1, after an expiry refresh: a late step-up 401 on the replay still reaches the prompt', async () => {
    const { session, authorizer } = signedIn(1);
    const asked: ReauthContext[] = [];
    session.onReauth(async (context) => {
      asked.push(context);
      return { accessToken: strong };
    });
    const sent = await authorizer.authorize({ url: '/admin/export' });
    const EXPIRED = { status: 401, shouldRefresh: true, headers: {} };
    const first = await authorizer.handleUnauthorized(sent, EXPIRED); // one refresh: attempt 1, rotated token
    expect(first?.attempt).toBe(1);
    // Another refresh lands (autoRefresh, another tab) while the replay is in flight; the replay's answer is a step-up.
    await session.refresh();
    const late = await authorizer.handleUnauthorized(first as NonNullable<typeof first>, STEP_UP);
    expect(late?.attempt).toBe(2);
    expect(asked).toHaveLength(0); // late: replayed with the current token first
    const next = late && (await authorizer.handleUnauthorized(late, STEP_UP));
    expect(asked).toHaveLength(1);
    expect(next && authorizer.credentials(next)).toBe(`Bearer ${strong}`);
  });
});
