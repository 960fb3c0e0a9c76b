import { createAuthorizer, createSession, type ReauthContext, type ReauthHandler } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { controlledRefresh, T0 } from './support/harness';
import { makeJwt } from './support/jwt';

beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const STEP_UP = {
  status: 401,
  shouldRefresh: false, // what the default isRefreshableResponse says for it
  headers: {
    'WWW-Authenticate':
      'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="mfa phr", max_age="300"',
  },
};
const basic = makeJwt({ sub: 'alice', acr: 'pwd', exp: T0 / 1000 + 600 });
const strong = makeJwt({ sub: 'alice', acr: 'mfa', exp: T0 / 1000 + 600 });

function signedIn() {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const { refresh } = controlledRefresh();
  const session = createSession({ refresh, now: () => Date.now() });
  session.signIn({ accessToken: basic, refreshToken: 'r1', expiresIn: 600 });
  const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
  return { session, authorizer, refresh };
}

describe('step-up (RFC 9470): a 401 asking for a stronger sign-in', () => {
  it('opens one prompt for concurrent step-up 401s, with acrValues and maxAge; no refresh; its tokens replay only them', async () => {
    const { session, authorizer, refresh } = signedIn();
    let answer: (tokens: { accessToken: string }) => void = () => {};
    const asked: ReauthContext[] = [];
    session.onReauth((context) => {
      asked.push(context);
      return new Promise((resolve) => (answer = resolve));
    });
    const tickets = await Promise.all([
      authorizer.authorize({ url: '/admin/a' }),
      authorizer.authorize({ url: '/admin/b' }),
    ]);
    const replays = tickets.map((ticket) => authorizer.handleUnauthorized(ticket, STEP_UP));
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ reason: 'step_up', acrValues: ['mfa', 'phr'], maxAge: 300 });
    // The session stays signed in, and other requests go on unheld with the current token.
    expect(session.getState().status).toBe('signedIn');
    const other = authorizer.authorize({ url: '/items' });
    expect(other).not.toBeInstanceOf(Promise);
    expect(authorizer.credentials(other as Exclude<typeof other, Promise<unknown>>)).toBe(`Bearer ${basic}`);
    answer({ accessToken: strong });
    const next = await Promise.all(replays);
    expect(next.map((ticket) => ticket && authorizer.credentials(ticket))).toEqual([
      `Bearer ${strong}`,
      `Bearer ${strong}`,
    ]);
    expect(refresh).not.toHaveBeenCalled();
    // The refresh token of the session is kept when the step-up answer brings none.
    expect(session.getState().status).toBe('signedIn');
  });

  it('a dismissal rejects only the requests that asked, with STEP_UP_CANCELLED; the session is kept', async () => {
    const { session, authorizer, refresh } = signedIn();
    session.onReauth(async () => null);
    const ticket = await authorizer.authorize({ url: '/admin' });
    await expect(authorizer.handleUnauthorized(ticket, STEP_UP)).rejects.toMatchObject({
      code: 'STEP_UP_CANCELLED',
    });
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: null });
    expect(await session.getAccessToken()).toBe(basic);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('with no prompt registered, the request rejects with STEP_UP_REQUIRED and the session is kept', async () => {
    const { session, authorizer } = signedIn();
    const ticket = await authorizer.authorize({ url: '/admin' });
    await expect(authorizer.handleUnauthorized(ticket, STEP_UP)).rejects.toMatchObject({
      code: 'STEP_UP_REQUIRED',
    });
    expect(session.getState().status).toBe('signedIn');
  });

  it('a sign-out while the step-up prompt is open rejects its requests with SIGNED_OUT and closes it', async () => {
    const { session, authorizer } = signedIn();
    const signals: AbortSignal[] = [];
    const prompt: ReauthHandler = ({ signal }) => {
      signals.push(signal);
      return new Promise(() => {});
    };
    session.onReauth(prompt);
    const ticket = await authorizer.authorize({ url: '/admin' });
    const replay = authorizer.handleUnauthorized(ticket, STEP_UP);
    await vi.advanceTimersByTimeAsync(0);
    session.signOut();
    await expect(replay).rejects.toMatchObject({ code: 'SIGNED_OUT' });
    expect(signals[0]?.aborted).toBe(true);
  });

  it('an answer signIn refuses counts as a dismissal', async () => {
    const { session, authorizer } = signedIn();
    session.onReauth(async () => ({ accessToken: '' }));
    const ticket = await authorizer.authorize({ url: '/admin' });
    await expect(authorizer.handleUnauthorized(ticket, STEP_UP)).rejects.toMatchObject({
      code: 'STEP_UP_CANCELLED',
    });
    expect(session.getState().status).toBe('signedIn');
  });
});
