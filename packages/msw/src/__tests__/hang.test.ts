import { type AuthError, createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE_URL, login, refresh, useMockAuth } from './support';

const { auth, server } = useMockAuth({ accessTokenTtlMs: 60_000, refreshTokenTtlMs: 86_400_000 });
const REFRESH_URL = `${BASE_URL}/auth/refresh`;

afterEach(() => {
  vi.useRealTimers();
});

/** Real turns of the event loop (setImmediate is never faked here) until `isDone()`; fails after 1000. */
async function until(isDone: () => boolean): Promise<void> {
  for (let turn = 0; !isDone(); turn++) {
    if (turn === 1_000) throw new Error(`still waiting for: ${isDone.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Until the kit has recorded `count` refresh calls (a hung one is recorded on arrival). */
const recorded = (count: number) => until(() => auth.stats.refreshCalls.length >= count);

/** A few real turns of the event loop: time for anything that was going to settle to settle. */
async function turns(count = 20): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A promise plus whether it has settled yet. */
function watch<T>(promise: Promise<T>) {
  const watched = { isSettled: false, promise };
  promise.then(
    () => {
      watched.isSettled = true;
    },
    () => {
      watched.isSettled = true;
    },
  );
  return watched;
}

/** How many times the refresh handler has returned (msw's `request:match` comes after the resolver). */
function refreshHandlerEnds(): { count: number; stop(): void } {
  const ends = { count: 0, stop: () => server.events.removeListener('request:match', listener) };
  const listener = ({ request }: { request: Request }) => {
    if (request.url === REFRESH_URL) ends.count++;
  };
  server.events.on('request:match', listener);
  return ends;
}

const postRefresh = (refreshToken: string, signal: AbortSignal) =>
  fetch(REFRESH_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken }),
    signal,
  });

describe("failNextRefresh(count, 'hang')", () => {
  it('leaves the refresh unanswered however far time moves, recorded as forced on arrival; the next one works', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { refreshToken } = await login();
    auth.controls.failNextRefresh(1, 'hang');

    const hung = watch(refresh(refreshToken));
    await recorded(1);
    expect(auth.stats.refreshes).toBe(1);
    expect(auth.stats.refreshCalls).toEqual([
      { tokenId: expect.any(String), outcome: 'forced', at: expect.any(Number) },
    ]);
    expect(vi.getTimerCount()).toBe(0); // pending on a promise, not on a long timer

    await vi.advanceTimersByTimeAsync(7 * 86_400_000);
    await turns();
    expect(hung.isSettled).toBe(false);

    const next = await refresh(refreshToken);
    expect(next.status).toBe(200);
    expect(auth.stats.refreshCalls.map((call) => call.outcome)).toEqual(['forced', 'ok']);
    expect(hung.isSettled).toBe(false);
  });

  it('ends when the client aborts: fetch rejects with its AbortError and the handler returns', async () => {
    const { refreshToken } = await login();
    auth.controls.failNextRefresh(1, 'hang');
    const ends = refreshHandlerEnds();
    const controller = new AbortController();

    const hung = postRefresh(refreshToken, controller.signal);
    await recorded(1);
    await turns();
    expect(ends.count).toBe(0);
    controller.abort();

    await expect(hung).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => ends.count === 1);
    auth.controls.reset(); // nothing left for it to release: the handler does not run again
    await turns();
    expect(ends.count).toBe(1);
    ends.stop();
  });

  it('does not spend the refresh token: sent again after an abort it refreshes, without reuse detected', async () => {
    const { refreshToken } = await login();
    auth.controls.failNextRefresh(1, 'hang');
    const controller = new AbortController();
    const hung = postRefresh(refreshToken, controller.signal);
    await recorded(1);
    controller.abort();
    await hung.catch(() => undefined);

    const retried = await refresh(refreshToken);
    expect(retried.status).toBe(200);
    const rotated = (await retried.json()) as { refreshToken: string };
    expect((await refresh(rotated.refreshToken)).status).toBe(200);
    expect(auth.stats.reuseDetected).toBe(0);
    const [hungCall, retry] = auth.stats.refreshCalls;
    expect(retry).toMatchObject({ outcome: 'ok', tokenId: hungCall?.tokenId });
  });

  it('is released by reset(): every hung call gets 400 invalid_grant and none is in the new stats', async () => {
    const { refreshToken } = await login();
    auth.controls.failNextRefresh(2, 'hang');
    const first = refresh(refreshToken);
    const second = refresh(refreshToken);
    await recorded(2);

    auth.controls.reset();

    const answers = [watch(first), watch(second)];
    await until(() => answers.every((answer) => answer.isSettled));
    for (const late of [await first, await second]) {
      expect(late.status).toBe(400);
      expect(await late.json()).toMatchObject({ error: 'invalid_grant' });
    }
    expect(auth.stats).toMatchObject({ refreshes: 0, refreshCalls: [], reuseDetected: 0 });
  });

  it('wins over delayRefresh: the hung call starts at once, the calls after it wait the delay as usual', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { refreshToken } = await login();
    auth.controls.delayRefresh(1_000);
    auth.controls.failNextRefresh(1, 'hang');

    const hung = watch(refresh(refreshToken));
    await recorded(1); // no timer advanced: the hang did not wait out the delay
    expect(vi.getTimerCount()).toBe(0);
    const delayed = watch(refresh(refreshToken));
    await until(() => auth.stats.refreshes === 2);
    await turns();
    expect(delayed.isSettled).toBe(false);

    await vi.advanceTimersByTimeAsync(1_000);

    expect((await delayed.promise).status).toBe(200);
    expect(hung.isSettled).toBe(false);
  });
});

describe("a session whose refresh hangs ('hang' with @reauth/core and @reauth/fetch)", () => {
  async function signedInSession() {
    const session = createSession({
      refresh: async ({ refreshToken, signal }) => {
        const response = await authFetch(REFRESH_URL, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken }),
          signal,
          skipAuth: true,
        });
        if (!response.ok) throw response;
        return response.json();
      },
      refreshTimeoutMs: 1_000,
      crossTab: false,
      autoRefresh: false,
    });
    const authFetch = createAuthFetch(session, { allowedOrigins: [BASE_URL] });
    session.signIn(await login());
    return { session, authFetch };
  }

  it('times the waiters out, keeps the tokens, and refreshes later with the same refresh token', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { session, authFetch } = await signedInSession();
    const ends = refreshHandlerEnds();
    auth.controls.expireAccessTokens();
    auth.controls.failNextRefresh(1, 'hang');

    const waiters = [authFetch(`${BASE_URL}/items`), authFetch(`${BASE_URL}/items`)].map((request) =>
      request.catch((error: AuthError) => error),
    );
    await recorded(1);
    await vi.advanceTimersByTimeAsync(1_000);

    for (const waiter of waiters) expect(await waiter).toMatchObject({ code: 'REFRESH_TIMEOUT' });
    expect(auth.stats.refreshes).toBe(1);
    expect(ends.count).toBe(0); // the grace period: the call may still land

    await vi.advanceTimersByTimeAsync(1_000); // the grace period ends: the refresh is abandoned (aborted)
    await until(() => ends.count === 1);
    // Still signed in (a transient failure keeps the tokens): no prompt, no sign-out.
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: { code: 'REFRESH_TIMEOUT' } });

    const later = await authFetch(`${BASE_URL}/items`);

    expect(later.status).toBe(200);
    expect(auth.stats.reuseDetected).toBe(0);
    const [hungCall, retry] = auth.stats.refreshCalls;
    expect(hungCall?.outcome).toBe('forced');
    expect(retry).toMatchObject({ outcome: 'ok', tokenId: hungCall?.tokenId });
    expect(auth.stats.refreshes).toBe(2);
    ends.stop();
  });
});
