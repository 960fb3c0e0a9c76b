import { attachAuth } from '@reauth/axios';
import {
  type AuthEvent,
  type CookieSessionInput,
  isAuthError,
  type Session,
  type StorageLike,
  type TokensInput,
} from '@reauth/core';
import axios, { type AxiosInstance } from 'axios';
import fc from 'fast-check';
import { afterEach, expect, vi } from 'vitest';
import {
  createPropertyModel,
  type PropertyModel,
  type RefreshFailure,
} from '../../../packages/axios/src/__tests__/support/propertyModel';
import { FakeChannel, stubBroadcastChannel } from '../../../packages/core/src/__tests__/support/fakeChannel';
import { API_ORIGIN, type ModelSetup, TOKENS_SETUP } from './authModel';
import { logged, REFRESH_TIMEOUT_MS, settleMicrotasks, usePropertyHooks } from './scenario';
import { createModelSession } from './sessionModels';

// What the cross-tab properties (test/crossTab) share: 2–3 tabs of one origin over one model server, one fake
// channel and one lock, one axios instance and session per tab; the commands every such run knows, the drain,
// and the end-of-run invariants. Imported by path (not through index.ts): it needs axios and the fake channel.
// In the cookie models the model is the browser's one cookie jar too, which every tab shares.

/** The commands of a run over several tabs; a `tab` is taken modulo the number of tabs. */
export type TabCommand =
  | { kind: 'request'; tab: number; method: 'GET' | 'POST' }
  | { kind: 'expire' }
  | { kind: 'failNextRefresh'; failure: RefreshFailure }
  | { kind: 'slowRefresh' }
  | { kind: 'signOut'; tab: number }
  | { kind: 'signIn'; tab: number }
  /** Cookie models: the app's logout in one tab (the server revokes the cookie's family, the jar drops it). */
  | { kind: 'logout'; tab: number }
  | { kind: 'tick'; ms: number }
  /** Time moves `periods` (default 1) refresh timeouts at once. */
  | { kind: 'clock'; periods?: 1 | 2 };

/** A tab of the run, taken modulo their number. */
export const tabArb = fc.nat(2);
/** A GET or POST in a random tab. */
export const requestArb = fc.record({
  kind: fc.constant('request' as const),
  tab: tabArb,
  method: fc.constantFrom('GET' as const, 'POST' as const),
});
/** Time passes: 1–40 ms, for messages between tabs and leases. */
export const tickArb = fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 40 }) });
export const expireArb = fc.constant({ kind: 'expire' as const });
export const slowRefreshArb = fc.constant({ kind: 'slowRefresh' as const });
/** The next refresh fails in one of `failures` (repeat one to make it likelier). */
export const failNextRefreshArb = (...failures: RefreshFailure[]) =>
  fc.record({ kind: fc.constant('failNextRefresh' as const), failure: fc.constantFrom(...failures) });
export const signInArb = fc.record({ kind: fc.constant('signIn' as const), tab: tabArb });
export const signOutArb = fc.record({ kind: fc.constant('signOut' as const), tab: tabArb });
export const logoutArb = fc.record({ kind: fc.constant('logout' as const), tab: tabArb });

export interface Tab {
  index: number;
  api: AxiosInstance;
  session: Session;
}
export interface TabRequest {
  id: string;
  tab: number;
  issuedAt: number;
  outcome: { state: 'pending' } | { state: 'resolved' } | { state: 'rejected'; error: unknown };
}
/** Everything a run over several tabs did and saw, for the invariants. */
export interface TabsRun<T extends Tab = Tab> {
  model: PropertyModel;
  /** Where the sessions keep their credentials. */
  setup: ModelSetup;
  tabs: T[];
  requests: TabRequest[];
  events: AuthEvent[];
  expiries: number;
  leewayEntries: number;
  abandonedByTimeout: number;
  refreshCalls: number;
  /** signOut and logout commands. */
  signOuts: number;
  /** What a session did that no model allows (a refresh token handed to `refresh` in a cookie model). */
  violations: string[];
}

/** Web Locks as a browser gives them: first come first served, across the tabs of this process. */
function webLocks() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    request(_name: string, { signal }: { signal?: AbortSignal }, callback: () => Promise<unknown>) {
      const run = tail.then(() => (signal?.aborted ? Promise.reject(signal.reason) : callback()));
      tail = run.catch(() => {});
      return run;
    },
  };
}

/** Fake timers, the console recorded into `logged`, and globals (channel, locks) restored after each test. */
export function useTabsHooks(): void {
  usePropertyHooks();
  afterEach(() => {
    vi.unstubAllGlobals();
  });
}

