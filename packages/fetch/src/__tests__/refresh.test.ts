import { isAuthError } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  codeOf,
  expectNoSecretsIn,
  finish,
  flushMicrotasks,
  setup,
  track,
  url,
  userPrompt,
} from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('one refresh for any number of 401s', () => {
  it('refreshes once for 20 concurrent 401s; all succeed, none sent more than twice', async () => {
    const { api, authFetch } = setup();
    api.expireAccessTokens();

    const responses = await finish(
      Promise.all(Array.from({ length: 20 }, (_, i) => authFetch(url(`/items/${i}`)))),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(api.refresh).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 20; i++) {
      expect(api.sendsOf(`/items/${i}`).map((s) => s.status)).toEqual([401, 200]);
    }
  });

  it('holds a request started while the refresh runs and sends it once, with the new token', async () => {
    const { api, authFetch, eventsOf } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const first = track(authFetch(url('/first')));
    await vi.advanceTimersByTimeAsync(20); // the 401 came back, the refresh runs

    const held = track(authFetch(url('/held')));
    await flushMicrotasks();
    expect(api.sendsOf('/held')).toEqual([]);
    expect(eventsOf('requestQueued').map((e) => e.url)).toContain(url('/held'));

    await vi.advanceTimersByTimeAsync(200);
    expect([first.value?.status, held.value?.status]).toEqual([200, 200]);
    expect(api.sendsOf('/held').map((s) => s.authorization)).toEqual([bearer(api.lastIssued().accessToken)]);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it('replays a late 401 (sent with the old token, answered after the refresh) with no second refresh', async () => {
    const { api, authFetch, tokens, eventsOf } = setup();
    api.delay('/slow', 50); // checks the token when it answers, after the refresh
    const slow = track(authFetch(url('/slow')));
    api.expireAccessTokens();
    await finish(authFetch(url('/fast'))); // refreshes while /slow is in flight

    await vi.advanceTimersByTimeAsync(100);

    expect(slow.value?.status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/slow').map((s) => s.authorization)).toEqual([
      bearer(tokens.accessToken),
      bearer(api.lastIssued().accessToken),
    ]);
    expect(
      eventsOf('requestReplayed')
        .filter((e) => e.lateUnauthorized)
        .map((e) => e.url),
    ).toEqual([url('/slow')]);
  });

  it('refreshes before the request when the token is inside the leeway: the API never sees a 401', async () => {
    const { api, authFetch } = setup({ api: { accessTtlS: 120 } });
    await vi.advanceTimersByTimeAsync(100_000); // 20 s left, inside the 30 s leeway

    const response = await finish(authFetch(url('/items')));

    expect(response.status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sends.map((s) => [s.status, s.authorization])).toEqual([
      [200, bearer(api.lastIssued().accessToken)],
    ]);
  });
});

describe('when the refresh fails', () => {
  it.each([
    ['server', 'REFRESH_UNAVAILABLE'],
    ['network', 'REFRESH_UNAVAILABLE'],
  ] as const)(
    'rejects waiting requests with %s → %s, keeps the tokens, and a later request refreshes',
    async (kind, code) => {
      const { api, authFetch, session } = setup();
      api.expireAccessTokens();
      api.failNextRefresh(kind);

      const outcome = await finish(authFetch(url('/items'))).catch((e: unknown) => e);

      expect(codeOf(outcome)).toBe(code);
      expect(session.getState().status).toBe('signedIn');
      expect((await finish(authFetch(url('/items')))).status).toBe(200);
      expect(api.refresh).toHaveBeenCalledTimes(2);
    },
  );

  it('ends a hanging refresh at refreshTimeoutMs with REFRESH_TIMEOUT, tokens kept', async () => {
    const { api, authFetch, session } = setup({ session: { refreshTimeoutMs: 5_000 } });
    api.expireAccessTokens();
    api.failNextRefresh('hang');
    const pending = track(authFetch(url('/items')));

    await vi.advanceTimersByTimeAsync(4_900);
    expect(pending.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(200);

    expect(codeOf(pending.error)).toBe('REFRESH_TIMEOUT');
    expect(session.getState().status).not.toBe('signedOut');
    await vi.advanceTimersByTimeAsync(5_000); // the grace period passes: the refresh is abandoned
    expect((await finish(authFetch(url('/items')))).status).toBe(200);
    expect(api.refresh).toHaveBeenCalledTimes(2);
  });

  it('without a reauth handler: SESSION_EXPIRED for all, signed out; no token string in the errors', async () => {
    const { api, authFetch, session } = setup();
    api.expireAccessTokens();
    api.revokeRefreshTokens();

    const outcomes = await finish(
      Promise.all([1, 2, 3].map((i) => authFetch(url(`/items/${i}`)).catch((e: unknown) => e))),
    );

    expect(outcomes.map(codeOf)).toEqual(['SESSION_EXPIRED', 'SESSION_EXPIRED', 'SESSION_EXPIRED']);
    expect(session.getState().status).toBe('signedOut');
    expectNoSecretsIn(
      outcomes.map((e) => (isAuthError(e) ? `${e.message} ${String(e.cause)}` : '')).join(' '),
      api.secrets(),
    );
  });

  it('with a reauth handler: requests wait for the prompt; its tokens replay them all', async () => {
    const { api, authFetch, session } = setup();
    const prompt = userPrompt();
    session.onReauth(prompt.handler);
    api.expireAccessTokens();
    api.revokeRefreshTokens();
    const first = track(authFetch(url('/a')));
    await vi.advanceTimersByTimeAsync(100);
    expect(session.getState().status).toBe('reauthRequired');
    const second = track(authFetch(url('/b')));
    await vi.advanceTimersByTimeAsync(100);
    expect(api.sendsOf('/b')).toEqual([]);

    prompt.answer(api.issueTokens());
    await vi.advanceTimersByTimeAsync(100);

    expect([first.value?.status, second.value?.status]).toEqual([200, 200]);
    expect(api.sendsOf('/b').map((s) => s.authorization)).toEqual([bearer(api.lastIssued().accessToken)]);
  });

  it('with a reauth handler answering null: REAUTH_CANCELLED for all, signed out', async () => {
    const { api, authFetch, session } = setup();
    const prompt = userPrompt();
    session.onReauth(prompt.handler);
    api.expireAccessTokens();
    api.revokeRefreshTokens();
    const first = track(authFetch(url('/a')));
    await vi.advanceTimersByTimeAsync(100);

    prompt.answer(null);
    await vi.advanceTimersByTimeAsync(100);

    expect(codeOf(first.error)).toBe('REAUTH_CANCELLED');
    expect(session.getState().status).toBe('signedOut');
  });

  it('a 401 while signed out with a handler registered opens the prompt (the login-modal trigger)', async () => {
    const { api, authFetch, session } = setup({ signedIn: false });
    const prompt = userPrompt();
    session.onReauth(prompt.handler);
    const pending = track(authFetch(url('/items')));
    await vi.advanceTimersByTimeAsync(100);
    expect(prompt.handler).toHaveBeenCalledWith(expect.objectContaining({ reason: 'unauthenticated' }));

    prompt.answer(api.issueTokens());
    await vi.advanceTimersByTimeAsync(100);

    expect(pending.value?.status).toBe(200);
    expect(api.sends.map((s) => s.status)).toEqual([401, 200]);
  });
});

describe('signOut while requests wait', () => {
  it('rejects them with SIGNED_OUT, discards the refresh landing afterwards, sends no token after', async () => {
    const { api, authFetch, session } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const refused = track(authFetch(url('/refused')));
    await vi.advanceTimersByTimeAsync(20);
    const held = track(authFetch(url('/held')));
    await flushMicrotasks();

    session.signOut();
    await flushMicrotasks();
    expect([codeOf(refused.error), codeOf(held.error)]).toEqual(['SIGNED_OUT', 'SIGNED_OUT']);

    await vi.advanceTimersByTimeAsync(200); // the refresh lands
    expect(session.getState().status).toBe('signedOut');
    const after = await finish(authFetch(url('/after')));
    expect(after.status).toBe(401);
    expect(api.sendsOf('/held')).toEqual([]);
    expect(api.sendsOf('/after').map((s) => s.authorization)).toEqual([null]);
  });

  it('a late 401 of a request sent before the sign-out rejects with SIGNED_OUT, no prompt', async () => {
    const { api, authFetch, session } = setup();
    const prompt = userPrompt();
    session.onReauth(prompt.handler);
    api.route('/slow', () => ({ status: 401 }));
    const slow = track(authFetch(url('/slow')));
    session.signOut();

    await vi.advanceTimersByTimeAsync(100);

    expect(codeOf(slow.error)).toBe('SIGNED_OUT');
    expect(prompt.handler).not.toHaveBeenCalled();
    expect(api.sendsOf('/slow')).toHaveLength(1);
  });
});

describe('retries', () => {
  it('with maxRetries 2, a replay refused while its token is current joins a new refresh (sent 3 times)', async () => {
    const { api, authFetch } = setup({ auth: { maxRetries: 2 } });
    api.route('/thrice', ({ sendNo, token }) =>
      sendNo < 3 ? { status: 401 } : token === 'valid' ? { status: 200 } : { status: 401 },
    );

    const response = await finish(authFetch(url('/thrice')));

    expect(response.status).toBe(200);
    expect(api.sendsOf('/thrice').map((s) => s.status)).toEqual([401, 401, 200]);
    expect(api.refresh).toHaveBeenCalledTimes(2);
  });
});
