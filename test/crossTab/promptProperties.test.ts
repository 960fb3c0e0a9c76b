import { isAuthError, type TokensInput } from '@reauth/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { PropertyModel } from '../../packages/axios/src/__tests__/support/propertyModel';
import { type IssuedTokens, macrotaskScheduler } from '../support/model';
import {
  checkNoTokenLeaked,
  checkRefreshes,
  checkSettled,
  drainTabs,
  executeTabCommand,
  expireArb,
  failNextRefreshArb,
  type Tab as OpenTab,
  openTab,
  requestArb,
  runParameters,
  runTimeout,
  signInArb,
  signOutArb,
  slowRefreshArb,
  startTabsRun,
  type TabCommand,
  type TabRequest,
  type TabsRun,
  tabArb,
  tickArb,
  useTabsHooks,
} from '../support/model/tabsRun';
import { createMapStorage } from '../support/setup';

// properties.test.ts with login prompts: each tab may register a prompt (`onReauth`) that stays open until a
// command answers it (new tokens from the model's login), dismisses it (`cancelReauth`, null, a throw) or
// unregisters it (a React unmount). Checked at every step: a tab is `reauthRequired` exactly while a prompt of
// its own is open. Checked once the run is quiet (and again after each prompt the finale closes, so that every
// request can settle): a dismissal leaves no tab in the session it ended, a sign-in that nothing contradicts
// reaches every tab and lets every waiting request through. Checked at the end: a prompt closed only for a
// reason (never for another tab's unmount), the waiters of a dismissed prompt rejected as they should, and
// properties.test.ts's invariants. Sessions are told apart by token family (one per login), read from storage.
const MAX_STEPS = 20_000;
const STORAGE_KEY = 'prompts';

type PromptAction = 'answer' | 'dismiss' | 'answerNull' | 'unmount';
type Command =
  | TabCommand
  | { kind: 'mount'; pick: number }
  // A prompt command acts on the pick-th tab with an open prompt (unmount: else on a tab with a handler).
  | { kind: PromptAction; pick: number; how?: 'null' | 'throw' };

const pickArb = fc.nat(5);
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 8, arbitrary: requestArb },
  { weight: 4, arbitrary: expireArb },
  { weight: 4, arbitrary: failNextRefreshArb('refused', 'refused', 'refused', 'unavailable', 'network') },
  { weight: 1, arbitrary: slowRefreshArb },
  { weight: 8, arbitrary: tickArb },
  { weight: 1, arbitrary: fc.constant({ kind: 'clock' as const }) },
  { weight: 2, arbitrary: signOutArb },
  { weight: 1, arbitrary: signInArb },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mount' as const), pick: pickArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: pickArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('dismiss' as const), pick: pickArb }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('answerNull' as const),
      pick: pickArb,
      how: fc.constantFrom('null' as const, 'throw' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unmount' as const), pick: pickArb }) },
);

/** Half the runs start this way: the server refuses the session while every tab waits on it, so every tab with a
 * handler prompts, with a request waiting. */
const refusedFirst = (tab: number): Command[] => [
  { kind: 'failNextRefresh', failure: 'refused' },
  { kind: 'expire' },
  ...[0, 1, 2].map((offset): Command => ({ kind: 'request', tab: tab + offset, method: 'GET' })),
];

/** One call of a tab's prompt handler. */
interface Prompt {
  id: string;
  tab: number;
  signal: AbortSignal;
  settle: { answer(tokens: TokensInput | null): void; fail(error: Error): void };
  isAnswered: boolean;
  /** Fake time and the latest happening when it opened and when its signal aborted. */
  opened: { at: number; index: number };
  closed: { at: number; index: number } | null;
}
interface Tab extends OpenTab {
  storage: ReturnType<typeof createMapStorage>;
  /** The unregister function of the tab's prompt handler, null while it has none. */
  unmount: (() => void) | null;
  prompts: Prompt[];
}
/** A command as it ran, with what the checks need of the moment. */
interface Happening {
  index: number;
  /** As the scheduler's report names it: `#3 dismiss`, `opening #0 expire`, `finale #1 answer`. */
  label: string;
  command: Command;
  tab: number | null;
  at: number;
  /** Prompt commands: whether the tab had an open prompt to act on. */
  isEffective: boolean;
  /** signIn and answer: the family of the new tokens; the others: the family the tab held. */
  family: number | null;
  /** Requests waiting on a prompt just before it ran. */
  waiting: TabRequest[];
  /** Prompts open in the other tabs just before it ran, with the family their tab held. */
  otherPrompts: { prompt: Prompt; family: number | null }[];
  /** The family each tab held just before it ran. */
  families: (number | null)[];
  failures: number;
}
interface Run extends TabsRun<Tab> {
  happenings: Happening[];
  violations: string[];
  /** Which checks found something to check in this run (see {@link SITUATIONS}). */
  reached: Set<Situation>;
}

