import { createSession, type LockLike, type Session } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeChannel, rawTab, stubBroadcastChannel } from './support/fakeChannel';
import {
  controlledRefresh,
  httpError,
  memoryStorage,
  recordEvents,
  rejection,
  settle,
  T0,
  track,
} from './support/harness';
import { inProcessLock } from './support/inProcessLock';
import { openTabs, TIMEOUT } from './support/tabs';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  stubBroadcastChannel();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** Signs tab `from` in and lets the news reach the others. */
async function signInAll(from: Session, refreshToken: string | null = 'refresh-1') {
  from.signIn({ accessToken: 'access-1', refreshToken, expiresIn: 60 });
  await settle();
}

describe('cross-tab: news between tabs', () => {
  it('a sign-in in one tab signs the other tabs in', async () => {
    const { tabs } = openTabs(3);
    await signInAll(tabs[0] as Session);
    for (const tab of tabs)
      expect(tab.getState()).toMatchObject({ status: 'signedIn', expiresAt: T0 + 60_000 });
    expect(await tabs[2]?.getAccessToken()).toBe('access-1');
  });

  it('a refresh in one tab gives every tab its tokens, without a second refresh', async () => {
    const {
      tabs: [a, b],
      refresh,
      call,
    } = openTabs(2);
    await signInAll(a as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    const fromA = track((a as Session).getAccessToken());
    await vi.advanceTimersByTimeAsync(50);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 60 });
    await settle();
    expect(fromA.value).toBe('access-2');
    expect(await (b as Session).getAccessToken()).toBe('access-2');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('a sign-out in one tab rejects the requests waiting in another with SIGNED_OUT', async () => {
    const {
      tabs: [a, b],
      call,
    } = openTabs(2);
    await signInAll(a as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    const waiting = [track((b as Session).getAccessToken()), track((b as Session).refresh())];
    await vi.advanceTimersByTimeAsync(50);
    (a as Session).signOut();
    await settle();
    for (const waiter of waiting) expect(rejection(waiter).code).toBe('SIGNED_OUT');
    expect(call(0).signal.aborted).toBe(true);
    expect((b as Session).getState()).toEqual({
      status: 'signedOut',
      user: null,
      expiresAt: null,
      error: null,
    });
  });

  it("a sign-in in another tab resolves this tab's open prompt, aborts its signal and resumes its requests", async () => {
    const {
      tabs: [a, b],
    } = openTabs(2);
    await signInAll(a as Session, null);
    const prompts: AbortSignal[] = [];
    (b as Session).onReauth(({ signal }) => {
      prompts.push(signal);
      return new Promise(() => {});
    });
    const waiting = track((b as Session).refresh().then(() => (b as Session).getAccessToken()));
    await settle();
    expect((b as Session).getState().status).toBe('reauthRequired');

    (a as Session).signIn({ accessToken: 'access-elsewhere', expiresIn: 60 });
    await settle();
    expect(prompts[0]?.aborted).toBe(true);
    expect(waiting.value).toBe('access-elsewhere');
    expect((b as Session).getState().status).toBe('signedIn');
  });

  it('a tab opened later with memory storage gets the session from an open tab', async () => {
    const {
      tabs: [a],
      open,
    } = openTabs(1);
    await signInAll(a as Session);
    const late = open();
    const events = recordEvents(late);
    const token = track(late.getAccessToken());
    expect(late.getState().status).toBe('signedOut'); // it can't know yet
    await vi.advanceTimersByTimeAsync(1); // the question reaches the open tab, its answer comes back
    expect(late.getState().status).toBe('signedIn');
    expect(token.value).toBe('access-1');
    expect(events.map((event) => event.type)).toEqual(['signedIn']);
  });

  it('a tab opened alone does not wait for an answer longer than a moment', async () => {
    const {
      tabs: [alone],
    } = openTabs(1);
    const token = track((alone as Session).getAccessToken());
    await vi.advanceTimersByTimeAsync(99);
    expect(token.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(token).toMatchObject({ state: 'fulfilled', value: null });
  });

  it('ignores a refresh result once signed out here, and an answer once signed in', async () => {
    const {
      tabs: [tab],
      channel,
    } = openTabs(1);
    const other = rawTab(channel);
    const stored = (accessToken: string) => ({
      v: 1,
      accessToken,
      refreshToken: 'r',
      expiresAt: null,
      receivedAt: T0,
    });
    other.postMessage({
      type: 'tokens',
      kind: 'refresh',
      tokens: stored('late-refresh'),
      gen: null,
      from: 'r',
    });
    await settle();
    expect((tab as Session).getState().status).toBe('signedOut');
    (tab as Session).signIn({ accessToken: 'mine' });
    other.postMessage({
      type: 'tokens',
      kind: 'state',
      tokens: stored('stale-answer'),
      gen: { seq: 9, id: 'z' },
    });
    await settle();
    expect(await (tab as Session).getAccessToken()).toBe('mine');
  });

  it('two sign-ins that cross between tabs converge on one session', async () => {
    const { tabs } = openTabs(3);
    tabs[0]?.signIn({ accessToken: 'access-a', refreshToken: 'refresh-a' });
    tabs[1]?.signIn({ accessToken: 'access-b', refreshToken: 'refresh-b' });
    await vi.advanceTimersByTimeAsync(100);
    const held = await Promise.all(tabs.map((tab) => tab.getAccessToken()));
    expect(new Set(held).size).toBe(1);
  });

  it('a sign-out and a sign-in that cross between tabs converge on one state', async () => {
    const { tabs } = openTabs(3);
    await signInAll(tabs[0] as Session);
    tabs[0]?.signOut();
    tabs[1]?.signIn({ accessToken: 'access-b', refreshToken: 'refresh-b' });
    await vi.advanceTimersByTimeAsync(100);
    const held = await Promise.all(tabs.map((tab) => tab.getAccessToken()));
    expect(new Set(held).size).toBe(1);
    expect(new Set(tabs.map((tab) => tab.getState().status)).size).toBe(1);
  });

  it('takes a refresh result only if it continues the session this tab holds', async () => {
    const {
      tabs: [tab],
      channel,
    } = openTabs(1);
    (tab as Session).signIn({ accessToken: 'mine', refreshToken: 'refresh-mine' });
    const other = rawTab(channel);
    const stored = { v: 1, accessToken: 'theirs', refreshToken: 'r2', expiresAt: null, receivedAt: T0 };
    other.postMessage({ type: 'tokens', kind: 'refresh', tokens: stored, gen: null, from: 'refresh-theirs' });
    await settle();
    expect(await (tab as Session).getAccessToken()).toBe('mine');
    other.postMessage({ type: 'tokens', kind: 'refresh', tokens: stored, gen: null, from: 'refresh-mine' });
    await settle();
    expect(await (tab as Session).getAccessToken()).toBe('theirs');
  });

  it('ignores messages it cannot read (another version of reauth on the channel)', async () => {
    const {
      tabs: [tab],
      channel,
    } = openTabs(1);
    const other = rawTab(channel);
    for (const data of [
      null,
      'hello',
      { t: 'tokens', kind: 'signIn', tokens: { v: 99, accessToken: 'x' } },
      { type: 'tokens', kind: 'signIn', tokens: { v: 99, accessToken: 'x' } },
    ]) {
      other.postMessage(data);
    }
    await settle();
    expect((tab as Session).getState().status).toBe('signedOut');
  });

  it('never puts a token in an event, while the channel carries them between tabs', async () => {
    const {
      tabs: [a, b],
      events,
      call,
      channel,
    } = openTabs(2);
    await signInAll(a as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    void track((b as Session).getAccessToken());
    await vi.advanceTimersByTimeAsync(50);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await settle();
    expect(events.map((event) => event.type)).toContain('refreshSuccess');
    const text = JSON.stringify(events);
    for (const token of ['access-1', 'refresh-1', 'access-2', 'refresh-2']) expect(text).not.toContain(token);
    expect(JSON.stringify(FakeChannel.posted.filter((m) => m.name === channel))).toContain('refresh-2');
  });
});

describe('cross-tab: one refresh at a time', () => {
  it('a burst in every tab at once gives one refresh, and every tab the new token', async () => {
    const { tabs, refresh, call } = openTabs(3);
    await signInAll(tabs[0] as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    const waiting = tabs.flatMap((tab) => [track(tab.getAccessToken()), track(tab.getAccessToken())]);
    await vi.advanceTimersByTimeAsync(50);
    expect(refresh).toHaveBeenCalledTimes(1);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(TIMEOUT * 3);
    expect(waiting.map((w) => w.value)).toEqual(waiting.map(() => 'access-2'));
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('keeps the lease with a live tab whose refresh outlasts the lease, and adopts its result', async () => {
    const {
      tabs: [a, b],
      refresh,
      call,
    } = openTabs(2);
    await signInAll(a as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    void track((a as Session).getAccessToken());
    await vi.advanceTimersByTimeAsync(50);
    const fromB = track((b as Session).getAccessToken());
    await vi.advanceTimersByTimeAsync(TIMEOUT - 100);
    expect(refresh).toHaveBeenCalledTimes(1);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await settle();
    expect(fromB.value).toBe('access-2');
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('takes over the lease of a tab that died holding it, within the timeout', async () => {
    const {
      tabs: [a, b],
      call,
    } = openTabs(2);
    await signInAll(a as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    void track((a as Session).getAccessToken());
    await vi.advanceTimersByTimeAsync(50);
    expect(call(0).refreshToken).toBe('refresh-1');
    FakeChannel.created[0]?.close(); // tab a is gone, its lease held

    const fromB = track((b as Session).getAccessToken());
    await vi.advanceTimersByTimeAsync(TIMEOUT - 200);
    call(1).resolve({ accessToken: 'access-b', refreshToken: 'refresh-b' });
    await settle();
    expect(fromB.value).toBe('access-b');
  });

  it('takes over a lease claimed by a tab that went silent, within the timeout', async () => {
    const {
      tabs: [tab],
      channel,
      call,
    } = openTabs(1);
    await signInAll(tab as Session);
    rawTab(channel).postMessage({ type: 'claim', id: '0', at: Date.now() });
    await settle();
    await vi.advanceTimersByTimeAsync(60_000 - TIMEOUT / 4);
    const token = track((tab as Session).refresh());
    await vi.advanceTimersByTimeAsync(TIMEOUT - 200);
    call(0).resolve({ accessToken: 'access-2' });
    await settle();
    expect(token.state).toBe('fulfilled');
  });

  it('after taking the lock, adopts what another tab stored meanwhile instead of refreshing', async () => {
    const { lock, requests } = inProcessLock();
    const { refresh, call } = controlledRefresh();
    const storage = memoryStorage();
    const options = { refresh, storage, storageKey: 'shared-store', now: () => Date.now() };
    // Separate channels: only the shared storage and the lock tie these two tabs together.
    const a = createSession({ ...options, crossTab: { lock, channelName: 'only-a' } });
    a.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 60 });
    const b = createSession({ ...options, crossTab: { lock, channelName: 'only-b' } });
    await vi.advanceTimersByTimeAsync(60_000);
    const waiting = [track(a.getAccessToken()), track(b.getAccessToken())];
    await settle();
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await settle();
    // Tab a keeps the lock a moment after its refresh, so that its result travels before b takes the lock.
    expect(waiting.map((w) => w.value)).toEqual(['access-2', undefined]);
    await vi.advanceTimersByTimeAsync(40);
    expect(waiting[1]?.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(60);
    expect(waiting.map((w) => w.value)).toEqual(['access-2', 'access-2']);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(requests.map((r) => r.name)).toEqual(['only-a', 'only-b']);
    expect(requests.every((r) => r.signal instanceof AbortSignal)).toBe(true);
  });

  it('bounds the wait for a lock that never comes by refreshTimeoutMs', async () => {
    const never: LockLike = { request: () => new Promise(() => {}) };
    const {
      tabs: [tab],
      refresh,
    } = openTabs(1, { crossTab: { lock: never } });
    await signInAll(tab as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    const waiting = track((tab as Session).getAccessToken());
    await vi.advanceTimersByTimeAsync(TIMEOUT);
    expect(rejection(waiting).code).toBe('REFRESH_TIMEOUT');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('refreshes without the lock when the lock fails (Web Locks in a sandboxed frame)', async () => {
    const failing: LockLike = { request: () => Promise.reject(new DOMException('denied', 'SecurityError')) };
    const {
      tabs: [tab],
      call,
    } = openTabs(1, { crossTab: { lock: failing } });
    await signInAll(tab as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    const waiting = track((tab as Session).getAccessToken());
    await settle();
    call(0).resolve({ accessToken: 'access-2' });
    await settle();
    expect(waiting.value).toBe('access-2');
  });

  it('a refusal in one tab reaches the others: none presents the refused refresh token again', async () => {
    const {
      tabs: [a, b, c],
      refresh,
      call,
    } = openTabs(3);
    await signInAll(a as Session);
    const prompt = vi.fn(() => new Promise<null>(() => {}));
    (b as Session).onReauth(prompt);
    await vi.advanceTimersByTimeAsync(60_000);
    const fromA = track((a as Session).refresh());
    await vi.advanceTimersByTimeAsync(50);
    const fromC = track((c as Session).getAccessToken());
    call(0).reject(httpError(401));
    await settle();
    expect(rejection(fromA).code).toBe('SESSION_EXPIRED');
    expect(rejection(fromC).code).toBe('SESSION_EXPIRED');
    expect((b as Session).getState().status).toBe('reauthRequired');
    expect(prompt).toHaveBeenCalledWith(expect.objectContaining({ reason: 'refresh_rejected' }));
    void track((b as Session).getAccessToken());
    await vi.advanceTimersByTimeAsync(TIMEOUT * 3);
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});

describe('cross-tab: a dismissed prompt', () => {
  /** Two tabs signed in, each with a prompt that waits; A's refresh is refused, so both prompt. */
  async function bothPrompting() {
    const {
      tabs: [a, b],
      call,
    } = openTabs(2);
    await signInAll(a as Session);
    const signals: Record<'a' | 'b', AbortSignal[]> = { a: [], b: [] };
    const unregister = {
      a: (a as Session).onReauth(({ signal }) => {
        signals.a.push(signal);
        return new Promise(() => {});
      }),
      b: (b as Session).onReauth(({ signal }) => {
        signals.b.push(signal);
        return new Promise(() => {});
      }),
    };
    await vi.advanceTimersByTimeAsync(60_000);
    const waiting = { a: track((a as Session).getAccessToken()), b: track((b as Session).getAccessToken()) };
    await vi.advanceTimersByTimeAsync(50);
    call(0).reject(httpError(400));
    await settle();
    expect([(a as Session).getState().status, (b as Session).getState().status]).toEqual([
      'reauthRequired',
      'reauthRequired',
    ]);
    return { a: a as Session, b: b as Session, signals, unregister, waiting };
  }

  it('cancelling the prompt in one tab signs the others out: their prompts close, their requests reject', async () => {
    const { a, b, signals, waiting } = await bothPrompting();
    a.cancelReauth();
    await settle();
    expect(rejection(waiting.a).code).toBe('REAUTH_CANCELLED');
    expect(rejection(waiting.b).code).toBe('SIGNED_OUT');
    expect(signals.b[0]?.aborted).toBe(true);
    expect(b.getState()).toMatchObject({ status: 'signedOut', user: null });
  });

  it('a prompt that answers null counts as cancelled in every tab', async () => {
    const {
      tabs: [a, b],
      call,
    } = openTabs(2);
    await signInAll(a as Session);
    (a as Session).onReauth(async () => null);
    const promptB = vi.fn(() => new Promise<null>(() => {}));
    (b as Session).onReauth(promptB);
    await vi.advanceTimersByTimeAsync(60_000);
    const waitingB = track((b as Session).getAccessToken());
    const fromA = track((a as Session).refresh());
    await vi.advanceTimersByTimeAsync(50);
    call(0).reject(httpError(400));
    // The refusal reaches the other tab, its prompt answers null, the sign-out comes back: a few timer ticks.
    await vi.advanceTimersByTimeAsync(10);
    expect(rejection(fromA).code).toBe('REAUTH_CANCELLED');
    expect(rejection(waitingB).code).toBe('SIGNED_OUT');
    expect((b as Session).getState().status).toBe('signedOut');
  });

  it("unmounting the prompt in one tab ends that tab's session only: another tab's prompt can still be answered", async () => {
    const { a, b, signals, unregister, waiting } = await bothPrompting();
    unregister.a();
    await settle();
    expect(rejection(waiting.a).code).toBe('REAUTH_CANCELLED');
    expect(a.getState().status).toBe('signedOut');
    expect(b.getState().status).toBe('reauthRequired');
    expect(signals.b[0]?.aborted).toBe(false);
    b.signIn({ accessToken: 'access-again', refreshToken: 'refresh-again', expiresIn: 60 });
    await settle();
    expect(waiting.b.value).toBe('access-again');
  });
});

describe('cross-tab: the lock', () => {
  it('uses Web Locks where present, named after the channel, instead of the lease', async () => {
    const { lock, requests } = inProcessLock();
    vi.stubGlobal('navigator', { locks: lock });
    const { tabs, refresh, call, channel } = openTabs(2);
    await signInAll(tabs[0] as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    const waiting = tabs.map((tab) => track(tab.getAccessToken()));
    await settle();
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await vi.advanceTimersByTimeAsync(1);
    expect(waiting.map((w) => w.value)).toEqual(['access-2', 'access-2']);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(requests.map((r) => r.name)).toEqual([channel, channel]);
    expect(FakeChannel.posted.some((m) => (m.data as { type: string }).type === 'claim')).toBe(false);
  });

  it('releases a claim it gives up, so no tab waits for a claim no one holds', async () => {
    const {
      tabs: [tab],
      channel,
    } = openTabs(1);
    await signInAll(tab as Session);
    await vi.advanceTimersByTimeAsync(60_000);
    void track((tab as Session).getAccessToken());
    await settle();
    // Signed in elsewhere while it was claiming: its refresh is dropped, and its claim with it.
    rawTab(channel).postMessage({
      type: 'tokens',
      kind: 'signIn',
      tokens: { v: 1, accessToken: 'access-elsewhere', refreshToken: null, expiresAt: null, receivedAt: T0 },
      gen: { seq: 9, id: 'z' },
    });
    await vi.advanceTimersByTimeAsync(50);
    const lease = FakeChannel.posted
      .map((m) => m.data as { type: string; id?: string })
      .filter((m) => m.type === 'claim' || m.type === 'release');
    expect(lease.map((m) => m.type)).toEqual(['claim', 'release']);
    expect(lease[1]?.id).toBe(lease[0]?.id);
  });

  it('unref()s its channel, so that the channel alone never keeps a Node process alive', () => {
    const unref = vi.spyOn(FakeChannel.prototype, 'unref');
    openTabs(1);
    expect(unref).toHaveBeenCalledTimes(1);
  });
});

describe('cross-tab: options', () => {
  it('is off by default outside a browser: no channel is opened', () => {
    createSession({ storageKey: 'node-default-off' });
    expect(FakeChannel.created).toEqual([]);
  });

  it('is on by default in a browser, on the channel reauth:<storageKey>', () => {
    vi.stubGlobal('window', new EventTarget());
    vi.stubGlobal('document', new EventTarget());
    createSession();
    createSession({ storageKey: 'app' });
    createSession({ crossTab: { channelName: 'custom' } });
    createSession({ crossTab: false });
    expect(FakeChannel.created.map((channel) => channel.name)).toEqual([
      'reauth:reauth',
      'reauth:app',
      'custom',
    ]);
  });

  it('throws a TypeError for a lock without request()', () => {
    expect(() => createSession({ crossTab: { lock: {} as LockLike } })).toThrow(TypeError);
    expect(() => createSession({ crossTab: { lock: {} as LockLike } })).toThrow(/crossTab\.lock/);
  });
});
