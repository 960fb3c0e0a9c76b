import {
  createAuthorizer,
  createSession,
  isRefreshableResponse,
  type ReauthContext,
  type ReauthHandler,
} from '@reauth/core';
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

  it('a step-up 401 that lands after the step-up was answered replays with the new token: no second prompt', async () => {
    const { session, authorizer, refresh } = signedIn();
    const asked: ReauthContext[] = [];
    session.onReauth(async (context) => {
      asked.push(context);
      return { accessToken: strong };
    });
    const [early, late] = await Promise.all([
      authorizer.authorize({ url: '/admin/a' }),
      authorizer.authorize({ url: '/admin/b' }),
    ]);
    const first = await authorizer.handleUnauthorized(early, STEP_UP);
    expect(first && authorizer.credentials(first)).toBe(`Bearer ${strong}`);
    // The second request was sent with the weak token too; its 401 comes back after the prompt was answered.
    const second = await authorizer.handleUnauthorized(late, STEP_UP);
    expect(second && authorizer.credentials(second)).toBe(`Bearer ${strong}`);
    expect(asked).toHaveLength(1);
    expect(refresh).not.toHaveBeenCalled();
    // Were the new token refused for a step-up too, the replay's 401 opens the prompt then.
    const again = await authorizer.handleUnauthorized(second as NonNullable<typeof second>, STEP_UP);
    expect(again && authorizer.credentials(again)).toBe(`Bearer ${strong}`);
    expect(asked).toHaveLength(2);
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

describe('step-up: the review of its edges', () => {
  it('unregistering the handler of an open step-up dismisses it: its requests settle with STEP_UP_CANCELLED', async () => {
    const { session, authorizer } = signedIn();
    const off = session.onReauth(() => new Promise(() => {}));
    const ticket = await authorizer.authorize({ url: '/admin' });
    const replay = authorizer.handleUnauthorized(ticket, STEP_UP);
    const outcome = expect(replay).rejects.toMatchObject({ code: 'STEP_UP_CANCELLED' });
    await vi.advanceTimersByTimeAsync(0);
    off();
    await outcome;
    expect(session.getState().status).toBe('signedIn');
  });

  it('a step-up after a refresh spent maxRetries still prompts (it does not count against them)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const control = controlledRefresh();
    const session = createSession({ refresh: control.refresh, now: () => Date.now() });
    session.signIn({ accessToken: basic, refreshToken: 'r1', expiresIn: 600 });
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const reasons: string[] = [];
    session.onReauth(async ({ reason }) => {
      reasons.push(reason);
      return { accessToken: strong };
    });
    const first = await authorizer.authorize({ url: '/admin' });
    const expired = authorizer.handleUnauthorized(first, { status: 401, shouldRefresh: true });
    await vi.advanceTimersByTimeAsync(0);
    control.call(0).resolve({ accessToken: makeJwt({ sub: 'alice', acr: 'pwd', n: 2 }), expiresIn: 600 });
    const replay = await expired;
    expect(replay?.attempt).toBe(1);
    const stepped = await authorizer.handleUnauthorized(replay as NonNullable<typeof replay>, STEP_UP);
    expect(reasons).toEqual(['step_up']);
    expect(stepped && authorizer.credentials(stepped)).toBe(`Bearer ${strong}`);
    // And no loop: a second step-up on that replay goes back to the caller.
    expect(await authorizer.handleUnauthorized(stepped as NonNullable<typeof stepped>, STEP_UP)).toBeNull();
  });

  it("complete()'s plain signIn answers the step-up and keeps the refresh token it does not replace", async () => {
    const { session, authorizer, refresh } = signedIn();
    session.onReauth(() => new Promise(() => {}));
    const ticket = await authorizer.authorize({ url: '/admin' });
    const replay = authorizer.handleUnauthorized(ticket, STEP_UP);
    await vi.advanceTimersByTimeAsync(0);
    session.signIn({ accessToken: strong, expiresIn: 600 });
    await replay;
    void session.refresh().catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(refresh).toHaveBeenCalledWith(expect.objectContaining({ refreshToken: 'r1' }));
  });

  it('pairs reauthRequired and reauthResolved per prompt; reads an unquoted acr_values', async () => {
    const { session, authorizer } = signedIn();
    const events: string[] = [];
    session.on('*', (event) => events.push(event.type));
    const asked: ReauthContext[] = [];
    session.onReauth(async (context) => {
      asked.push(context);
      return { accessToken: strong };
    });
    const ticket = await authorizer.authorize({ url: '/admin' });
    await authorizer.handleUnauthorized(ticket, {
      ...STEP_UP,
      headers: { 'WWW-Authenticate': 'Bearer error=insufficient_user_authentication, acr_values=mfa' },
    });
    expect(asked[0]?.acrValues).toEqual(['mfa']);
    expect(events.filter((type) => type === 'reauthRequired').length).toBe(
      events.filter((type) => type === 'reauthResolved').length,
    );
  });

  it('an error="constructor" challenge is no step-up nor DPoP: it is refreshed as any 401', () => {
    const headers = { 'WWW-Authenticate': 'Bearer error="constructor"' };
    expect(isRefreshableResponse({ status: 401, headers })).toBe(true);
  });
});