const isOpen = (prompt: Prompt) => !prompt.isAnswered && !prompt.signal.aborted;
const openPrompt = (tab: Tab) => tab.prompts.find(isOpen);
const statusOf = (tab: Tab) => tab.session.getState().status;
const failuresOf = (model: PropertyModel) => model.stats.refusals + model.stats.transientFailures;
/** A login of the model, which here keeps both tokens in JS (the default model): storage tells families apart. */
function loginTokens(model: PropertyModel): IssuedTokens {
  const answer = model.login();
  if (!('refreshToken' in answer)) throw new Error('the prompt properties run with both tokens in JS');
  return answer;
}
const describeError = (error: unknown) =>
  isAuthError(error) ? error.code : `${(error as Error)?.name}: ${(error as Error)?.message}`;

/** The token family (one per login) of the tokens the tab holds, from its storage; null when it holds none. */
function familyOf(run: Run, tab: Tab): number | null {
  const raw = tab.storage.getItem(STORAGE_KEY);
  if (raw === null) return null;
  const { refreshToken } = JSON.parse(raw) as { refreshToken?: string | null };
  return (refreshToken ? run.model.issued.get(refreshToken)?.family : undefined) ?? null;
}

/** Pending, every send answered, in a tab that prompts: it waits for the prompt's outcome. */
function waitingOnPrompts(run: Run): TabRequest[] {
  return run.requests.filter((request) => {
    const tab = run.tabs[request.tab] as Tab;
    const sends = run.model.sends.filter((send) => send.reqId === request.id).length;
    const answers = run.model.answers.filter((answer) => answer.reqId === request.id).length;
    return request.outcome.state === 'pending' && sends === answers && statusOf(tab) === 'reauthRequired';
  });
}

/** At every step: `reauthRequired` exactly while a prompt of the tab's own is open (no handler: signed out). */
function checkStep(run: Run): void {
  for (const tab of run.tabs) {
    const open = tab.prompts.filter(isOpen);
    const status = statusOf(tab);
    const problem =
      open.length > 1
        ? `tab ${tab.index} has ${open.length} prompts open`
        : (status === 'reauthRequired') !== (open.length === 1)
          ? `tab ${tab.index} is ${status} with ${open.length} prompt(s) open`
          : open.length === 1 && !tab.unmount
            ? `tab ${tab.index} prompts with no handler registered`
            : null;
    if (problem && !run.violations.some((violation) => violation.startsWith(problem))) {
      run.violations.push(`${problem} (after ${run.happenings.at(-1)?.label})`);
    }
  }
}

/** Tabs as in properties.test.ts: a fake channel, the lease lock or Web Locks, deterministic ids. */
function openTabs(s: fc.Scheduler, setup: Setup): Run {
  const { tabCount, mounted, lock } = setup;
  const opened = startTabsRun(s, { isWebLocks: lock === 'webLocks' });
  const run: Run = { ...opened, tabs: [], happenings: [], violations: [], reached: new Set() };
  for (let index = 0; index < tabCount; index++) {
    const storage = createMapStorage();
    const tab: Tab = {
      ...openTab(run, index, { storage, storageKey: STORAGE_KEY }),
      storage,
      unmount: null,
      prompts: [],
    };
    run.tabs.push(tab);
    if (mounted[index]) mount(run, tab);
  }
  return run;
}

