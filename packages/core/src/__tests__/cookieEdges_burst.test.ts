import { createSession } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sharedCookieJar } from './support/cookieJar';
import { stubBroadcastChannel } from './support/fakeChannel';
import { memoryStorage, T0 } from './support/harness';
import { inProcessLock } from './support/inProcessLock';
import { unauthorized } from './support/unauthorized';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  stubBroadcastChannel();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

for (const shared of [false, true]) {
  for (const cookies of ['refresh', 'session'] as const) {
    describe(`signed-out tabs, cookies '${cookies}', ${shared ? 'one shared' : 'own'} storage`, () => {
      it('a 401 burst in every tab: one refresh, no cookie presented twice, every tab signed in', async () => {
        const { jar, refresh } = sharedCookieJar(cookies);
        const { lock } = inProcessLock();
        const storage = memoryStorage();
        const tabs = [0, 1, 2].map(() =>
          createSession({
            cookies,
            refresh,
            crossTab: { lock },
            storageKey: `burst-${cookies}-${shared}`,
            storage: shared ? storage : memoryStorage(),
            now: () => Date.now(),
            refreshTimeoutMs: 1_000,
          } as Parameters<typeof createSession>[0]),
        );
        await vi.advanceTimersByTimeAsync(200);
        const replays = tabs.flatMap((tab) => [unauthorized(tab), unauthorized(tab)]);
        await vi.advanceTimersByTimeAsync(1_000);
        const tickets = await Promise.all(replays);
        expect(tickets.every((ticket) => ticket?.attempt === 1)).toBe(true);
        expect(jar.calls).toBe(1);
        expect(jar.reused).toBe(0);
        expect(tabs.map((tab) => tab.getState().status)).toEqual(['signedIn', 'signedIn', 'signedIn']);
      });
    });
  }
}