/**
 * Starts a run: a fake channel, the lease lock or Web Locks (news between tabs `channelDelayMs` late), ids
 * the same from run to run, and a fresh model (in `setup`'s session model, default both tokens in JS). Open its
 * tabs with {@link openTab}.
 * @param s the scheduler the model's answers land by
 * @returns the run, with no tab yet
 * @example const run = { ...startTabsRun(s, { isWebLocks: false }), tabs: [] as Tab[] };
 */
export function startTabsRun(
  s: fc.Scheduler,
  {
    isWebLocks,
    channelDelayMs = 0,
    setup = TOKENS_SETUP,
  }: { isWebLocks: boolean; channelDelayMs?: number; setup?: ModelSetup },
): Omit<TabsRun, 'tabs'> {
  logged.length = 0;
  stubBroadcastChannel();
  FakeChannel.delayMs = channelDelayMs;
  if (isWebLocks) vi.stubGlobal('navigator', { locks: webLocks() });
  // Lease and generation ids break ties between tabs acting in the same millisecond: make them the same
  // from run to run.
  let random = 0;
  vi.spyOn(Math, 'random').mockImplementation(() => {
    random = (random * 9301 + 49297) % 233280;
    return random / 233280;
  });
  const model = createPropertyModel(s, setup);
  return {
    model,
    setup,
    requests: [],
    events: [],
    expiries: 0,
    leewayEntries: 0,
    abandonedByTimeout: 0,
    refreshCalls: 0,
    signOuts: 0,
    violations: [],
  };
}

/**
 * Opens tab `index` of the run: an axios instance on the model and a cross-tab session (in the run's session
 * model) attached to it.
 * @param storage the tab's own storage; without it, the session's default memory storage
 * @returns the tab, not yet in `run.tabs`
 * @example run.tabs.push(openTab(run, 0, { storageKey: 'property' }));
 */
export function openTab(
  run: Omit<TabsRun, 'tabs'>,
  index: number,
  { storageKey, storage }: { storageKey: string; storage?: StorageLike },
): Tab {
  const api = axios.create({ baseURL: API_ORIGIN, adapter: run.model.adapter });
  const session = createModelSession(
    run.setup,
    async (refreshToken, signal) => {
      run.refreshCalls += 1;
      const headers = { 'x-req-id': `refresh-${run.refreshCalls}` };
      return (await api.post('/auth/refresh', { refreshToken }, { skipAuth: true, signal, headers })).data;
    },
    { refreshTimeoutMs: REFRESH_TIMEOUT_MS, ...(storage ? { storage } : {}), storageKey, crossTab: true },
    (what) => run.violations.push(`tab ${index}: ${what}`),
  );
  session.on('*', (event) => run.events.push(event));
  attachAuth(api, session);
  return { index, api, session };
}

/**
 * Runs one command on its tab (`tab` modulo the tabs) and records what the invariants need.
 * @param tokens what a signIn signs in with (default: a new login from the model)
 * @returns a promise for the commands that let time pass
 * @example executeTabCommand(run, { kind: 'expire' });
 */
export function executeTabCommand(
  run: TabsRun,
  command: TabCommand,
  tokens?: TokensInput | CookieSessionInput,
): void | Promise<void> {
  const { model } = run;
  const tab = (index: number) => run.tabs[index % run.tabs.length] as Tab;
  switch (command.kind) {
    case 'request': {
      const { index, api } = tab(command.tab);
      const id = `t${index}-req-${run.requests.length}`;
      const tracked: TabRequest = { id, tab: index, issuedAt: Date.now(), outcome: { state: 'pending' } };
      run.requests.push(tracked);
      const config = { headers: { 'x-req-id': id } };
      const sent = command.method === 'GET' ? api.get('/items', config) : api.post('/echo', command, config);
      sent.then(
        () => Object.assign(tracked, { outcome: { state: 'resolved' } }),
        (error: unknown) => Object.assign(tracked, { outcome: { state: 'rejected', error } }),
      );
      return;
    }
    case 'expire':
      if (model.expireAccessTokens()) run.expiries += 1;
      return;
    case 'failNextRefresh':
      return model.failNextRefresh(command.failure);
    case 'slowRefresh':
      return model.slowNextRefresh();
    case 'signOut':
      run.signOuts += 1;
      return tab(command.tab).session.signOut();
    case 'logout':
      run.signOuts += 1;
      model.logout();
      return tab(command.tab).session.signOut();
    case 'signIn':
      return tab(command.tab).session.signIn(tokens ?? model.login());
    case 'tick':
      return vi.advanceTimersByTimeAsync(command.ms).then(() => {});
    case 'clock': {
      const [abortsBefore, from] = [model.stats.refreshAborts, Date.now()];
      vi.advanceTimersByTime((command.periods ?? 1) * REFRESH_TIMEOUT_MS);
      if (model.enteredLeeway(from, Date.now())) run.leewayEntries += 1;
      run.abandonedByTimeout += model.stats.refreshAborts - abortsBefore;
    }
  }
}