/** Registers a prompt handler that stays pending until a command answers it. */
function mount(run: Run, tab: Tab): void {
  tab.unmount = tab.session.onReauth(
    ({ signal }) =>
      new Promise<TokensInput | null>((resolve, reject) => {
        const moment = () => ({ at: Date.now(), index: run.happenings.length - 1 });
        const prompt: Prompt = {
          id: `t${tab.index}-prompt-${tab.prompts.length}`,
          tab: tab.index,
          signal,
          settle: { answer: resolve, fail: reject },
          isAnswered: false,
          opened: moment(),
          closed: null,
        };
        signal.addEventListener(
          'abort',
          () => {
            prompt.closed = moment();
          },
          { once: true },
        );
        tab.prompts.push(prompt);
      }),
  );
}

/** The tab a command acts on: its `tab`, or the pick-th of the tabs it can act on. */
function targetOf(tabs: Tab[], command: Command): Tab | undefined {
  const byPick = (from: Tab[], pick: number) => from[pick % Math.max(from.length, 1)];
  if ('tab' in command) return tabs[command.tab % tabs.length];
  if (command.kind === 'mount')
    return byPick(
      tabs.filter((tab) => !tab.unmount),
      command.pick,
    );
  if (!('pick' in command)) return undefined;
  const prompting = byPick(
    tabs.filter((tab) => openPrompt(tab)),
    command.pick,
  );
  if (prompting || command.kind !== 'unmount') return prompting;
  return byPick(
    tabs.filter((tab) => tab.unmount),
    command.pick,
  ); // a handler unregistered before any prompt
}

/** Records the command as a happening (with what the checks need of the moment), then runs it. */
function execute(run: Run, command: Command, label: string): void | Promise<void> {
  const { model, tabs } = run;
  const target = targetOf(tabs, command);
  const prompt = target && openPrompt(target);
  const login =
    command.kind === 'signIn' || (command.kind === 'answer' && prompt) ? loginTokens(model) : null;
  run.happenings.push({
    index: run.happenings.length,
    label,
    command,
    tab: target?.index ?? null,
    at: Date.now(),
    isEffective: !!prompt && ['answer', 'dismiss', 'answerNull', 'unmount'].includes(command.kind),
    family: login
      ? (model.issued.get(login.refreshToken)?.family ?? null)
      : target
        ? familyOf(run, target)
        : null,
    waiting: waitingOnPrompts(run),
    families: tabs.map((tab) => familyOf(run, tab)),
    otherPrompts: tabs.flatMap((tab) => {
      const open = tab === target ? undefined : openPrompt(tab);
      return open ? [{ prompt: open, family: familyOf(run, tab) }] : [];
    }),
    failures: failuresOf(model),
  });

  switch (command.kind) {
    case 'request':
    case 'expire':
    case 'failNextRefresh':
    case 'slowRefresh':
    case 'tick':
    case 'clock':
    case 'signOut':
    case 'logout':
      return executeTabCommand(run, command);
    case 'signIn':
      return executeTabCommand(run, command, login as TokensInput);
    case 'mount':
      if (target) mount(run, target);
      return;
    case 'unmount':
      target?.unmount?.();
      if (target) target.unmount = null;
      return;
  }
  if (!target || !prompt) return;
  prompt.isAnswered = command.kind !== 'dismiss';
  if (command.kind === 'answer') prompt.settle.answer(login);
  else if (command.kind === 'dismiss') target.session.cancelReauth();
  else if (command.how === 'throw') prompt.settle.fail(new Error('the login form failed to load'));
  else prompt.settle.answer(null);
}

/**
 * Answers as the scheduler releases them; when it has none, time passes (10 ms steps) for messages and leases.
 * A request may wait up to refreshTimeoutMs, except on an open prompt, which only a command closes.
 */
async function drain(run: Run, s: fc.Scheduler): Promise<void> {
  const isWaiting = () =>
    run.requests.some(
      (r) => r.outcome.state === 'pending' && statusOf(run.tabs[r.tab] as Tab) !== 'reauthRequired',
    );
  await drainTabs(s, { maxSteps: MAX_STEPS, isWaiting, onStep: () => checkStep(run) });
}

