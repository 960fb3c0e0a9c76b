import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type ModelSetup, macrotaskScheduler, setupArb } from '../support/model';
import {
  checkCookieModel,
  checkNoTokenLeaked,
  checkRefreshes,
  checkSettled,
  drainTabs,
  executeTabCommand,
  expireArb,
  failNextRefreshArb,
  logoutArb,
  openTab,
  requestArb,
  runParameters,
  runTimeout,
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
// the lease lock run on fake timers, moved by `tick` commands and while the schedule drains. Then the same in
// the cookie models (DESIGN.md, "Session models"): the tabs share one cookie jar, whose cookie rotates.
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

/** The commands of the cookie models: a logout (the jar drops the cookie) besides the JS-only sign-out. */
const cookieCommandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 24, arbitrary: commandArb },
  { weight: 1, arbitrary: logoutArb },
);

/**
 * With `channelDelayMs`, tabs use Web Locks, and news between them takes that long: later than the lock.
 * @param setup the session model (default: both tokens in JS)
 */
async function runScenario(
  s: fc.Scheduler,
  tabCount: number,
  commands: Command[],
  channelDelayMs?: number,
  setup?: ModelSetup,
): Promise<TabsRun> {
  const isWebLocks = channelDelayMs !== undefined;
  const options = { isWebLocks, channelDelayMs: channelDelayMs ?? 0, ...(setup ? { setup } : {}) };
  const run: TabsRun = { ...startTabsRun(s, options), tabs: [] };
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

/** {@link check}, and what the cookie models add (see checkCookieModel). */
function checkCookies(run: TabsRun, tabCount: number, isNewsInstant = true): void {
  check(run, tabCount, isNewsInstant);
  checkCookieModel(run);
}

describe('properties over random interleavings of several tabs', () => {
  useTabsHooks();

  it(
    '2–3 tabs keep every invariant whatever order answers, expiries, sign-ins and sign-outs land in',
    async () => {
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
    },
    runTimeout(120_000, 150),
  );

  // News later than a holder's whole tenure (its refresh and 50 ms more) is a window no lock closes: see crossTab.ts.
  it(
    'with Web Locks, and news up to 45 ms later than the lock, no refresh token is presented twice',
    async () => {
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
    },
    runTimeout(120_000, 150),
  );

  describe.each(['refresh', 'session'] as const)(
    "with cookies: '%s', one cookie jar for every tab",
    (sessionModel) => {
      it(
        '2–3 tabs make one refresh call per expiry across them, and the server never detects reuse',
        async () => {
          await fc.assert(
            fc.asyncProperty(
              macrotaskScheduler(),
              setupArb(sessionModel),
              fc.integer({ min: 2, max: 3 }),
              fc.array(cookieCommandArb, { minLength: 3, maxLength: 24, size: 'medium' }),
              async (s, setup, tabCount, commands) => {
                try {
                  checkCookies(await runScenario(s, tabCount, commands, undefined, setup), tabCount);
                } finally {
                  vi.clearAllTimers();
                }
              },
            ),
            runParameters(150),
          );
        },
        runTimeout(120_000, 150),
      );

      it(
        'with Web Locks, and news up to 45 ms later than the lock, no rotated cookie is presented again',
        async () => {
          await fc.assert(
            fc.asyncProperty(
              macrotaskScheduler(),
              setupArb(sessionModel),
              fc.integer({ min: 2, max: 3 }),
              fc.array(cookieCommandArb, { minLength: 3, maxLength: 24, size: 'medium' }),
              fc.integer({ min: 0, max: 45 }),
              async (s, setup, tabCount, commands, channelDelayMs) => {
                try {
                  const run = await runScenario(s, tabCount, commands, channelDelayMs, setup);
                  checkCookies(run, tabCount, channelDelayMs === 0);
                } finally {
                  vi.clearAllTimers();
                }
              },
            ),
            runParameters(150),
          );
        },
        runTimeout(120_000, 150),
      );
    },
  );
});
