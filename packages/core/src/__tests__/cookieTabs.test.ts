import { type AnySessionOptions, createSession, type Session } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sharedCookieJar } from './support/cookieJar';
import { stubBroadcastChannel } from './support/fakeChannel';
import { memoryStorage, settle, T0 } from './support/harness';
import { inProcessLock } from './support/inProcessLock';
import { makeJwt } from './support/jwt';
import { unauthorized } from './support/unauthorized';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  stubBroadcastChannel();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

let keys = 0;
/**
 * Tabs of one origin sharing one cookie jar: `refresh` presents whatever cookie the jar holds when it is sent,
 * the server rotates it and detects reuse. Each tab keeps its session in memory.
 */
function cookieTabs(count: number, options: Partial<AnySessionOptions> & { cookies: 'refresh' | 'session' }) {
  const { jar, refresh } = sharedCookieJar(options.cookies);
  const storageKey = `cookie-tabs-${++keys}`;
  const { lock } = inProcessLock();
  const tabs: Session[] = Array.from({ length: count }, () =>
    createSession({
      storage: memoryStorage(),
      storageKey,
      now: () => Date.now(),
      refreshTimeoutMs: 1_000,
      crossTab: { lock },
      refresh,
      ...options,
    } as AnySessionOptions),
  );
  return { tabs, jar, refresh };
}

describe('cross-tab with a shared refresh cookie', () => {
  it('401s in every tab at once: one refresh call, the cookie rotated once, every tab renewed', async () => {
    const { tabs, jar } = cookieTabs(3, { cookies: 'refresh' });
    (tabs[0] as Session).signIn({ accessToken: makeJwt({ sub: 'alice', n: 0 }), expiresIn: 300 });
    await settle();
    const replays = tabs.flatMap((tab) => [unauthorized(tab), unauthorized(tab)]);
    await vi.advanceTimersByTimeAsync(500);
    const tickets = await Promise.all(replays);
    expect(tickets.every((ticket) => ticket?.attempt === 1)).toBe(true);
    expect(jar.calls).toBe(1);
    expect(jar.reused).toBe(0);
    const tokens = await Promise.all(tabs.map((tab) => tab.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
  });

  it('a refusal in one tab is known in the others: a signed-out 401 there prompts at once', async () => {
    const { tabs, jar } = cookieTabs(2, { cookies: 'refresh' });
    jar.spent.add('c0'); // the cookie is dead
    const [first, second] = tabs as [Session, Session];
    first.onReauth(async () => null);
    const prompt = vi.fn(async () => null);
    second.onReauth(prompt);
    // Signed-out tabs first ask the others for a session (a moment), then refresh.
    const refused = unauthorized(first).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(500);
    await expect(refused).resolves.toMatchObject({ code: 'REAUTH_CANCELLED' });
    await expect(unauthorized(second)).rejects.toMatchObject({ code: 'REAUTH_CANCELLED' });
    expect(prompt).toHaveBeenCalledTimes(1);
    expect(jar.calls).toBe(1);
  });
});

describe('cross-tab with a shared refresh cookie: a refusal', () => {
  it("stops a signed-out tab's silent refresh waiting for the lock: the refused cookie is not presented again", async () => {
    const { tabs, jar } = cookieTabs(2, { cookies: 'refresh' });
    jar.spent.add('c0'); // the cookie is dead
    const [first, second] = tabs as [Session, Session];
    first.onReauth(async () => null);
    second.onReauth(async () => null);
    await vi.advanceTimersByTimeAsync(200); // both tabs have asked the others for a session: none
    const refusedFirst = unauthorized(first).catch((error: unknown) => error);
    const refusedSecond = unauthorized(second).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(500);
    await expect(refusedFirst).resolves.toMatchObject({ code: 'REAUTH_CANCELLED' });
    await expect(refusedSecond).resolves.toMatchObject({ code: 'REAUTH_CANCELLED' });
    expect(jar.calls).toBe(1);
  });
});

describe('cross-tab with a cookie session', () => {
  it('a sliding refresh runs once for every tab, and is not mistaken for news from another tab', async () => {
    const { tabs, jar } = cookieTabs(2, { cookies: 'session' });
    (tabs[0] as Session).signIn({ user: { sub: 'alice' } });
    await settle();
    const replays = tabs.map((tab) => unauthorized(tab));
    await vi.advanceTimersByTimeAsync(500);
    expect((await Promise.all(replays)).every((ticket) => ticket?.attempt === 1)).toBe(true);
    expect(jar.calls).toBe(1);
    expect(tabs.map((tab) => tab.getState().user)).toEqual([
      { sub: 'alice', n: 1 },
      { sub: 'alice', n: 1 },
    ]);
  });

  it("a sign-in in one tab answers the prompt waiting in another and resumes that tab's requests", async () => {
    const { tabs } = cookieTabs(2, { cookies: 'session', refresh: undefined });
    const [first, second] = tabs as [Session, Session];
    first.signIn({ user: { sub: 'alice' } });
    await settle();
    second.onReauth(() => new Promise(() => {})); // a modal no one answers in this tab
    const waiting = unauthorized(second);
    await settle();
    expect(second.getState().status).toBe('reauthRequired');
    first.signIn({ user: { sub: 'alice' } });
    await settle();
    expect((await waiting)?.attempt).toBe(1);
    expect(second.getState().status).toBe('signedIn');
  });
});
