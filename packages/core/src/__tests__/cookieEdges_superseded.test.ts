import { createAuthorizer } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubBroadcastChannel } from './support/fakeChannel';
import { T0 } from './support/harness';
import { makeJwt } from './support/jwt';
import { flushMicrotasks, refused, twoTabs } from './support/supersededTabs';

// With cookies, another tab's sign-in supersedes a refresh this tab already sent without cancelling it (the
// server may have rotated the cookie). The browser attached the cookie the jar held when the refresh went out:
// the new sign-in's own cookie when that sign-in came first, even though its news reached this tab later.

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  stubBroadcastChannel();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe.each(['session', 'refresh'] as const)(
  "cookies: '%s', a refresh superseded by another tab's sign-in",
  (cookies) => {
    it('refused with the cookie of that sign-in: no tab presents it again, both prompt at once', async () => {
      const { tabs, presented, answers, login } = twoTabs(cookies);
      const [a, b] = tabs;
      a.signIn(login('c1'));
      await vi.advanceTimersByTimeAsync(10);
      const prompts = tabs.map((tab) => {
        const handler = vi.fn(() => new Promise<null>(() => {})); // each tab's login modal stays open
        tab.onReauth(handler);
        return handler;
      });
      const first = a.refresh().catch((error: unknown) => error);
      await flushMicrotasks(); // A holds the lock; its refresh goes out on the next tick
      b.signIn(login('c2')); // the user signs in again in B, in the same millisecond
      await vi.advanceTimersByTimeAsync(1);
      // A's refresh went out with the jar's cookie, B's, before B's news reached A (which replays on B's sign-in).
      expect(presented).toEqual(['c2']);
      await first;
      expect(a.getState().status).toBe('signedIn');
      answers[0]?.reject(refused());
      await vi.advanceTimersByTimeAsync(100);
      // A learned that the cookie it presented, the session's current one, is refused; B heard it from A.
      // A refresh asked for now joins the open prompt (it settles with it): nothing is sent.
      void a.refresh().catch(() => {});
      void b.refresh().catch(() => {});
      await vi.advanceTimersByTimeAsync(1_000);
      expect(presented).toEqual(['c2']);
      expect(a.getState().status).toBe('reauthRequired');
      expect(b.getState().status).toBe('reauthRequired');
      expect(prompts.map((prompt) => prompt.mock.calls.length)).toEqual([1, 1]);
    });

    it('refused with the cookie before a sign-in made after it went out: that sign-in is kept', async () => {
      const { tabs, presented, answers, login } = twoTabs(cookies);
      const [a, b] = tabs;
      a.signIn(login('c1'));
      await vi.advanceTimersByTimeAsync(10);
      const first = a.refresh().catch((error: unknown) => error);
      await vi.advanceTimersByTimeAsync(1); // A's refresh goes out with the old cookie
      expect(presented).toEqual(['c1']);
      await vi.advanceTimersByTimeAsync(4);
      b.signIn(login('c2')); // a sign-in after it went out: a new cookie
      await vi.advanceTimersByTimeAsync(5);
      await first; // superseded by B's sign-in
      answers[0]?.reject(refused()); // the old cookie's refusal says nothing of B's
      await vi.advanceTimersByTimeAsync(100);
      expect(a.getState()).toMatchObject({ status: 'signedIn', error: null });
      expect(b.getState()).toMatchObject({ status: 'signedIn', error: null });
      // The new cookie is presented once, when a refresh is needed.
      const later = b.refresh().catch(() => {});
      await vi.advanceTimersByTimeAsync(100);
      expect(presented).toEqual(['c1', 'c2']);
      answers[1]?.resolve(
        cookies === 'session' ? {} : { accessToken: makeJwt({ sub: 'alice', n: 3 }), expiresIn: 300 },
      );
      await vi.advanceTimersByTimeAsync(100);
      await later;
      expect(b.getState().status).toBe('signedIn');
    });
  },
);

describe("cookies: 'session', a sliding refresh superseded by another tab's sign-in, renewed", () => {
  it('requests sent before its answer moved the cookie are late 401s: replayed at once, in every tab, no second refresh', async () => {
    const { tabs, jar, presented, answers, login } = twoTabs('session');
    const [a, b] = tabs;
    a.signIn(login('c1'));
    await vi.advanceTimersByTimeAsync(10);
    const first = a.refresh().catch((error: unknown) => error);
    await flushMicrotasks(); // A holds the lock; its refresh goes out on the next tick
    b.signIn(login('c2')); // the user signs in again in B, in the same millisecond
    await vi.advanceTimersByTimeAsync(1);
    expect(presented).toEqual(['c2']); // A's sliding refresh went out with B's new cookie...
    await first; // ...and B's sign-in reached A
    // Requests of both tabs go out with c2 while A's refresh is on its way.
    const authorizers = tabs.map((tab) => createAuthorizer(tab, { baseURL: 'https://api.example.test' }));
    const tickets = await Promise.all(
      authorizers.map((authorizer) => authorizer.authorize({ url: '/items' })),
    );
    jar.cookie = 'c3'; // the server moved the session to a new cookie: c2 is dead, the jar holds c3
    answers[0]?.resolve({});
    await vi.advanceTimersByTimeAsync(100);
    // c2's 401s come back: each request was sent before the cookie moved, so it replays with the jar's cookie.
    const replays = authorizers.map((authorizer, index) =>
      authorizer
        .handleUnauthorized(tickets[index]!, { status: 401, shouldRefresh: true })
        .catch((error: unknown) => error),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(presented).toEqual(['c2']); // no second refresh (it would present c3)
    // Each replays (a ticket for its second send), neither rejected nor handed back to its caller.
    expect(await Promise.all(replays)).toEqual([
      expect.objectContaining({ mode: 'auth', attempt: 1 }),
      expect.objectContaining({ mode: 'auth', attempt: 1 }),
    ]);
    expect(a.getState().status).toBe('signedIn');
    expect(b.getState().status).toBe('signedIn');
  });
});
