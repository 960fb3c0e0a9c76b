import type { AuthEvent, ReauthHandler, Session, SessionBaseOptions, SessionStatus } from '@reauth/core';
import fc from 'fast-check';
import { afterEach, beforeEach, vi } from 'vitest';
import { type AuthModel, createAuthModel, type ModelSetup, TOKENS_SETUP } from './authModel';
import type { Command, Method, RequestCommand } from './commands';
import { createModelSession } from './sessionModels';

// Captured before fake timers replace it: the scheduler lets every microtask chain finish between two
// scheduled events, as a browser does between two network answers or clicks.
const realSetImmediate = setImmediate;
/** Resolves on the next real macrotask, once every pending microtask chain has run. */
export const settleMicrotasks = () => new Promise<void>((resolve) => realSetImmediate(resolve));
/** A fast-check scheduler that settles microtasks after each step it releases. */
export const macrotaskScheduler = () =>
  fc.scheduler({
    act: async (f) => {
      await f();
      await settleMicrotasks();
    },
  });

export const REFRESH_TIMEOUT_MS = 60_000;
const MAX_STEPS = 2_000;

/** Everything reauth wrote to the console during a run (see {@link usePropertyHooks}). */
export const logged: string[] = [];

/** Fake timers, and console.warn/error/log recorded into {@link logged}, around each test of the block. */
export function usePropertyHooks(): void {
  beforeEach(() => {
    vi.useFakeTimers();
    for (const method of ['warn', 'error', 'log'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.join(' ')));
    }
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
}

/** An HTTP answer as the caller got it: status and parsed body. */
export interface Answered {
  status: number;
  data: { answerId: number; reqId: string; body?: unknown };
}

/** A session wired to the model through one transport. */
export interface Client {
  /** Sends one logical request; resolves with the answer the transport resolved with. */
  send(
    command: RequestCommand,
    init: { headers: Record<string, string>; signal?: AbortSignal },
  ): Promise<Answered>;
  /** POST /auth/refresh with `{ refreshToken }` (null in the cookie models), skipAuth; rejects on a non-2xx answer. */
  refresh(
    refreshToken: string | null,
    signal: AbortSignal,
    headers: Record<string, string>,
  ): Promise<unknown>;
  /** GET on {@link FOREIGN_ORIGIN}, through reauth as any request; resolves as `send` does. */
  sendForeign?(init: { headers: Record<string, string> }): Promise<Answered>;
}

/** What the properties need to know about a transport (axios, fetch). */
export interface Transport {
  /** The methods its requests use. */
  methods: readonly [Method, ...Method[]];
  /** fetch resolves with any status; axios resolves only a 2xx and rejects the rest ({@link answerOf}). */
  resolvesErrorStatuses: boolean;
  /** Options a run's session adds (a DPoP signer), made fresh for each run. */
  sessionOptions?(): SessionBaseOptions;
  /** The transport's own invariants, checked after each run ({@link withDpop}'s proofs). */
  checkRun?(run: Run): void;
  /** Puts reauth on the transport (attachAuth, createAuthFetch) over the model. */
  connect(model: AuthModel, session: Session): Client;
  /** Whether `error` is the transport's own cancel (axios CanceledError, fetch AbortError). */
  isAbort(error: unknown): boolean;
  /** The answer an HTTP error carries (axios rejects non-2xx answers with it); undefined for other errors. */
  answerOf(error: unknown): Answered | undefined;
}

export interface TrackedRequest {
  id: string;
  command: RequestCommand;
  /** Sent to {@link FOREIGN_ORIGIN} (a `foreign` command). */
  isForeign: boolean;
  /** When it was made, in the model's timeline: a first send right after it went out without waiting. */
  firedAt: number;
  controller: AbortController | null;
  abortedAt: number | null;
  /** Still pending when aborted, and still pending once the abort's microtasks ran. */
  pendingAfterAbort: boolean;
  outcome: { state: 'pending' } | ({ state: 'resolved' } & Answered) | { state: 'rejected'; error: unknown };
}

/** Everything one run did and saw, for the invariants. */
export interface Run {
  model: AuthModel;
  /** Where the session keeps its credentials. */
  setup: ModelSetup;
  requests: TrackedRequest[];
  events: AuthEvent[];
  refreshCalls: number;
  /** Expire commands that invalidated at least one live access token. */
  expiries: number;
  /** Clock advances that brought a live access token into the refresh leeway (or past its expiry). */
  leewayEntries: number;
  /** Refresh requests abandoned by the timeout (grace passed), as the model saw them. */
  abandonedByTimeout: number;
  /** signOut and logout commands, in the model's timeline. */
  signOutMarks: number[];
  /** What the session did that no model allows (a refresh token handed to `refresh` in a cookie model). */
  violations: string[];
  /** Reauth prompts answered null, and cancelReauth() calls. */
  dismissals: number;
  clockAdvances: number;
  finalStatus: SessionStatus;
}

/**
 * Runs `commands` against a session on `transport` over a fresh model, answers landing as `s` orders them.
 * @param setup the session model (default: both tokens in JS)
 */
export async function runScenario(
  s: fc.Scheduler,
  transport: Transport,
  commands: Command[],
  setup: ModelSetup = TOKENS_SETUP,
): Promise<Run> {
  logged.length = 0;
  const model = createAuthModel(s, setup);
  const session = createModelSession(
    setup,
    async (refreshToken, signal) => {
      run.refreshCalls += 1;
      return client.refresh(refreshToken, signal, { 'x-req-id': `refresh-${run.refreshCalls}` });
    },
    { refreshTimeoutMs: REFRESH_TIMEOUT_MS, ...transport.sessionOptions?.() },
    (what) => run.violations.push(what),
  );
  const run: Run = {
    model,
    setup,
    requests: [],
    events: [],
    refreshCalls: 0,
    expiries: 0,
    leewayEntries: 0,
    abandonedByTimeout: 0,
    signOutMarks: [],
    violations: [],
    dismissals: 0,
    clockAdvances: 0,
    finalStatus: 'signedIn',
  };
  session.on('*', (event) => run.events.push(event));
  model.watchClient(() => session.getState().status === 'signedOut');
  const client = transport.connect(model, session);
  session.signIn(model.login());
  const unregister: (() => void)[] = [];

  function fire(command: RequestCommand, isForeign = false): void {
    const id = `req-${run.requests.length}`;
    const controller = command.abortable ? new AbortController() : null;
    const init = { headers: { 'x-req-id': id }, ...(controller ? { signal: controller.signal } : {}) };
    const tracked: TrackedRequest = {
      id,
      command,
      isForeign,
      firedAt: model.mark(),
      controller,
      abortedAt: null,
      pendingAfterAbort: false,
      outcome: { state: 'pending' },
    };
    run.requests.push(tracked);
    const sent = isForeign ? foreign(init) : client.send(command, init);
    sent.then(
      (answered) => {
        tracked.outcome = { state: 'resolved', ...answered };
      },
      (error: unknown) => {
        tracked.outcome = { state: 'rejected', error };
      },
    );
  }

  function foreign(init: { headers: Record<string, string> }): Promise<Answered> {
    if (!client.sendForeign) throw new Error('this transport sends nothing to a foreign origin');
    return client.sendForeign(init);
  }

  async function abort(pick: number): Promise<void> {
    const open = run.requests.filter((r) => r.controller && r.abortedAt === null);
    const target = open[pick % Math.max(open.length, 1)];
    if (!target?.controller) return;
    target.abortedAt = model.mark();
    const wasPending = target.outcome.state === 'pending';
    target.controller.abort();
    await settleMicrotasks();
    target.pendingAfterAbort = wasPending && target.outcome.state === 'pending';
  }

  function advanceClock(periods: number): void {
    run.clockAdvances += 1;
    const [abortsBefore, from] = [model.stats.refreshAborts, Date.now()];
    vi.advanceTimersByTime(periods * REFRESH_TIMEOUT_MS);
    if (model.enteredLeeway(from, Date.now())) run.leewayEntries += 1;
    run.abandonedByTimeout += model.stats.refreshAborts - abortsBefore;
  }

  function reauthHandler(answer: 'tokens' | 'null'): ReauthHandler {
    return async () => {
      await s.schedule(Promise.resolve(), `reauth prompt answers ${answer}`);
      if (answer === 'tokens') return model.login();
      run.dismissals += 1;
      return null;
    };
  }

  const execute: {
    [K in Command['kind']]: (command: Extract<Command, { kind: K }>) => void | Promise<void>;
  } = {
    request: fire,
    expire: () => {
      if (model.expireAccessTokens()) run.expiries += 1;
    },
    failNextRefresh: ({ failure }) => model.failNextRefresh(failure),
    slowRefresh: () => model.slowNextRefresh(),
    abort: ({ pick }) => abort(pick),
    signOut: () => {
      run.signOutMarks.push(model.mark());
      session.signOut();
    },
    signIn: () => session.signIn(model.login()),
    onReauth: ({ answer }) => void unregister.push(session.onReauth(reauthHandler(answer))),
    offReauth: () => {
      // Unregistering the handler whose prompt is open dismisses that prompt (no one could answer it).
      if (session.getState().status === 'reauthRequired') run.dismissals += 1;
      unregister.pop()?.();
    },
    cancelReauth: () => {
      run.dismissals += 1;
      session.cancelReauth();
    },
    clock: ({ periods }) => advanceClock(periods),
    foreign: () => fire({ kind: 'request', method: 'GET', abortable: false, note: '' }, true),
    logout: () => {
      run.signOutMarks.push(model.mark());
      model.logout();
      session.signOut();
    },
    clearCookies: () => model.clearCookies(),
  };

  s.scheduleSequence(
    commands.map((command, index) => ({
      label: `#${index} ${command.kind}`,
      builder: async () => (execute[command.kind] as (command: Command) => void | Promise<void>)(command),
    })),
  );
  for (let step = 0; ; step += 1) {
    await settleMicrotasks();
    if (s.count() === 0) break;
    if (step > MAX_STEPS) throw new Error(`the schedule did not drain in ${MAX_STEPS} steps`);
    await s.waitNext(1);
  }
  run.finalStatus = session.getState().status;
  return run;
}
