import type { ReauthHandler, Session } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, codeOf, rejection, setup, track, userPrompt } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a refused refresh with an onReauth handler', () => {
  it('holds every request, prompts once, and resumes them all with the tokens the prompt returns', async () => {
    const { api, http, session, eventsOf } = setup();
    api.expireAccessTokens();
    api.failNextRefresh('rejected');
    let submit: () => void = () => {};
    const submitted = new Promise<void>((resolve) => {
      submit = resolve;
    });
    // The modal logs in through the same instance (skipAuth) while the requests wait.
    const prompt = vi.fn<ReauthHandler>(async () => {
      await submitted;
      const login = await http.post(
        '/auth/login',
        { username: 'alice', password: 'wonderland' },
        { skipAuth: true },
      );
      return login.data;
    });
    session.onReauth(prompt);

    const first = ['/a', '/b', '/c'].map((url) => track(http.get(url)));
    await vi.advanceTimersByTimeAsync(100);
    const later = track(http.get('/d'));
    await vi.advanceTimersByTimeAsync(1000);

    expect(session.getState().status).toBe('reauthRequired');
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(prompt).toHaveBeenCalledWith(expect.objectContaining({ reason: 'refresh_rejected' }));
    expect([...first, later].some((request) => request.settled)).toBe(false);
    expect(api.sendsOf('/d')).toHaveLength(0);

    submit();
    await vi.advanceTimersByTimeAsync(100);

    expect([...first, later].map((request) => request.rejected)).toEqual([false, false, false, false]);
    expect([...first, later].every((request) => request.settled)).toBe(true);
    const fromPrompt = bearer(api.lastIssued().accessToken);
    for (const url of ['/a', '/b', '/c'])
      expect(api.sendsOf(url).map((s) => s.authorization)[1]).toBe(fromPrompt);
    expect(api.sendsOf('/d').map((s) => s.authorization)).toEqual([fromPrompt]);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(eventsOf('reauthResolved')).toHaveLength(1);
  });

  it('resumes them when the session is signed in some other way while the prompt is open', async () => {
    const { api, http, session } = setup();
    api.expireAccessTokens();
    api.failNextRefresh('rejected');
    const { handler } = userPrompt();
    session.onReauth(handler);
    const waiting = ['/a', '/b'].map((url) => track(http.get(url)));
    await vi.advanceTimersByTimeAsync(100);
    expect(handler).toHaveBeenCalledTimes(1);

    session.signIn(api.issueTokens());
    await vi.advanceTimersByTimeAsync(100);

    expect(waiting.map((request) => [request.settled, request.rejected])).toEqual([
      [true, false],
      [true, false],
    ]);
    expect(handler.mock.calls[0]?.[0].signal.aborted).toBe(true);
  });

  it('prompts once for any number of 401s', async () => {
    const { api, http, session } = setup();
    api.expireAccessTokens();
    api.failNextRefresh('rejected');
    const { handler, answer } = userPrompt();
    session.onReauth(handler);
    const waiting = Promise.all(Array.from({ length: 10 }, (_, i) => http.get(`/items/${i}`)));
    await vi.advanceTimersByTimeAsync(100);
    answer(api.issueTokens());
    await vi.advanceTimersByTimeAsync(100);

    expect(await waiting).toHaveLength(10);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it.each<[string, (prompt: ReturnType<typeof userPrompt>, session: Session) => void]>([
    ['resolves null', (prompt) => prompt.answer(null)],
    ['resolves undefined', (prompt) => prompt.answer(undefined as unknown as null)],
    ['throws', (prompt) => prompt.fail(new Error('modal closed'))],
    ['is dismissed with cancelReauth()', (_, session) => session.cancelReauth()],
  ])(
    'rejects every waiting request with REAUTH_CANCELLED and signs out when the prompt %s',
    async (_, end) => {
      const { api, http, session, storage } = setup();
      api.expireAccessTokens();
      api.failNextRefresh('rejected');
      const prompt = userPrompt();
      session.onReauth(prompt.handler);

      const waiting = ['/a', '/b'].map((url) => rejection(http.get(url)));
      await vi.advanceTimersByTimeAsync(100);
      const later = rejection(http.get('/c'));
      await vi.advanceTimersByTimeAsync(100);
      end(prompt, session);

      expect((await Promise.all([...waiting, later])).map(codeOf)).toEqual([
        'REAUTH_CANCELLED',
        'REAUTH_CANCELLED',
        'REAUTH_CANCELLED',
      ]);
      expect(prompt.handler).toHaveBeenCalledTimes(1);
      expect(session.getState().status).toBe('signedOut');
      expect(storage.size).toBe(0);
      expect(api.sendsOf('/c')).toHaveLength(0);
    },
  );
});

describe('a session without a refresh function', () => {
  it('sends a 401 straight to the prompt, and replays with its tokens', async () => {
    const { api, http, session } = setup({ silentRefresh: false });
    const { handler, answer } = userPrompt();
    session.onReauth(handler);
    api.expireAccessTokens();

    const done = track(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ reason: 'no_refresh_token' }));
    answer(api.issueTokens());
    await vi.advanceTimersByTimeAsync(100);

    expect(done).toMatchObject({ settled: true, rejected: false });
    expect(api.refresh).not.toHaveBeenCalled();
  });
});

describe('a refused refresh without a handler', () => {
  it('rejects every waiting request with SESSION_EXPIRED, signs out and clears storage', async () => {
    const { api, http, session, storage } = setup();
    expect(storage.size).toBe(1);
    api.expireAccessTokens();
    api.revokeRefreshTokens();

    const waiting = ['/a', '/b', '/c'].map((url) => rejection(http.get(url)));
    await vi.advanceTimersByTimeAsync(100);

    expect((await Promise.all(waiting)).map(codeOf)).toEqual([
      'SESSION_EXPIRED',
      'SESSION_EXPIRED',
      'SESSION_EXPIRED',
    ]);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(session.getState()).toMatchObject({ status: 'signedOut', user: null });
    expect(storage.size).toBe(0);
    expect(api.sends).toHaveLength(3);
  });
});