/**
 * Answers as the scheduler releases them; when it has none, time passes (10 ms steps) for messages and
 * leases. While `isWaiting`, time passes up to refreshTimeoutMs more, not longer: it stops a step after that.
 * @param onStep called once the microtasks of each step ran (checks that hold at every step)
 * @returns once the run is quiet
 * @example await drainTabs(s, { maxSteps: 10_000, isWaiting: () => false });
 */
export async function drainTabs(
  s: fc.Scheduler,
  { maxSteps, isWaiting, onStep }: { maxSteps: number; isWaiting: () => boolean; onStep?: () => void },
): Promise<void> {
  for (let step = 0, idle = 0; idle < 20 || (isWaiting() && idle < REFRESH_TIMEOUT_MS / 10 + 1); step += 1) {
    if (step > maxSteps) throw new Error(`the schedule did not drain in ${maxSteps} steps`);
    await settleMicrotasks();
    onStep?.();
    if (s.count() > 0) {
      idle = 0;
      await s.waitNext(1);
    } else {
      idle += 1;
      await vi.advanceTimersByTimeAsync(10);
    }
  }
}

/** Every request settled. */
export function checkSettled({ requests }: TabsRun): void {
  const pending = requests.filter((r) => r.outcome.state === 'pending').map((r) => r.id);
  expect(pending, 'every request settles').toEqual([]);
}

/**
 * One refresh per event that calls for one, across all tabs (after a transient failure or an abandoned
 * refresh, each tab may try again once), and no refresh token presented twice (in the cookie models: no rotated
 * cookie presented again).
 * @param isNewsInstant false when news between tabs takes time: a tab may refresh a session another replaced
 */
export function checkRefreshes(run: TabsRun, tabCount: number, isNewsInstant = true): void {
  const { model } = run;
  const retries = (model.stats.transientFailures + run.abandonedByTimeout) * tabCount;
  // With a cookie JS cannot see, a signed-out tab's 401 tries one silent refresh (the cookie may still be good).
  // Each tab tries its own after a sign-out: a signed-out tab takes no other tab's refresh result.
  const silent = run.setup.sessionModel === 'tokens' ? 0 : run.signOuts * tabCount;
  if (isNewsInstant) {
    expect(run.refreshCalls, 'refreshes ≤ expiries (across tabs)').toBeLessThanOrEqual(
      run.expiries + run.leewayEntries + retries + silent,
    );
  }
  expect(model.stats.reuseDetected, 'the model never detects reuse').toBe(0);
  // With cookies, a cookie the server refused may be presented again by a tab that had not heard of the refusal
  // (a sign-in crossing the refusal, news late by tens of ms): refused again, and no rotated cookie is ever
  // presented (no reuse detected, above). A silent refresh waiting for the lock is dropped on the refusal's news.
  if (run.setup.sessionModel !== 'tokens' && !isNewsInstant) return;
  const presented = model.stats.refreshPresented;
  expect(new Set(presented).size, 'no refresh token is presented twice').toBe(presented.length);
}

/**
 * The cookie models: no refresh token handed to `refresh`, no `Authorization` header with a cookie session; with
 * a refresh cookie, a replay always carries another access token than its first send.
 */
export function checkCookieModel(run: TabsRun): void {
  const { model } = run;
  expect(run.violations, 'the sessions keep to their model').toEqual([]);
  if (run.setup.sessionModel === 'session') {
    const withHeader = model.sends.filter((send) => send.bearer !== null).map((send) => send.reqId);
    expect(withHeader, "no Authorization header is ever sent with cookies: 'session'").toEqual([]);
    // Not the replay's new cookie (a known limit, issue 17's note): a tab that has not heard of another's sign-in
    // sends the new cookie under its older generation; a 401 on it is taken for a late one and replayed at once,
    // with that same cookie (its second 401 goes back to the caller).
    return;
  }
  for (const request of run.requests) {
    const [first, replay] = model.sends.filter((send) => send.reqId === request.id);
    if (first && replay) {
      expect(replay.token, `${request.id} replays with a new access token`).not.toBe(first.token);
    }
  }
}

/** No token string in the events, the AuthError messages or the console. */
export function checkNoTokenLeaked({ model, requests, events }: TabsRun): void {
  const authErrors = requests.flatMap((r) =>
    r.outcome.state === 'rejected' && isAuthError(r.outcome.error) ? [r.outcome.error.message] : [],
  );
  const visible = [JSON.stringify(events), ...authErrors, ...logged];
  const leaked = [...model.issued.keys()].filter((token) => visible.some((text) => text.includes(token)));
  expect(leaked, 'no token in events, errors or logs').toEqual([]);
}

export { runParameters, runTimeout } from '../runParameters';
