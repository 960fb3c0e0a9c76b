import {
  createSession,
  type LockLike,
  type RefreshContext,
  type Session,
  type TokensInput,
} from '@reauth/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, memoryStorage, rejection, setup, T0, type Tracked, track } from './support/harness';

const sessions: Session[] = [];
afterEach(() => {
  for (const session of sessions.splice(0)) session.signOut();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

// Grants at once: the lock hand-over is not what is tested, the storage check behind it is.
const lock: LockLike = { request: (_name, _options, callback) => callback() };
let keys = 0;

/**
 * Two tabs over one localStorage whose channel news has not reached each other (each on its own channel: a
 * channel message still on its way when the lock is handed over, as a busy tab sees it), each with its clock.
 */
function twoTabs(clockA: () => number, clockB: () => number) {
  const storage = memoryStorage();
  const storageKey = `review2-tabs-${++keys}`;
  const presented: string[] = [];
  let n = 1;
  const refresh = async ({ refreshToken }: RefreshContext): Promise<TokensInput> => {
    presented.push(refreshToken);
    n += 1;
    return { accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn: 3600 };
  };
  const open = (now: () => number, tab: string) => {
    const session = createSession({
      refresh,
      storage,
      storageKey,
      now,
      autoRefresh: false,
      crossTab: { lock, channelName: `review2-${storageKey}-${tab}` },
    });
    sessions.push(session);
    return session;
  };
  const a = open(clockA, 'a');
  a.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
  const b = open(clockB, 'b'); // restored from storage: the same tokens, the same receivedAt
  return { a, b, presented };
}

describe('adopting another tab’s refresh from storage after taking the lock', () => {
  it('control: with clocks that moved on, the second tab adopts the first tab’s refresh', async () => {
    let t = T0;
    const { a, b, presented } = twoTabs(
      () => t,
      () => t,
    );
    t += 5;
    await a.refresh();
    t += 5;
    await b.refresh();

    expect(presented).toEqual(['refresh-1']);
    expect(await b.getAccessToken()).toBe('access-2');
  });

  // Was a bug (review, 2026-11-30): refreshFlight's check `seen.receivedAt <= sent.receivedAt` reads a refresh that landed in the same
  // millisecond as the tokens it replaced (a frozen test clock, Playwright's clock.pauseAt, a refresh answered
  // from cache) or by a tab whose injected `now` runs behind as "not newer": the tab presents refresh-1, which
  // tab A already rotated — reuse detection ends the session. The previous token comparison had no clock in it.
  it.each([
    ['in the same millisecond', 0],
    ['by a tab whose clock runs 1 s behind', -1_000],
  ])('a refresh made %s is adopted, not repeated with the spent refresh token', async (_, skew) => {
    const { a, b, presented } = twoTabs(
      () => T0 + skew,
      () => T0,
    );
    await a.refresh();
    await b.refresh();

    expect(presented).toEqual(['refresh-1']);
    expect(await b.getAccessToken()).toBe('access-2');
  });
});

describe('a refresh result with an expiry field reauth cannot read', () => {
  // Was a bug (review, 2026-11-30): normalizeTokens now throws on an unreadable expiresIn/expiresAt — even an expiresAt that expiresIn
  // overrides; in a refresh result that is REFRESH_UNAVAILABLE and the result is dropped, but the server has
  // already rotated the refresh token, so the next refresh presents the spent one (reuse detection). DESIGN: expiry
  // falls back (expiresIn wins, else expiresAt, else exp, else unknown); only an unusable accessToken fails a
  // refresh. Before today such values were ignored.
  it.each([
    ['expires_in ""', { expires_in: '' }],
    ['expires_in "3600s"', { expires_in: '3600s' }],
    ['expires_in -1', { expires_in: -1 }],
    ['expiresAt as an ISO date beside expires_in', { expires_in: 3600, expiresAt: '2030-01-02T00:00:00Z' }],
  ])('%s: the rotated tokens are kept', async (_, expiry) => {
    const presented: string[] = [];
    const session = createSession({
      crossTab: false,
      autoRefresh: false,
      refresh: async ({ refreshToken }) => {
        presented.push(refreshToken);
        return { access_token: `${refreshToken}-access`, refresh_token: `${refreshToken}+`, ...expiry };
      },
    } as Parameters<typeof createSession>[0]);
    sessions.push(session);
    session.signIn({ accessToken: 'access-1', refreshToken: 'r', expiresIn: 3600 });

    await session.refresh().catch(() => {});
    await session.refresh().catch(() => {});

    expect(presented).toEqual(['r', 'r+']);
    expect(await session.getAccessToken()).toBe('r+-access');
  });
});

describe('the timed wait shared by callers that join in the same millisecond', () => {
  // A caller that asks again in the very millisecond the shared wait gave up (a retry in its catch) joins the
  // refresh still in its grace period with a wait of its own: it is not handed the spent REFRESH_TIMEOUT.
  it('a refresh asked for in the millisecond of a REFRESH_TIMEOUT joins the flight in its grace period', async () => {
    vi.useFakeTimers({ now: T0 });
    const harness = setup({ refreshTimeoutMs: 1_000, crossTab: false, autoRefresh: false });
    sessions.push(harness.session);
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
    let retry: Tracked<void> | undefined;
    const first = track(
      harness.session.refresh().catch((error: unknown) => {
        retry = track(harness.session.refresh());
        throw error;
      }),
    );
    const second = track(harness.session.refresh()); // same millisecond: the same wait
    await vi.advanceTimersByTimeAsync(1_000);
    await flushMicrotasks();

    expect(rejection(first).code).toBe('REFRESH_TIMEOUT');
    expect(rejection(second).code).toBe('REFRESH_TIMEOUT');
    expect(retry?.state).toBe('pending');
    harness.call(0).resolve({ accessToken: 'access-2', expiresIn: 3600 });
    await flushMicrotasks();
    expect(retry?.state).toBe('fulfilled');
    expect(harness.refresh).toHaveBeenCalledTimes(1);
  });

  it('a caller whose signal aborts leaves the others of its millisecond waiting', async () => {
    vi.useFakeTimers({ now: T0 });
    const harness = setup({ refreshTimeoutMs: 1_000, crossTab: false, autoRefresh: false });
    sessions.push(harness.session);
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
    const controller = new AbortController();
    const first = track(harness.session.refresh());
    const aborted = track(harness.session.getAccessToken({ signal: controller.signal }));
    const third = track(harness.session.getAccessToken());
    await flushMicrotasks();
    controller.abort();
    await flushMicrotasks();

    expect([first.state, aborted.state, third.state]).toEqual(['pending', 'rejected', 'pending']);
    harness.call(0).resolve({ accessToken: 'access-2', expiresIn: 3600 });
    await flushMicrotasks();
    expect(first.state).toBe('fulfilled');
    expect(third.value).toBe('access-2');
  });

  // Was a bug (review, 2026-11-30): callers are grouped by Date.now(), which is not the clock of setTimeout when Date is frozen and timers run
  // (vi.setSystemTime without fake timers, Playwright's clock.setFixedTime — both common to pin JWT expiry): every
  // caller of a flight then shares the first one's wait. A caller joining late gets what is left of the first
  // one's timeout, and one asking during the grace period is rejected at once instead of joining the refresh.
  // Fix: group by a monotonic clock (performance.now()), and never hand out a wait that has already timed out.
  it('with Date frozen and timers running, a refresh asked for during the grace period joins it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    vi.spyOn(Date, 'now').mockReturnValue(T0);
    const harness = setup({ refreshTimeoutMs: 1_000, crossTab: false, autoRefresh: false, now: () => T0 });
    sessions.push(harness.session);
    harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
    const first = track(harness.session.refresh());
    await vi.advanceTimersByTimeAsync(900);
    const late = track(harness.session.refresh()); // 900 ms later: its own 1 s
    await vi.advanceTimersByTimeAsync(100);
    expect(rejection(first).code).toBe('REFRESH_TIMEOUT');
    const inGrace = track(harness.session.refresh());
    await flushMicrotasks();

    expect([late.state, inGrace.state]).toEqual(['pending', 'pending']);
    harness.call(0).resolve({ accessToken: 'access-2', expiresIn: 3600 });
    await flushMicrotasks();
    expect([late.state, inGrace.state]).toEqual(['fulfilled', 'fulfilled']);
    expect(harness.refresh).toHaveBeenCalledTimes(1);
  });
});
