import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { macrotaskScheduler } from '../support/model';
import {
  checkNoTokenLeaked,
  checkRefreshes,
  checkSettled,
  drainTabs,
  executeTabCommand,
  expireArb,
  failNextRefreshArb,
  openTab,
  requestArb,
  runParameters,
  signInArb,
  signOutArb,
  slowRefreshArb,
  startTabsRun,
  type Tab,
  type TabCommand,
  type TabsRun,
  tickArb,
  useTabsHooks,
} from '../support/model/tabsRun';

// The single-tab properties (packages/axios) over 2–3 tabs of one origin: one model server, one channel,
// one axios instance and session per tab, each tab with its own memory storage. Messages between tabs and
// the lease lock run on fake timers, moved by `tick` commands and while the schedule drains.
const MAX_STEPS = 10_000;

type Command = TabCommand;

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 8, arbitrary: requestArb },
  { weight: 3, arbitrary: expireArb },
  { weight: 2, arbitrary: failNextRefreshArb('unavailable', 'network', 'refused') },
  { weight: 1, arbitrary: slowRefreshArb },
  { weight: 1, arbitrary: signOutArb },
  { weight: 1, arbitrary: signInArb },
  { weight: 4, arbitrary: tickArb },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('clock' as const),
      periods: fc.constantFrom(1 as const, 2 as const),
    }),
  },
);

/** With `channelDelayMs`, tabs use Web Locks, and news between them takes that long: later than the lock. */
async function runScenario(
  s: fc.Scheduler,
  tabCount: number,
  commands: Command[],
  channelDelayMs?: number,
): Promise<TabsRun> {
  const isWebLocks = channelDelayMs !== undefined;
  const run: TabsRun = { ...startTabsRun(s, { isWebLocks, channelDelayMs: channelDelayMs ?? 0 }), tabs: [] };
  for (let index = 0; index < tabCount; index++)
    run.tabs.push(openTab(run, index, { storageKey: 'property' }));
  (run.tabs[0] as Tab).session.signIn(run.model.login());
  await vi.advanceTimersByTimeAsync(1);

  s.scheduleSequence(
    commands.map((command, index) => ({
      label: `#${index} ${command.kind}`,
      builder: async () => executeTabCommand(run, command),
    })),
  );
  // A request may wait up to refreshTimeoutMs, not longer.
  const pending = () => run.requests.some((r) => r.outcome.state === 'pending');
  await drainTabs(s, { maxSteps: MAX_STEPS, isWaiting: pending });
  return run;
}

/** @param isNewsInstant false when news between tabs takes time: a tab may refresh a session another replaced. */
function check(run: TabsRun, tabCount: number, isNewsInstant = true): void {
  const { model, requests } = run;
  checkSettled(run);
  checkRefreshes(run, tabCount, isNewsInstant);
  for (const request of requests) {
    const sends = model.sends.filter((send) => send.reqId === request.id);
    expect(sends.length, `${request.id} is sent at most twice`).toBeLessThanOrEqual(2);
  }
  checkNoTokenLeaked(run);
}

describe('properties over random interleavings of several tabs', () => {
  useTabsHooks();

  it('2–3 tabs keep every invariant whatever order answers, expiries, sign-ins and sign-outs land in', async () => {
    await fc.assert(
      fc.asyncProperty(
        macrotaskScheduler(),
        fc.integer({ min: 2, max: 3 }),
        fc.array(commandArb, { minLength: 3, maxLength: 24, size: 'medium' }),
        async (s, tabCount, commands) => {
          try {
            check(await runScenario(s, tabCount, commands), tabCount);
          } finally {
            vi.clearAllTimers();
          }
        },
      ),
      runParameters(150),
    );
  }, 120_000);

  // News later than a holder's whole tenure (its refresh and 50 ms more) is a window no lock closes: see crossTab.ts.
  it('with Web Locks, and news up to 45 ms later than the lock, no refresh token is presented twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        macrotaskScheduler(),
        fc.integer({ min: 2, max: 3 }),
        fc.array(commandArb, { minLength: 3, maxLength: 24, size: 'medium' }),
        fc.integer({ min: 0, max: 45 }),
        async (s, tabCount, commands, channelDelayMs) => {
          try {
            check(await runScenario(s, tabCount, commands, channelDelayMs), tabCount, channelDelayMs === 0);
          } finally {
            vi.clearAllTimers();
          }
        },
      ),
      runParameters(150),
    );
  }, 120_000);
});