/** How many tabs, which start with a prompt handler, which lock they share. */
interface Setup {
  tabCount: number;
  mounted: boolean[];
  lock: 'lease' | 'webLocks';
}

/** Runs `commands` after `opening` (its own answers landed, and time passed for its news to travel). */
async function runScenario(
  s: fc.Scheduler,
  setup: Setup,
  opening: Command[],
  commands: Command[],
  finale: PromptAction[],
): Promise<Run> {
  const run = openTabs(s, setup);
  (run.tabs[0] as Tab).session.signIn(run.model.login());
  await vi.advanceTimersByTimeAsync(1);
  for (const [phase, sequence] of [
    ['opening ', opening],
    ['', commands],
  ] as const) {
    s.scheduleSequence(
      sequence.map((command, index) => {
        const label = `${phase}#${index} ${command.kind}`;
        return { label, builder: async () => execute(run, command, label) };
      }),
    );
    await drain(run, s);
  }
  checkQuiet(run);
  // The finale: the user closes the prompts still open, one at a time, so that every request can settle.
  for (let round = 0; run.tabs.some((tab) => openPrompt(tab)); round += 1) {
    if (round === 12) {
      run.violations.push('prompts keep opening: 12 closed in the finale and more are open');
      break;
    }
    const kind = round < 8 ? (finale[round % finale.length] ?? 'dismiss') : 'dismiss';
    const command: Command = kind === 'answerNull' ? { kind, pick: 0, how: 'null' } : { kind, pick: 0 };
    await execute(run, command, `finale #${round} ${kind}`);
    await drain(run, s);
    checkQuiet(run);
  }
  return run;
}

/** What a tab tells the others, which they order by a logical clock: concurrent ones may land either way. */
const isBroadcast = (h: Happening) =>
  h.command.kind === 'signIn' ||
  h.command.kind === 'signOut' ||
  (h.isEffective && ['answer', 'dismiss', 'answerNull'].includes(h.command.kind));
const isSignIn = (h: Happening) =>
  h.command.kind === 'signIn' || (h.command.kind === 'answer' && h.isEffective);
const isDismissal = (h: Happening) =>
  h.isEffective && (h.command.kind === 'dismiss' || h.command.kind === 'answerNull');
/** After it, nothing that could end, refresh away or replace a session. */
const isHarmless = (h: Happening) =>
  ['request', 'tick', 'mount', 'slowRefresh'].includes(h.command.kind) ||
  (!h.isEffective && ['answer', 'dismiss', 'answerNull', 'unmount'].includes(h.command.kind));

/** Once the run is quiet: what dismissals and sign-ins must have done by now. */
function checkQuiet(run: Run): void {
  const { tabs, happenings } = run;
  // A dismissal signs every tab out of its session, as signOut() does; with no session (a login prompt while
  // signed out) it is a sign-out that a concurrent one in another tab may outrank (logical clock): not checked.
  for (const dismissal of happenings.filter((h) => isDismissal(h) && h.family !== null)) {
    if (dismissal.families.some((family, tab) => tab !== dismissal.tab && family === dismissal.family))
      run.reached.add('dismissal ended the session in other tabs');
    for (const tab of tabs.filter((tab) => familyOf(run, tab) === dismissal.family)) {
      run.violations.push(
        `${dismissal.label} in tab ${dismissal.tab} left tab ${tab.index} ${statusOf(tab)} in the ended session`,
      );
    }
  }
  const signedIn = tabs.filter((tab) => ['signedIn', 'refreshing'].includes(statusOf(tab)));
  const families = new Set(signedIn.map((tab) => familyOf(run, tab)));
  if (families.size > 1)
    run.violations.push(`signed-in tabs hold different sessions: ${[...families].join(', ')}`);

  const last = happenings.filter(isSignIn).at(-1);
  if (!last) return;
  const isUncontested =
    happenings.slice(last.index + 1).every(isHarmless) &&
    happenings.slice(0, last.index).every((h) => !isBroadcast(h) || h.at < last.at) &&
    failuresOf(run.model) === last.failures;
  if (!isUncontested) return;
  const name = `${last.label} in tab ${last.tab}`;
  for (const tab of tabs) {
    const [status, family] = [statusOf(tab), familyOf(run, tab)];
    if (status !== 'signedIn' || family !== last.family)
      run.violations.push(
        `after ${name} (family ${last.family}) tab ${tab.index} is ${status}, family ${family}`,
      );
  }
  if (last.waiting.some((request) => request.tab !== last.tab))
    run.reached.add('sign-in released other tabs');
  const mustSucceed = [...last.waiting, ...run.requests.filter((r) => r.issuedAt > last.at)];
  for (const request of mustSucceed) {
    if (request.outcome.state === 'resolved') continue;
    const outcome = request.outcome.state === 'rejected' ? describeError(request.outcome.error) : 'pending';
    run.violations.push(`after ${name} ${request.id} did not succeed: ${outcome}`);
  }
}

