import type { LockLike, Session } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { rawTab, stubBroadcastChannel } from './support/fakeChannel';
import { rejection, settle, T0, type Tracked, track } from './support/harness';
import { openTabs, TIMEOUT } from './support/tabs';

// A Web Lock its holder never releases (a browser fault, an extension, a frozen frame) is taken over once it
// has been denied longer than any holder of ours can hold it (2 × refreshTimeoutMs + 5 s), with no holder heard.

/** One refresh's whole life when the lock never comes: the wait, then the grace period. */
const FLIGHT = 2 * TIMEOUT;
/** How long a tab waits for the lock in vain before it takes it over. */
const WINDOW = 2 * TIMEOUT + 5_000;
/** Refreshes that fail for want of the lock before the window is over. */
const DENIED = Math.ceil(WINDOW / FLIGHT);
let warn: MockInstance<typeof console.warn>;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  stubBroadcastChannel();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/**
 * A lock in one process that honours `steal` as Web Locks do (the holder's request rejects with an
 * AbortError, the thief holds it at once), and `orphan()`, a holder that never lets go.
 */
function orphanableLock() {
  const asked: { steal: boolean; hasSignal: boolean }[] = [];
  let holder: object | null = null;
  let lose = () => {};
  const queue: (() => void)[] = [];
  const grant = (
    callback: () => Promise<unknown>,
    resolve: (v: unknown) => void,
    reject: (e: unknown) => void,
  ) => {
    const mine = {};
    holder = mine;
    lose = () => reject(new DOMException('The lock was stolen', 'AbortError'));
    const release = () => {
      if (holder !== mine) return;
      holder = null;
      queue.shift()?.();
    };
    Promise.resolve().then(callback).then(resolve, reject).finally(release);
  };
  const lock: LockLike = {
    request(_name, { signal, steal }, callback) {
      return new Promise((resolve, reject) => {
        if (steal) lose();
        if (steal || !holder) return grant(callback, resolve, reject);
        const start = () => grant(callback, resolve, reject);
        queue.push(start);
        signal?.addEventListener('abort', () => {
          if (!queue.includes(start)) return;
          queue.splice(queue.indexOf(start), 1);
          reject(signal.reason);
        });
      });
    },
  };
  return {
    lock: {
      request: ((name, options, callback) => {
        asked.push({ steal: options.steal === true, hasSignal: options.signal !== undefined });
        return lock.request(name, options, callback);
      }) as LockLike['request'],
    },
    steals: () => asked.filter((request) => request.steal),
    orphan: () => void lock.request('orphan', {}, () => new Promise(() => {})).catch(() => {}),
  };
}

/** Signs `tab` in with tokens that expire in a minute, and lets them expire. */
async function signInExpired(tab: Session) {
  tab.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 60 });
  await vi.advanceTimersByTimeAsync(60_000);
}

/** Asks every tab for a token `times` times, one refresh's life apart; every ask settles by then. */
async function askInVain(tabs: Session[], times: number): Promise<Tracked<string | null>[]> {
  const asked: Tracked<string | null>[] = [];
  for (let i = 0; i < times; i++) {
    asked.push(...tabs.map((tab) => track(tab.getAccessToken())));
    await vi.advanceTimersByTimeAsync(FLIGHT);
  }
  return asked;
}

const takeovers = () =>
  warn.mock.calls.map((args) => args.join(' ')).filter((line) => /taken over/.test(line));

