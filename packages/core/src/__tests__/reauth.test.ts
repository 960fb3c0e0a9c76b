import type { ReauthContext, TokensInput } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, httpError, rejection, setup, T0, track } from './support/harness';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A reauth handler whose prompts stay open until the test answers them. */
function controlledHandler() {
  const prompts: Array<ReauthContext & { answer(tokens: TokensInput | null): void; fail(e: unknown): void }> =
    [];
  const handler = vi.fn(
    (context: ReauthContext) =>
      new Promise<TokensInput | null>((answer, fail) => prompts.push({ ...context, answer, fail })),
  );
  function prompt(index = 0) {
    const found = prompts[index];
    if (!found) throw new Error(`the handler was called ${prompts.length} time(s)`);
    return found;
  }
  return { handler, prompt };
}

async function refusedRefresh(options: Parameters<typeof setup>[0] = {}, waiters = 3) {
  const harness = setup(options);
  harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 600 });
  const { handler, prompt } = controlledHandler();
  const unregister = harness.session.onReauth(handler);
  const tracked = [
    track(harness.session.refresh()),
    ...Array.from({ length: waiters - 1 }, () => track(harness.session.getAccessToken())),
  ];
  await flushMicrotasks();
  harness.call(0).reject(httpError(401));
  await flushMicrotasks();
  return { ...harness, handler, prompt, unregister, waiters: tracked };
}

describe('terminal refresh failure without a reauth handler', () => {
  it.each([400, 401, 403])(
    'a %i signs out with SESSION_EXPIRED, clears storage and rejects every waiter',
    async (status) => {
      const { session, storage, call } = setup();
      session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
      const waiters = [track(session.refresh()), track(session.getAccessToken()), track(session.refresh())];
      await flushMicrotasks();
      const cause = httpError(status, 'status');
      call(0).reject(cause);
      await flushMicrotasks();

      for (const waiter of waiters) expect(rejection(waiter).code).toBe('SESSION_EXPIRED');
      expect(rejection(waiters[0]).cause).toBe(cause);
      expect(session.getState()).toMatchObject({ status: 'signedOut', user: null, expiresAt: null });
      expect(session.getState().error?.code).toBe('SESSION_EXPIRED');
      expect(storage.getItem('reauth')).toBeNull();
      expect(await session.getAccessToken()).toBeNull();
    },
  );

  it('uses a custom isRefreshRejected to decide what is terminal', async () => {
    const { session, call } = setup({
      isRefreshRejected: (error) => (error as { code?: string }).code === 'invalid_grant',
    });
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).reject(Object.assign(new Error('refused'), { code: 'invalid_grant' }));
    await flushMicrotasks();
    expect(rejection(waiter).code).toBe('SESSION_EXPIRED');
    expect(session.getState().status).toBe('signedOut');
  });

  it('signs out with SESSION_EXPIRED when there is no refresh token at all', async () => {
    const { session, refresh } = setup();
    session.signIn({ accessToken: 'access-only' });
    const waiter = track(session.refresh());
    await flushMicrotasks();
    expect(refresh).not.toHaveBeenCalled();
    expect(rejection(waiter).code).toBe('SESSION_EXPIRED');
    expect(session.getState().status).toBe('signedOut');
  });
});

