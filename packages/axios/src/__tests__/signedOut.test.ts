import { describe, expect, it } from 'vitest';
import { BASE_URL, eventually, setupMockAuth, useMswServer } from './support/mockAuth';
import { bearer, codeOf, rejection, track, userPrompt } from './support/setup';

// On axios's http adapter, msw/node and the @reauth/msw kit. A request that must still be in flight when
// the session ends is held at a gate; the kit checks its token when the gate opens.
const server = useMswServer();

describe('a 401 on a request sent without a token while signed out', () => {
  it('prompts (the login-modal trigger) and replays with the tokens the handler returns', async () => {
    const { http, session, refresh, sendsOf, issueTokens, lastIssued } = await setupMockAuth(server, {
      signedIn: false,
    });
    const { handler, answer } = userPrompt();
    session.onReauth(handler);

    const done = track(http.get('/items'));
    await eventually(() => expect(handler).toHaveBeenCalled());
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ reason: 'unauthenticated' }));
    expect(session.getState().status).toBe('reauthRequired');
    expect(done.settled).toBe(false);

    answer(await issueTokens());
    await eventually(() => expect(done.settled).toBe(true));

    expect(done).toMatchObject({ settled: true, rejected: false });
    expect(sendsOf('/items').map((s) => [s.authorization, s.status])).toEqual([
      [null, 401],
      [bearer(lastIssued().accessToken), 200],
    ]);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('prompts once for several such 401s, and holds requests started meanwhile', async () => {
    const context = await setupMockAuth(server, { signedIn: false });
    const { http, session, sendsOf, eventsOf, issueTokens, lastIssued } = context;
    const { handler, answer } = userPrompt();
    session.onReauth(handler);
    const first = [track(http.get('/a')), track(http.get('/b'))];
    await eventually(() =>
      expect([...sendsOf('/a'), ...sendsOf('/b')].map((s) => s.status)).toEqual([401, 401]),
    );
    const later = track(http.get('/c'));
    await eventually(() => expect(eventsOf('requestQueued').map((e) => e.url)).toContain(`${BASE_URL}/c`));
    expect(sendsOf('/c')).toHaveLength(0);

    answer(await issueTokens());
    await eventually(() => expect([...first, later].every((request) => request.settled)).toBe(true));

    expect(handler).toHaveBeenCalledTimes(1);
    expect([...first, later].map((request) => request.rejected)).toEqual([false, false, false]);
    expect(sendsOf('/c').map((s) => s.authorization)).toEqual([bearer(lastIssued().accessToken)]);
  });

  it('is the plain 401 when no handler is registered', async () => {
    const { http, thrown, sends } = await setupMockAuth(server, { signedIn: false });

    const error = await rejection(http.get('/items'));

    expect(error).toBe(thrown[0]);
    expect(sends).toHaveLength(1);
  });
});

describe('a 401 on a request sent with a token of a session that has ended since', () => {
  it('rejects with SIGNED_OUT after a sign-out, and prompts nothing', async () => {
    const { auth, http, session, refresh, sends, gate } = await setupMockAuth(server);
    const { handler } = userPrompt();
    session.onReauth(handler);
    auth.controls.expireAccessTokens();
    const slow = gate('/slow');

    const error = rejection(http.get('/slow'));
    await eventually(() => expect(sends).toHaveLength(1));
    session.signOut();
    slow.open();

    expect(codeOf(await error)).toBe('SIGNED_OUT');
    expect(handler).not.toHaveBeenCalled();
    expect(refresh).not.toHaveBeenCalled();
    expect(sends).toHaveLength(1);
  });

  it('rejects with REAUTH_CANCELLED after a dismissed prompt, and prompts no second time', async () => {
    const { auth, http, session, sends, gate } = await setupMockAuth(server);
    const { handler, answer } = userPrompt();
    session.onReauth(handler);
    auth.controls.expireAccessTokens();
    auth.controls.failNextRefresh(1, 'rejected');
    const slowGate = gate('/slow');

    const slow = rejection(http.get('/slow'));
    const fast = rejection(http.get('/fast'));
    await eventually(() => expect(handler).toHaveBeenCalled());
    expect(sends).toHaveLength(2);
    answer(null);
    expect(codeOf(await fast)).toBe('REAUTH_CANCELLED');
    slowGate.open();

    expect(codeOf(await slow)).toBe('REAUTH_CANCELLED');
    expect(handler).toHaveBeenCalledTimes(1);
    expect(sends).toHaveLength(2);
  });
});