describe('cross-tab: a lock its holder never releases', () => {
  it('is taken over once denied past the window: the next refresh goes through, with the refresh token sent once', async () => {
    const { lock, steals, orphan } = orphanableLock();
    orphan();
    const { tabs, refresh, call } = openTabs(1, { crossTab: { lock } });
    const tab = tabs[0] as Session;
    await signInExpired(tab);

    const denied = await askInVain([tab], DENIED);
    const late = track(tab.getAccessToken());
    await vi.advanceTimersByTimeAsync(60);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(100);

    expect(denied.map((asked) => rejection(asked).code)).toEqual(Array(DENIED).fill('REFRESH_TIMEOUT'));
    expect(late.value).toBe('access-2');
    expect(refresh.mock.calls.map(([context]) => context.refreshToken)).toEqual(['refresh-1']);
    // Web Locks refuse `steal` with a `signal`: it is asked for without one.
    expect(steals()).toEqual([{ steal: true, hasSignal: false }]);
  });

  it('is not taken over while holders keep saying they hold it: every request settles, none refreshes', async () => {
    const { lock, steals, orphan } = orphanableLock();
    orphan();
    const { tabs, refresh, channel } = openTabs(1, { crossTab: { lock } });
    await signInExpired(tabs[0] as Session);
    // Live holders taking turns in other tabs: each says it took the lock, then that it left.
    const other = rawTab(channel);
    let turn = 0;
    const talking = setInterval(() => {
      other.postMessage({ type: turn % 2 ? 'unlocked' : 'locked', id: `holder-${Math.floor(turn / 2)}` });
      turn++;
    }, 1_500);

    const asked = await askInVain(tabs, 3 * DENIED);
    clearInterval(talking);

    expect(asked.map((request) => rejection(request).code)).toEqual(
      Array(3 * DENIED).fill('REFRESH_TIMEOUT'),
    );
    expect(steals()).toEqual([]);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('is not taken over before the window, and time between refreshes does not count toward it', async () => {
    const { lock, steals, orphan } = orphanableLock();
    orphan();
    const { tabs, refresh } = openTabs(1, { crossTab: { lock } });
    const tab = tabs[0] as Session;
    await signInExpired(tab);

    const first = await askInVain([tab], DENIED - 1);
    await vi.advanceTimersByTimeAsync(60 * 60_000); // idle: no request waits for the lock
    const second = await askInVain([tab], 1);

    expect([...first, ...second].map((asked) => rejection(asked).code)).toEqual(
      Array(DENIED).fill('REFRESH_TIMEOUT'),
    );
    expect(steals()).toEqual([]);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('warns once that the lock was taken over and why, with no token in the warning', async () => {
    const { lock, steals, orphan } = orphanableLock();
    orphan();
    const { tabs, call, channel } = openTabs(1, { crossTab: { lock } });
    const tab = tabs[0] as Session;
    await signInExpired(tab);
    await askInVain([tab], DENIED);
    const first = track(tab.getAccessToken());
    await vi.advanceTimersByTimeAsync(60);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(100);
    expect(first.value).toBe('access-2');

    orphan(); // orphaned again, after the first takeover
    await vi.advanceTimersByTimeAsync(60_000);
    await askInVain([tab], DENIED);
    const second = track(tab.getAccessToken());
    await vi.advanceTimersByTimeAsync(60);
    call(1).resolve({ accessToken: 'access-3', refreshToken: 'refresh-3', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(100);

    expect(second.value).toBe('access-3');
    expect(steals()).toHaveLength(2);
    expect(takeovers()).toHaveLength(1);
    const [line] = takeovers();
    expect(line).toMatch(/^\[reauth\] /);
    expect(line).toContain(channel);
    expect(line).toContain(`${WINDOW} ms`);
    for (const token of ['access-1', 'refresh-1', 'access-2', 'refresh-2']) expect(line).not.toContain(token);
  });

  it('taken over, gives it up to a holder heard from at that moment, and adopts its result', async () => {
    const { lock, steals, orphan } = orphanableLock();
    orphan();
    const { tabs, refresh, channel } = openTabs(1, { crossTab: { lock } });
    const tab = tabs[0] as Session;
    await signInExpired(tab);
    await askInVain([tab], DENIED);

    const late = track(tab.getAccessToken());
    // A live holder said it took the lock just as this tab took it over: its refresh may be on its way.
    const other = rawTab(channel);
    other.postMessage({ type: 'locked', id: 'live' });
    // Longer than a new holder waits for the last one's word: this tab does not refresh after it either.
    await vi.advanceTimersByTimeAsync(TIMEOUT - 100);
    expect(steals()).toHaveLength(1);
    expect(refresh).not.toHaveBeenCalled();
    other.postMessage({
      type: 'tokens',
      kind: 'refresh',
      tokens: { v: 1, accessToken: 'access-2', refreshToken: 'refresh-2', expiresAt: null, receivedAt: T0 },
      gen: null,
      from: 'refresh-1',
    });
    await settle();

    expect(late.value).toBe('access-2');
    expect(refresh).not.toHaveBeenCalled();
  });

  it('taken over by two tabs at the same moment: one of them refreshes, both get its tokens', async () => {
    const { lock, steals, orphan } = orphanableLock();
    orphan();
    const { tabs, refresh, call } = openTabs(2, { crossTab: { lock } });
    const [a, b] = tabs as [Session, Session];
    await signInExpired(a);
    await askInVain(tabs, DENIED);

    const late = tabs.map((tab) => track(tab.getAccessToken()));
    await vi.advanceTimersByTimeAsync(60);
    expect(steals()).toHaveLength(2);
    expect(refresh).toHaveBeenCalledTimes(1);
    call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 60 });
    await vi.advanceTimersByTimeAsync(100);

    expect(late.map((asked) => asked.value)).toEqual(['access-2', 'access-2']);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(await b.getAccessToken()).toBe('access-2');
    await settle();
  });

  it('with the channel lease, a claim never renewed lapses on its own: nothing is taken over', async () => {
    const { tabs, channel, ...control } = openTabs(1);
    const tab = tabs[0] as Session;
    await signInExpired(tab);
    rawTab(channel).postMessage({ type: 'claim', id: '0', at: Date.now() });
    await settle();

    const token = track(tab.getAccessToken());
    await vi.advanceTimersByTimeAsync(TIMEOUT - 200);
    control.call(0).resolve({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    await settle();

    expect(token.value).toBe('access-2');
    expect(takeovers()).toEqual([]);
  });
});
