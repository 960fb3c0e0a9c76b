import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, codeOf, rejection, setup, track, userPrompt } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a 401 on a request sent without a token while signed out', () => {
  it('prompts (the login-modal trigger) and replays with the tokens the handler returns', async () => {
    const { api, http, session } = setup({ signedIn: false });
    const { handler, answer } = userPrompt();
    session.onReauth(handler);

    const done = track(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ reason: 'unauthenticated' }));
    expect(session.getState().status).toBe('reauthRequired');
    expect(done.settled).toBe(false);

    answer(api.issueTokens());
    await vi.advanceTimersByTimeAsync(100);

    expect(done).toMatchObject({ settled: true, rejected: false });
    expect(api.sendsOf('/items').map((s) => [s.authorization, s.status])).toEqual([
      [null, 401],
      [bearer(api.lastIssued().accessToken), 200],
    ]);
    expect(api.refresh).not.toHaveBeenCalled();
  });

  it('prompts once for several such 401s, and holds requests started meanwhile', async () => {
    const { api, http, session } = setup({ signedIn: false });
    const { handler, answer } = userPrompt();
    session.onReauth(handler);
    const first = [track(http.get('/a')), track(http.get('/b'))];
    await vi.advanceTimersByTimeAsync(100);
    const later = track(http.get('/c'));
    await vi.advanceTimersByTimeAsync(100);
    expect(api.sendsOf('/c')).toHaveLength(0);

    answer(api.issueTokens());
    await vi.advanceTimersByTimeAsync(100);

    expect(handler).toHaveBeenCalledTimes(1);
    expect([...first, later].map((request) => request.rejected)).toEqual([false, false, false]);
    expect(api.sendsOf('/c').map((s) => s.authorization)).toEqual([bearer(api.lastIssued().accessToken)]);
  });

  it('is the plain 401 when no handler is registered', async () => {
    const { api, http } = setup({ signedIn: false });
    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);

    expect(await error).toBe(api.thrown[0]);
    expect(api.sends).toHaveLength(1);
  });
});

describe('a 401 on a request sent with a token of a session that has ended since', () => {
  it('rejects with SIGNED_OUT after a sign-out, and prompts nothing', async () => {
    const { api, http, session } = setup();
    const { handler } = userPrompt();
    session.onReauth(handler);
    api.expireAccessTokens();
    api.delay('/slow', 200);

    const error = rejection(http.get('/slow'));
    await vi.advanceTimersByTimeAsync(50);
    session.signOut();
    await vi.advanceTimersByTimeAsync(500);

    expect(codeOf(await error)).toBe('SIGNED_OUT');
    expect(handler).not.toHaveBeenCalled();
    expect(api.refresh).not.toHaveBeenCalled();
    expect(api.sends).toHaveLength(1);
  });

  it('rejects with REAUTH_CANCELLED after a dismissed prompt, and prompts no second time', async () => {
    const { api, http, session } = setup();
    const { handler, answer } = userPrompt();
    session.onReauth(handler);
    api.expireAccessTokens();
    api.failNextRefresh('rejected');
    api.delay('/slow', 500);

    const slow = rejection(http.get('/slow'));
    const fast = rejection(http.get('/fast'));
    await vi.advanceTimersByTimeAsync(100);
    answer(null);
    expect(codeOf(await fast)).toBe('REAUTH_CANCELLED');
    await vi.advanceTimersByTimeAsync(1000);

    expect(codeOf(await slow)).toBe('REAUTH_CANCELLED');
    expect(handler).toHaveBeenCalledTimes(1);
    expect(api.sends).toHaveLength(2);
  });
});