/** A prompt closes only when a session starts or ends everywhere, or its own tab unregisters it. */
function checkPromptClosings(run: Run): void {
  const unmounts = run.happenings.filter((h) => h.command.kind === 'unmount' && h.isEffective);
  if (unmounts.some((h) => h.otherPrompts.length > 0)) run.reached.add('unmount with other tabs prompting');
  for (const prompt of run.tabs.flatMap((tab) => tab.prompts)) {
    const { opened, closed } = prompt;
    if (!closed) continue;
    const reason = run.happenings.find(
      (h) =>
        h.index <= closed.index &&
        h.at >= opened.at - 1 &&
        (isBroadcast(h) || (h.command.kind === 'unmount' && h.isEffective && h.tab === prompt.tab)),
    );
    if (!reason)
      run.violations.push(
        `${prompt.id} closed after ${run.happenings[closed.index]?.label} with no sign-in, sign-out or own unmount`,
      );
  }
}

/** Requests waiting on a prompt that a tab dismissed: REAUTH_CANCELLED there, signed out in its other tabs. */
function checkDismissedWaiters(run: Run): void {
  for (const ended of run.happenings.filter(
    (h) => h.isEffective && ['dismiss', 'answerNull', 'unmount'].includes(h.command.kind),
  )) {
    const signedInSince = run.happenings.some(
      (h) => isSignIn(h) && (h.index > ended.index || h.at >= ended.at),
    );
    for (const request of ended.waiting) {
      const { outcome } = request;
      const code =
        outcome.state === 'rejected' && isAuthError(outcome.error) ? outcome.error.code : outcome.state;
      const family = ended.otherPrompts.find(({ prompt }) => prompt.tab === request.tab)?.family;
      const allowed =
        request.tab === ended.tab
          ? ['REAUTH_CANCELLED']
          : ended.command.kind !== 'unmount' && family === ended.family && family !== null && !signedInSince
            ? ['SIGNED_OUT', 'REAUTH_CANCELLED']
            : null;
      if (allowed && request.tab !== ended.tab) run.reached.add('dismissal rejected waiters in other tabs');
      if (allowed && !allowed.includes(code)) {
        run.violations.push(
          `${request.id}, waiting on the prompt ${ended.label} closed (tab ${ended.tab}), is ${code}`,
        );
      }
    }
  }
}

/** What must have happened in the run for a request in `tab` to reject with each AuthError code. */
function hasCause(run: Run, code: string, tab: number): boolean {
  const did = (kinds: Command['kind'][], here = false) =>
    run.happenings.some(
      (h) =>
        kinds.includes(h.command.kind) &&
        (h.command.kind === 'signOut' || h.isEffective) &&
        (!here || h.tab === tab),
    );
  if (code === 'SIGNED_OUT') return did(['signOut', 'dismiss', 'answerNull']);
  if (code === 'REAUTH_CANCELLED') return did(['dismiss', 'answerNull', 'unmount'], true);
  if (code === 'SESSION_EXPIRED') return run.model.stats.refusals > 0;
  if (code === 'REFRESH_UNAVAILABLE') return run.model.stats.transientFailures > 0;
  return code === 'REFRESH_TIMEOUT';
}

