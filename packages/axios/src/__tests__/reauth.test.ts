import type { ReauthHandler, Session } from '@reauth/core';
import type { TokenResponse } from '@reauth/msw';
import { describe, expect, it, vi } from 'vitest';
import { BASE_URL, eventually, setupMockAuth, useMswServer } from './support/mockAuth';
import { bearer, codeOf, rejection, track, userPrompt } from './support/setup';

// On axios's http adapter, msw/node and the @reauth/msw kit: a refused refresh is the kit's 400 invalid_grant.
const server = useMswServer();

type Context = Awaited<ReturnType<typeof setupMockAuth>>;
const isQueued = ({ eventsOf }: Context, url: string) =>
  eventsOf('requestQueued').some((event) => event.url === `${BASE_URL}${url}`);

describe('a refused refresh with an onReauth handler', () => {
  it('holds every request, prompts once, and resumes them all with the tokens the prompt returns', async () => {
    const context = await setupMockAuth(server);
    const { auth, http, session, eventsOf, sendsOf, refresh } = context;
    auth.controls.expireAccessTokens();
    auth.controls.failNextRefresh(1, 'rejected');
    let submit: () => void = () => {};
    const submitted = new Promise<void>((resolve) => {
      submit = resolve;
    });
    let fromLogin: TokenResponse | undefined;
    // The modal logs in through the same instance (skipAuth) while the requests wait.
    const prompt = vi.fn<ReauthHandler>(async () => {
      await submitted;
      const login = await http.post<TokenResponse>(
        '/auth/login',
        { username: 'alice', password: 'wonderland' },
        { skipAuth: true },
      );
      fromLogin = login.data;
      return login.data;
    });
    session.onReauth(prompt);

    const first = ['/a', '/b', '/c'].map((url) => track(http.get(url)));
    await eventually(() => expect(prompt).toHaveBeenCalled());
    const later = track(http.get('/d'));
    await eventually(() => expect(isQueued(context, '/d')).toBe(true));

    expect(session.getState().status).toBe('reauthRequired');
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(prompt).toHaveBeenCalledWith(expect.objectContaining({ reason: 'refresh_rejected' }));
    expect([...first, later].some((request) => request.settled)).toBe(false);
    expect(sendsOf('/d')).toHaveLength(0);

    submit();
    await eventually(() => expect([...first, later].every((request) => request.settled)).toBe(true));

    expect([...first, later].map((request) => request.rejected)).toEqual([false, false, false, false]);
    const fromPrompt = bearer(fromLogin?.accessToken ?? 'no login');
    for (const url of ['/a', '/b', '/c'])
      expect(sendsOf(url).map((s) => s.authorization)[1]).toBe(fromPrompt);
    expect(sendsOf('/d').map((s) => s.authorization)).toEqual([fromPrompt]);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(auth.stats).toMatchObject({ refreshes: 1, logins: 1 });
    expect(eventsOf('reauthResolved')).toHaveLength(1);
  });

  it('resumes them when the session is signed in some other way while the prompt is open', async () => {
    const { auth, http, session, issueTokens } = await setupMockAuth(server);
    auth.controls.expireAccessTokens();
    auth.controls.failNextRefresh(1, 'rejected');
    const { handler } = userPrompt();
    session.onReauth(handler);
    const waiting = ['/a', '/b'].map((url) => track(http.get(url)));
    await eventually(() => expect(handler).toHaveBeenCalled());
    expect(handler).toHaveBeenCalledTimes(1);

    session.signIn(await issueTokens());
    await eventually(() => expect(waiting.every((request) => request.settled)).toBe(true));

    expect(waiting.map((request) => [request.settled, request.rejected])).toEqual([
      [true, false],
      [true, false],
    ]);
    expect(handler.mock.calls[0]?.[0].signal.aborted).toBe(true);
  });

  it('prompts once for any number of 401s', async () => {
    const { auth, http, session, refresh, issueTokens } = await setupMockAuth(server);
    auth.controls.expireAccessTokens();
    auth.controls.failNextRefresh(1, 'rejected');
    const { handler, answer } = userPrompt();
    session.onReauth(handler);
    const waiting = Promise.all(Array.from({ length: 10 }, (_, i) => http.get(`/items/${i}`)));
    await eventually(() => expect(handler).toHaveBeenCalled());
    answer(await issueTokens());

    expect(await waiting).toHaveLength(10);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it.each<[string, (prompt: ReturnType<typeof userPrompt>, session: Session) => void]>([
    ['resolves null', (prompt) => prompt.answer(null)],
    ['resolves undefined', (prompt) => prompt.answer(undefined as unknown as null)],
    ['throws', (prompt) => prompt.fail(new Error('modal closed'))],
    ['is dismissed with cancelReauth()', (_, session) => session.cancelReauth()],
  ])(
    'rejects every waiting request with REAUTH_CANCELLED and signs out when the prompt %s',
    async (_, end) => {
      const context = await setupMockAuth(server);
      const { auth, http, session, storage, sendsOf } = context;
      auth.controls.expireAccessTokens();
      auth.controls.failNextRefresh(1, 'rejected');
      const prompt = userPrompt();
      session.onReauth(prompt.handler);

      const waiting = ['/a', '/b'].map((url) => rejection(http.get(url)));
      await eventually(() => expect(prompt.handler).toHaveBeenCalled());
      const later = rejection(http.get('/c'));
      await eventually(() => expect(isQueued(context, '/c')).toBe(true));
      end(prompt, session);

      expect((await Promise.all([...waiting, later])).map(codeOf)).toEqual([
        'REAUTH_CANCELLED',
        'REAUTH_CANCELLED',
        'REAUTH_CANCELLED',
      ]);
      expect(prompt.handler).toHaveBeenCalledTimes(1);
      expect(session.getState().status).toBe('signedOut');
      expect(storage.size).toBe(0);
      expect(sendsOf('/c')).toHaveLength(0);
    },
  );
});

describe('a session without a refresh function', () => {
  it('sends a 401 straight to the prompt, and replays with its tokens', async () => {
    const { auth, http, session, refresh, issueTokens } = await setupMockAuth(server, {
      silentRefresh: false,
    });
    const { handler, answer } = userPrompt();
    session.onReauth(handler);
    auth.controls.expireAccessTokens();

    const done = track(http.get('/items'));
    await eventually(() => expect(handler).toHaveBeenCalled());
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ reason: 'no_refresh_token' }));
    answer(await issueTokens());
    await eventually(() => expect(done.settled).toBe(true));

    expect(done).toMatchObject({ settled: true, rejected: false });
    expect(refresh).not.toHaveBeenCalled();
    expect(auth.stats.refreshes).toBe(0);
  });
});

describe('a refused refresh without a handler', () => {
  it('rejects every waiting request with SESSION_EXPIRED, signs out and clears storage', async () => {
    const { auth, http, session, storage, refresh, sends } = await setupMockAuth(server);
    expect(storage.size).toBe(1);
    auth.controls.expireAccessTokens();
    auth.controls.revokeRefreshTokens();

    const waiting = ['/a', '/b', '/c'].map((url) => rejection(http.get(url)));

    expect((await Promise.all(waiting)).map(codeOf)).toEqual([
      'SESSION_EXPIRED',
      'SESSION_EXPIRED',
      'SESSION_EXPIRED',
    ]);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(auth.stats.refreshCalls.map((call) => call.outcome)).toEqual(['revoked']);
    expect(session.getState()).toMatchObject({ status: 'signedOut', user: null });
    expect(storage.size).toBe(0);
    expect(sends).toHaveLength(3);
  });
});