describe('terminal refresh failure with a reauth handler', () => {
  it('sets status reauthRequired and keeps every waiter waiting', async () => {
    const { session, waiters } = await refusedRefresh();
    expect(session.getState().status).toBe('reauthRequired');
    expect(session.getState().error?.code).toBe('SESSION_EXPIRED');
    expect(waiters.map((w) => w.state)).toEqual(['pending', 'pending', 'pending']);
  });

  it('calls the handler ONCE for many waiters, with reason refresh_rejected and a live signal', async () => {
    const { handler, prompt, session } = await refusedRefresh({}, 5);
    void track(session.getAccessToken());
    void track(session.refresh());
    await flushMicrotasks();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(prompt().reason).toBe('refresh_rejected');
    expect(prompt().signal.aborted).toBe(false);
  });

  it("resumes every waiter with the handler's tokens", async () => {
    const { session, prompt, waiters, storage } = await refusedRefresh();
    prompt().answer({ accessToken: 'access-new', refreshToken: 'refresh-new' });
    await flushMicrotasks();
    expect(waiters.map((w) => w.state)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(waiters[1]?.value).toBe('access-new');
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: null });
    expect(JSON.parse(storage.getItem('reauth') ?? 'null').refreshToken).toBe('refresh-new');
  });

  it('makes requests that arrive during reauth wait, then resumes them too', async () => {
    const { session, prompt } = await refusedRefresh();
    const late = track(session.getAccessToken());
    await flushMicrotasks();
    expect(late.state).toBe('pending');
    prompt().answer({ accessToken: 'access-new' });
    await flushMicrotasks();
    expect(late.value).toBe('access-new');
  });

  it.each<[string, (h: Awaited<ReturnType<typeof refusedRefresh>>) => void]>([
    ['resolves null', (h) => h.prompt().answer(null)],
    ['throws', (h) => h.prompt().fail(new Error('modal closed'))],
    ['is dismissed with cancelReauth()', (h) => h.session.cancelReauth()],
  ])('rejects every waiter with REAUTH_CANCELLED and signs out when the handler %s', async (_, end) => {
    const harness = await refusedRefresh();
    end(harness);
    await flushMicrotasks();
    for (const waiter of harness.waiters) expect(rejection(waiter).code).toBe('REAUTH_CANCELLED');
    expect(harness.session.getState()).toMatchObject({ status: 'signedOut', user: null });
    expect(harness.session.getState().error?.code).toBe('REAUTH_CANCELLED');
    expect(harness.storage.getItem('reauth')).toBeNull();
    expect(await harness.session.getAccessToken()).toBeNull();
  });

  it('signs out with REAUTH_CANCELLED when the handler resolves undefined', async () => {
    const { session, prompt, waiters } = await refusedRefresh();
    prompt().answer(undefined as unknown as null);
    await flushMicrotasks();
    expect(rejection(waiters[0]).code).toBe('REAUTH_CANCELLED');
    expect(session.getState().status).toBe('signedOut');
  });

  it('signs out with REAUTH_CANCELLED when the handler throws synchronously', async () => {
    const harness = setup();
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    harness.session.onReauth(() => {
      throw new Error('no modal mounted');
    });
    const waiter = track(harness.session.refresh());
    await flushMicrotasks();
    harness.call(0).reject(httpError(401));
    await flushMicrotasks();
    expect(rejection(waiter).code).toBe('REAUTH_CANCELLED');
    expect(harness.session.getState().status).toBe('signedOut');
  });

  it('does nothing on cancelReauth() when no reauth is open', async () => {
    const { session } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    session.cancelReauth();
    expect(session.getState().status).toBe('signedIn');
    expect(await session.getAccessToken()).toBe('access-1');
  });

  it("keeps the handler's thrown error as the REAUTH_CANCELLED cause", async () => {
    const { prompt, waiters } = await refusedRefresh();
    const cause = new Error('modal closed');
    prompt().fail(cause);
    await flushMicrotasks();
    expect(rejection(waiters[0]).cause).toBe(cause);
  });

  it('resolves the reauth with any signIn() made meanwhile, and ignores the handler answering later', async () => {
    const { session, prompt, waiters } = await refusedRefresh();
    session.signIn({ accessToken: 'from-login-page', refreshToken: 'r-login' });
    await flushMicrotasks();
    expect(waiters.map((w) => w.state)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(waiters[1]?.value).toBe('from-login-page');

    prompt().answer({ accessToken: 'stale-answer' });
    await flushMicrotasks();
    expect(await session.getAccessToken()).toBe('from-login-page');
  });

  it.each<[string, (h: Awaited<ReturnType<typeof refusedRefresh>>) => void]>([
    ['signIn()', (h) => h.session.signIn({ accessToken: 'elsewhere' })],
    ['signOut()', (h) => h.session.signOut()],
    ['cancelReauth()', (h) => h.session.cancelReauth()],
  ])("aborts the handler's signal when the reauth ends by %s", async (_, end) => {
    const harness = await refusedRefresh();
    const { signal } = harness.prompt();
    end(harness);
    expect(signal.aborted).toBe(true);
  });

  it('uses the latest registered handler', async () => {
    const { session, call } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const first = vi.fn(async () => null);
    const latest = vi.fn(async () => ({ accessToken: 'from-latest' }));
    session.onReauth(first);
    session.onReauth(latest);
    void track(session.refresh());
    const waiter = track(session.getAccessToken());
    await flushMicrotasks();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    expect(first).not.toHaveBeenCalled();
    expect(latest).toHaveBeenCalledTimes(1);
    expect(waiter.value).toBe('from-latest');
  });

  it('restores the previous handler when the latest is unregistered', async () => {
    const { session, call } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const previous = vi.fn(async () => ({ accessToken: 'from-previous' }));
    const latest = vi.fn(async () => null);
    session.onReauth(previous);
    const unregister = session.onReauth(latest);
    unregister();
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    expect(latest).not.toHaveBeenCalled();
    expect(previous).toHaveBeenCalledTimes(1);
    expect(waiter.state).toBe('fulfilled');
    expect(await session.getAccessToken()).toBe('from-previous');
  });

  it('keeps the latest registration active when an earlier registration of the same handler is removed', async () => {
    const { session, call } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const shared = vi.fn(async () => ({ accessToken: 'from-shared' }));
    const other = vi.fn(async () => null);
    const unregisterFirst = session.onReauth(shared);
    session.onReauth(other);
    session.onReauth(shared); // registered again, latest: it is the active one
    unregisterFirst();
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    expect(other).not.toHaveBeenCalled();
    expect(shared).toHaveBeenCalledTimes(1);
    expect(waiter.state).toBe('fulfilled');
  });

  it('signs out without a prompt once the only handler is unregistered', async () => {
    const { session, call } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
    const handler = vi.fn(async () => null);
    session.onReauth(handler)();
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(400));
    await flushMicrotasks();
    expect(handler).not.toHaveBeenCalled();
    expect(rejection(waiter).code).toBe('SESSION_EXPIRED');
  });

  it("asks for reauth with reason 'no_refresh_token' when there is no refresh token", async () => {
    const { session, refresh } = setup();
    session.signIn({ accessToken: 'access-only', expiresIn: 60 });
    const { handler, prompt } = controlledHandler();
    session.onReauth(handler);
    await vi.advanceTimersByTimeAsync(60_000);
    const waiter = track(session.getAccessToken());
    await flushMicrotasks();
    expect(refresh).not.toHaveBeenCalled();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(prompt().reason).toBe('no_refresh_token');
    expect(session.getState().status).toBe('reauthRequired');
    prompt().answer({ accessToken: 'access-2' });
    await flushMicrotasks();
    expect(waiter.value).toBe('access-2');
  });

  it('counts handler tokens that signIn refuses as a dismissal', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { session, prompt, waiters } = await refusedRefresh();
    prompt().answer({ refreshToken: 'no-access-token' });
    await flushMicrotasks();
    expect(rejection(waiters[0]).code).toBe('REAUTH_CANCELLED');
    expect(rejection(waiters[0]).cause).toBeInstanceOf(TypeError);
    expect(session.getState().status).toBe('signedOut');
    expect(JSON.stringify(warn.mock.calls)).not.toContain('no-access-token');
    warn.mockRestore();
  });
});
