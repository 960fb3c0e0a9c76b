import { isAuthError } from '@reauth/core';
import { describe, expect, it } from 'vitest';
import { currentJti, jtiOf, requestsTo, settle, startServer, waitUntil } from '../support/setup';
import { nextTurns, openTabs } from './support';

type Tab = { session: { getState(): { status: string; expiresAt: number | null } } } | undefined;

// What the tabs learn from each other arrives on a later event-loop turn (a real BroadcastChannel): wait for it,
// not for a fixed time, which a loaded machine can outlast (a 20 ms timer can fire before the message is read).
const allAre = (tabs: Tab[], status: string) => () =>
  tabs.every((tab) => tab?.session.getState().status === status);
const sameTokens = (tabs: Tab[]) => () =>
  new Set(tabs.map((tab) => tab?.session.getState().expiresAt)).size === 1;

/** Every request of every tab at once. */
function burst(tabs: { api: { get(url: string): Promise<{ status: number }> } }[], perTab: number) {
  return Promise.all(
    tabs.flatMap((tab, t) =>
      Array.from({ length: perTab }, (_, i) => settle(tab.api.get(`/api/items/t${t}-${i}`))),
    ),
  );
}

describe('many tabs, one session, against the real server', () => {
  it.each([
    ['two tabs sharing a storage', 2, true],
    ['three tabs, each in memory', 3, false],
  ])(
    '%s: a burst in every tab at once gives one refresh, no reuse, and every request succeeds',
    async (_, count, shared) => {
      const server = await startServer();
      const { tabs } = openTabs(server, count, { shared });
      await tabs[0]?.signIn();
      await waitUntil(allAre(tabs, 'signedIn'), 'every tab signed in');
      expect(tabs.map((tab) => tab.session.getState().status)).toEqual(tabs.map(() => 'signedIn'));
      server.controls.expireAccessTokens();
      server.controls.delayRefresh(100); // every tab sees its 401s while the refresh runs

      const outcomes = await burst(tabs, 8);

      expect(outcomes.map((o) => (o.ok ? o.value.status : o.error))).toEqual(outcomes.map(() => 200));
      expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
      expect(server.stats.reuseDetected).toBe(0);
      const jtis = await Promise.all(tabs.map((tab) => currentJti(tab.session)));
      expect(new Set(jtis).size).toBe(1);
      for (const record of server.stats.requests) {
        expect(requestsTo(server, record.path).length, `${record.path} sends`).toBeLessThanOrEqual(2);
      }
    },
  );

  it('bursts again and again over many expiries: one refresh per expiry, never a reuse', async () => {
    const server = await startServer();
    const { tabs } = openTabs(server, 3);
    await tabs[1]?.signIn();
    await waitUntil(allAre(tabs, 'signedIn'), 'every tab signed in');
    for (let round = 0; round < 4; round++) {
      server.controls.expireAccessTokens();
      const outcomes = await burst(tabs, 4);
      expect(outcomes.every((o) => o.ok && o.value.status === 200)).toBe(true);
      await waitUntil(sameTokens(tabs), 'every tab holding the new tokens');
    }
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(server.stats.reuseDetected).toBe(0);
  });

  it('a sign-out in one tab reaches all: the others sign out and their waiting requests reject SIGNED_OUT', async () => {
    const server = await startServer();
    const { tabs } = openTabs(server, 3);
    const [a, b, c] = tabs;
    await a?.signIn();
    await waitUntil(allAre(tabs, 'signedIn'), 'every tab signed in');
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(400);
    const waiting = settle((b?.api.get('/api/items/waits') ?? Promise.reject()) as Promise<unknown>);
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');

    a?.session.signOut();
    const outcome = await waiting;

    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && isAuthError(outcome.error) && outcome.error.code).toBe('SIGNED_OUT');
    await waitUntil(allAre(tabs, 'signedOut'), 'every tab signed out');
    expect(tabs.map((tab) => tab.session.getState().status)).toEqual(['signedOut', 'signedOut', 'signedOut']);
    expect(await c?.session.getAccessToken()).toBeNull();
  });

  it('a tab that claimed the lease and went silent does not hold the others past the timeout', async () => {
    const server = await startServer();
    const { tabs, channelName } = openTabs(server, 2, { session: { refreshTimeoutMs: 2_000 } });
    await tabs[0]?.signIn();
    await waitUntil(allAre(tabs, 'signedIn'), 'every tab signed in');
    // A tab killed while holding the lease: it claimed it, then said nothing more.
    const dead = new BroadcastChannel(channelName);
    dead.postMessage({ type: 'claim', id: '0', at: Date.now() });
    dead.close();
    await nextTurns();
    server.controls.expireAccessTokens();

    const outcomes = await burst(tabs, 3);

    expect(outcomes.map((o) => (o.ok ? o.value.status : String(o.error)))).toEqual(outcomes.map(() => 200));
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
  });

  it('a tab opened later starts signed in: from a shared storage at once, and with memory from an open tab', async () => {
    const server = await startServer();
    const shared = openTabs(server, 1, { shared: true });
    const memory = openTabs(server, 1);
    const first = await shared.tabs[0]?.signIn();
    await memory.tabs[0]?.signIn('bob');

    const fromStorage = shared.open();
    expect(fromStorage.session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
    const fromTab = memory.open();
    const response = await fromTab.api.get('/api/items/late');

    expect(response.data).toEqual({ id: 'late', user: 'bob' });
    expect(fromTab.session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'bob' } });
    expect((await fromStorage.api.get('/api/items/1')).status).toBe(200);
    expect(await currentJti(fromStorage.session)).toBe(jtiOf(first?.accessToken));
    expect(server.stats.refreshes).toBe(0);
  });

  it('refreshes ahead of expiry in the background once for all tabs, with no request asking', async () => {
    const server = await startServer({ accessTokenTtlMs: 1_500 });
    const { tabs } = openTabs(server, 3, { session: { autoRefresh: true, refreshLeewayMs: 1_000 } });
    const first = await tabs[0]?.signIn();
    await waitUntil(allAre(tabs, 'signedIn'), 'every tab signed in');
    const signedInUntil = tabs[0]?.session.getState().expiresAt;

    await waitUntil(() => server.stats.refreshes === 1, 'the background refresh');
    await waitUntil(
      () => sameTokens(tabs)() && tabs[0]?.session.getState().expiresAt !== signedInUntil,
      'every tab holding the refreshed tokens',
    );

    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    const jtis = await Promise.all(tabs.map((tab) => currentJti(tab.session)));
    expect(new Set(jtis).size).toBe(1);
    expect(jtis[0]).not.toBe(jtiOf(first?.accessToken));
    expect(server.stats.requests).toEqual([]);
    for (const tab of tabs) tab.session.signOut(); // no more background refreshes after the test
  });

  it('a refused refresh reaches the other tabs: none presents the refused refresh token again', async () => {
    const server = await startServer();
    const { tabs } = openTabs(server, 3);
    const [a, b] = tabs;
    b?.session.onReauth(() => new Promise(() => {}));
    await a?.signIn();
    await waitUntil(allAre(tabs, 'signedIn'), 'every tab signed in');
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const outcomes = await burst(tabs.slice(0, 1), 2);
    await waitUntil(
      () => b?.session.getState().status === 'reauthRequired' && allAre(tabs.slice(2), 'signedOut')(),
      'the refusal reaching the other tabs',
    );

    expect(outcomes.every((o) => !o.ok && isAuthError(o.error) && o.error.code === 'SESSION_EXPIRED')).toBe(
      true,
    );
    expect(b?.session.getState().status).toBe('reauthRequired');
    expect(tabs[2]?.session.getState()).toMatchObject({
      status: 'signedOut',
      error: { code: 'SESSION_EXPIRED' },
    });
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['rejected']);
  });
});
