import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubBroadcastChannel } from './support/fakeChannel';
import { T0 } from './support/harness';
import { makeJwt } from './support/jwt';
import { flushMicrotasks, refused, twoTabs } from './support/supersededTabs';

// A refresh superseded by another tab's sign-in is not cancelled (with cookies the server may have rotated the
// cookie), so it can land after the user signed out: it must change nothing then — no prompt, no event, no refusal
// told to the tabs that a later sign-in would take for its own (the harness is cookieEdges_superseded's).

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
  "cookies '%s', a superseded refresh that lands after the user signed out",
  (cookies) => {
    it.each(['refused', 'renewed'] as const)(
      '%s: both tabs stay signed out, no prompt opens, no event after the sign-out',
      async (outcome) => {
        const { tabs, presented, answers, login } = twoTabs(cookies);
        const [a, b] = tabs;
        a.signIn(login('c1'));
        await vi.advanceTimersByTimeAsync(10);
        const prompts = tabs.map((tab) => {
          const handler = vi.fn(() => new Promise<null>(() => {}));
          tab.onReauth(handler);
          return handler;
        });
        const first = a.refresh().catch((error: unknown) => error);
        await flushMicrotasks();
        b.signIn(login('c2'));
        await vi.advanceTimersByTimeAsync(1);
        expect(presented).toEqual(['c2']);
        await first;
        a.signOut();
        await vi.advanceTimersByTimeAsync(10);
        expect(b.getState().status).toBe('signedOut');
        const events: string[] = [];
        for (const [index, tab] of tabs.entries())
          tab.on('*', (event) => void events.push(`${index}:${event.type}`));
        if (outcome === 'refused') answers[0]?.reject(refused());
        else
          answers[0]?.resolve(
            cookies === 'session' ? {} : { accessToken: makeJwt({ sub: 'alice', n: 9 }), expiresIn: 300 },
          );
        await vi.advanceTimersByTimeAsync(1_000);
        expect(a.getState()).toMatchObject({ status: 'signedOut', user: null });
        expect(b.getState()).toMatchObject({ status: 'signedOut', user: null });
        expect(prompts.map((prompt) => prompt.mock.calls.length)).toEqual([0, 0]);
        expect(events).toEqual([]);
        // A new sign-in afterwards is not taken for refused: its refresh presents the new cookie.
        b.signIn(login('c3'));
        await vi.advanceTimersByTimeAsync(10);
        const later = b.refresh().catch(() => {});
        await vi.advanceTimersByTimeAsync(10);
        expect(presented).toEqual(['c2', 'c3']);
        answers[1]?.resolve(
          cookies === 'session' ? {} : { accessToken: makeJwt({ sub: 'alice', n: 10 }), expiresIn: 300 },
        );
        await vi.advanceTimersByTimeAsync(100);
        await later;
        expect(b.getState().status).toBe('signedIn');
        expect(a.getState().status).toBe('signedIn');
      },
    );
  },
);