function check(run: Run, tabCount: number): void {
  checkPromptClosings(run);
  checkDismissedWaiters(run);
  expect(run.violations, 'the prompts across tabs').toEqual([]);
  const { model, requests } = run;
  checkSettled(run);
  for (const request of requests) {
    const sends = model.sends.filter((send) => send.reqId === request.id);
    expect(sends.length, `${request.id} is sent at most 1 + maxRetries times`).toBeLessThanOrEqual(2);
    const { outcome } = request;
    if (outcome.state !== 'rejected' || !isAuthError(outcome.error)) continue;
    expect(
      hasCause(run, outcome.error.code, request.tab),
      `${request.id} ${outcome.error.code} has a cause`,
    ).toBe(true);
  }
  checkRefreshes(run, tabCount);
  checkNoTokenLeaked(run);
}

/** Situations in which the checks bite: the property means little if too few runs reach them. */
const SITUATIONS = [
  'dismissal ended the session in other tabs',
  'dismissal rejected waiters in other tabs',
  'unmount with other tabs prompting',
  'sign-in released other tabs',
] as const;
type Situation = (typeof SITUATIONS)[number];

// SHARES=1 prints how often each situation came up (RUNS, SEED, FC_PATH: see runParameters).
const setupArb: fc.Arbitrary<Setup> = fc.record({
  tabCount: fc.integer({ min: 2, max: 3 }),
  mounted: fc.array(fc.constantFrom(true, true, true, false), { minLength: 3, maxLength: 3 }),
  lock: fc.constantFrom('lease' as const, 'webLocks' as const),
});
const finaleArb = fc.array(fc.constantFrom<PromptAction>('answer', 'dismiss', 'answerNull', 'unmount'), {
  minLength: 1,
  maxLength: 4,
});

/** Runs the property `numRuns` times, then checks that enough runs reached `situations` (where its checks bite). */
async function assertPromptProperty(
  openingArb: fc.Arbitrary<Command[]>,
  commandsArb: fc.Arbitrary<Command[]>,
  situations: Situation[],
  numRuns: number,
): Promise<void> {
  const reached = new Map<Situation, number>();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      macrotaskScheduler(),
      setupArb,
      openingArb,
      commandsArb,
      finaleArb,
      async (s, setup, opening, commands, finale) => {
        try {
          const run = await runScenario(s, setup, opening, commands, finale);
          check(run, setup.tabCount);
          for (const situation of run.reached) reached.set(situation, (reached.get(situation) ?? 0) + 1);
          runs += 1;
        } finally {
          vi.clearAllTimers();
        }
      },
    ),
    runParameters(numRuns),
  );
  if (process.env.SEED || process.env.FC_PATH) return;
  for (const name of situations) {
    const share = (reached.get(name) ?? 0) / runs;
    if (process.env.SHARES) process.stdout.write(`${name}: ${share}\n`);
    expect(share, `share of runs where ${name}`).toBeGreaterThan(0.02);
  }
}

/** Commands that neither end, refresh away nor replace a session (unmount: only of a tab not prompting). */
const quietArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      tab: tabArb,
      method: fc.constant('GET' as const),
    }),
  },
  { weight: 3, arbitrary: tickArb },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mount' as const), pick: pickArb }) },
);

describe('properties of login prompts over random interleavings of several tabs', () => {
  useTabsHooks();

  it(
    'answered, dismissed and unmounted prompts in 2–3 tabs keep every invariant, whatever the order',
    async () => {
      await assertPromptProperty(
        fc.oneof(fc.constant<Command[]>([]), tabArb.map(refusedFirst)),
        fc.array(commandArb, { minLength: 8, maxLength: 40, size: 'large' }),
        [
          'dismissal ended the session in other tabs',
          'dismissal rejected waiters in other tabs',
          'unmount with other tabs prompting',
        ],
        400,
      );
    },
    runTimeout(120_000, 400),
  );

  it(
    'a prompt answered in one tab signs every tab in and lets every waiting request through',
    async () => {
      await assertPromptProperty(
        tabArb.map(refusedFirst),
        fc
          .tuple(fc.array(quietArb, { maxLength: 8 }), pickArb, fc.array(quietArb, { maxLength: 8 }))
          .map(([before, pick, after]): Command[] => [...before, { kind: 'answer', pick }, ...after]),
        ['sign-in released other tabs'],
        150,
      );
    },
    runTimeout(120_000, 150),
  );
});
