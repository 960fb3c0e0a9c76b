import {
  type AuthErrorCode,
  type AuthEvent,
  createSession,
  isAuthError,
  type ReauthHandler,
  type SessionStatus,
} from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPropertyModel, type PropertyModel, type RefreshFailure } from './support/propertyModel';

// Captured before fake timers replace it: the scheduler lets every microtask chain finish between two
// scheduled events, as a browser does between two network answers or clicks.
const realSetImmediate = setImmediate;
const settleMicrotasks = () => new Promise<void>((resolve) => realSetImmediate(resolve));
const macrotaskScheduler = () =>
  fc.scheduler({
    act: async (f) => {
      await f();
      await settleMicrotasks();
    },
  });

const REFRESH_TIMEOUT_MS = 60_000;
/** Everything reauth wrote to the console during the properties. */
const logged: string[] = [];
const MAX_STEPS = 2_000;

/** GET: the hot path; POST: a string body; PUT: bytes, built into a Request; PATCH: a Request as input. */
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
const API = 'https://api.test';

type Command =
  | { kind: 'request'; method: Method; abortable: boolean; note: string }
  | { kind: 'expire' }
  | { kind: 'failNextRefresh'; failure: RefreshFailure }
  | { kind: 'slowRefresh' }
  | { kind: 'abort'; pick: number }
  | { kind: 'signOut' }
  | { kind: 'signIn' }
  | { kind: 'onReauth'; answer: 'tokens' | 'null' }
  | { kind: 'offReauth' }
  | { kind: 'cancelReauth' }
  | { kind: 'clock'; periods: 1 | 2 };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      method: fc.constantFrom<Method>('GET', 'POST', 'PUT', 'PATCH'),
      abortable: fc.boolean(),
      note: fc.string({ maxLength: 4 }),
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: 'expire' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('failNextRefresh' as const),
      failure: fc.constantFrom<RefreshFailure>('unavailable', 'network', 'refused'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'slowRefresh' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'signOut' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'signIn' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('onReauth' as const),
      answer: fc.constantFrom('tokens' as const, 'null' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'offReauth' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancelReauth' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('clock' as const),
      periods: fc.constantFrom(1 as const, 2 as const),
    }),
  },
);

interface TrackedRequest {
  id: string;
  command: Extract<Command, { kind: 'request' }>;
  controller: AbortController | null;
  abortedAt: number | null;
  /** Still pending when aborted, and still pending once the abort's microtasks ran. */
  pendingAfterAbort: boolean;
  outcome:
    | { state: 'pending' }
    | { state: 'resolved'; status: number; data: { answerId: number; reqId: string; body?: unknown } }
    | { state: 'rejected'; error: unknown };
}

/** Everything one run did and saw, for the invariants. */
interface Run {
  model: PropertyModel;
  requests: TrackedRequest[];
  events: AuthEvent[];
  refreshCalls: number;
  /** Expire commands that invalidated at least one live access token. */
  expiries: number;
  /** Clock advances that brought a live access token into the refresh leeway (or past its expiry). */
  leewayEntries: number;
  /** Refresh requests abandoned by the timeout (grace passed), as the model saw them. */
  abandonedByTimeout: number;
  signOutMarks: number[];
  /** Reauth prompts answered null, and cancelReauth() calls. */
  dismissals: number;
  clockAdvances: number;
  finalStatus: SessionStatus;
}

async function runScenario(s: fc.Scheduler, commands: Command[]): Promise<Run> {
  logged.length = 0;
  const model = createPropertyModel(s);
  const session = createSession({
    refresh: async ({ refreshToken, signal }) => {
      run.refreshCalls += 1;
      const headers = { 'x-req-id': `refresh-${run.refreshCalls}` };
      const body = JSON.stringify({ refreshToken });
      const response = await authFetch(`${API}/auth/refresh`, {
        method: 'POST',
        body,
        skipAuth: true,
        signal,
        headers,
      });
      if (!response.ok) throw response; // isRefreshRejected reads its status
      return response.json();
    },
    refreshTimeoutMs: REFRESH_TIMEOUT_MS,
  });
  const run: Run = {
    model,
    requests: [],
    events: [],
    refreshCalls: 0,
    expiries: 0,
    leewayEntries: 0,
    abandonedByTimeout: 0,
    signOutMarks: [],
    dismissals: 0,
    clockAdvances: 0,
    finalStatus: 'signedIn',
  };
  session.on('*', (event) => run.events.push(event));
  const authFetch = createAuthFetch(session, { fetch: model.fetch, allowedOrigins: [API] });
  session.signIn(model.login());
  const unregister: (() => void)[] = [];

  function fire(command: Extract<Command, { kind: 'request' }>): void {
    const id = `req-${run.requests.length}`;
    const controller = command.abortable ? new AbortController() : null;
    const init = { headers: { 'x-req-id': id }, ...(controller ? { signal: controller.signal } : {}) };
    const tracked: TrackedRequest = {
      id,
      command,
      controller,
      abortedAt: null,
      pendingAfterAbort: false,
      outcome: { state: 'pending' },
    };
    run.requests.push(tracked);
    const body = JSON.stringify(command);
    const { method } = command;
    const sent =
      method === 'GET'
        ? authFetch(`${API}/items`, init)
        : method === 'POST'
          ? authFetch(`${API}/echo`, { ...init, method, body })
          : method === 'PUT'
            ? authFetch(`${API}/echo`, { ...init, method, body: new TextEncoder().encode(body) })
            : authFetch(new Request(`${API}/echo`, { ...init, method, body }));
    sent.then(
      async (response) => {
        const { status } = response;
        tracked.outcome = { state: 'resolved', status, data: await response.json() };
      },
      (error: unknown) => {
        tracked.outcome = { state: 'rejected', error };
      },
    );
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

function describeOutcome(request: TrackedRequest): string {
  if (request.outcome.state !== 'rejected') return request.outcome.state;
  const error = request.outcome.error as { name?: string; code?: string; message?: string };
  return `rejected ${error?.name}(${error?.code}): ${error?.message}`;
}

/** Settling, refresh count and rotation: the session as a whole. */
function checkSession(run: Run): void {
  const { model, requests } = run;
  const pending = requests.filter((r) => r.outcome.state === 'pending').map((r) => r.id);
  expect(pending, 'every request settles once the schedule drains').toEqual([]);
  expect(['signedIn', 'signedOut'], 'no refresh or prompt is left open').toContain(run.finalStatus);

  // A token is refreshed once it is refused (a server-side expiry) or inside the leeway (a clock advance),
  // and each such event can concern only the token current at that time: one refresh per event. Plus one
  // more per refresh that failed transiently or was abandoned after its timeout (tokens kept, so a later
  // request tries again). Nothing else refreshes.
  const allowance = run.expiries + run.leewayEntries + model.stats.transientFailures + run.abandonedByTimeout;
  expect(run.refreshCalls, 'refresh calls ≤ expiries + transient failures').toBeLessThanOrEqual(allowance);

  expect(model.stats.reuseDetected, 'the model never detects refresh-token reuse').toBe(0);
  const presented = model.stats.refreshPresented;
  expect(new Set(presented).size, 'no refresh token is presented twice').toBe(presented.length);
}

/** Sends, replays and aborts of one logical request. */
function checkSends(run: Run, request: TrackedRequest): void {
  const sends = run.model.sends.filter((send) => send.reqId === request.id);
  expect(sends.length, `${request.id} is sent at most 1 + maxRetries times`).toBeLessThanOrEqual(2);
  const bodies = new Set(sends.map((send) => send.data));
  expect(bodies.size, `${request.id} replays the same bytes`).toBeLessThanOrEqual(1);
  const [first, replay] = sends;
  if (first && replay) {
    expect(replay.token, `${request.id} replays with a new token`).not.toBe(first.token);
    expect(replay.token, `${request.id} replays with a token`).not.toBeNull();
  }
  expect(request.pendingAfterAbort, `${request.id} settles as soon as it is aborted`).toBe(false);
  if (request.abortedAt !== null) {
    const late = sends.filter((send) => send.seq > (request.abortedAt ?? 0));
    expect(late, `${request.id} is never sent after its abort`).toEqual([]);
  }
}

/** Which token each send carried, and where token strings must never appear. */
function checkTokens(run: Run): void {
  const { model } = run;
  // Once a first send is refused while its token is current, requests wait for the refresh instead of
  // spending that token again; a token that was not current by then is not used anyway.
  for (const refused of model.answers.filter((a) => a.status === 401 && a.token && a.attempt === 0)) {
    const reused = model.sends.filter((send) => send.token === refused.token && send.seq > refused.seq);
    expect(
      reused.map((send) => send.reqId),
      'a token refused by a 401 is not sent again',
    ).toEqual([]);
  }
  for (const send of model.sends) {
    const issued = send.token === null ? undefined : model.issued.get(send.token);
    if (!issued) continue;
    const endedBetween = run.signOutMarks.filter((mark) => mark > issued.issuedAt && mark < send.seq);
    expect(endedBetween, `${send.reqId} carries no token issued before a sign-out`).toEqual([]);
  }
  const authErrors = run.requests.flatMap((r) =>
    r.outcome.state === 'rejected' && isAuthError(r.outcome.error) ? [r.outcome.error] : [],
  );
  const visible = [JSON.stringify(run.events, errorsAsText), ...authErrors.map((e) => e.message), ...logged];
  const leaked = [...model.issued.keys()].filter((token) => visible.some((text) => text.includes(token)));
  expect(leaked, 'no token string appears in events, AuthError messages or logs').toEqual([]);
}

/** JSON.stringify drops an Error's message and cause; keep what a listener could show. */
function errorsAsText(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const { cause } = value as { cause?: unknown };
  return {
    name: value.name,
    message: value.message,
    code: (value as { code?: unknown }).code,
    cause: cause instanceof Error ? cause.message : undefined,
  };
}

/** What must have happened in the run for a request to reject with each AuthError code. */
const AUTH_ERROR_CAUSES: Record<AuthErrorCode, (run: Run) => boolean> = {
  SIGNED_OUT: (run) => run.signOutMarks.length > 0,
  REAUTH_CANCELLED: (run) => run.dismissals > 0,
  SESSION_EXPIRED: (run) => run.model.stats.refusals > 0,
  REFRESH_UNAVAILABLE: (run) => run.model.stats.transientFailures > 0,
  REFRESH_TIMEOUT: (run) => run.clockAdvances > 0,
};

function checkOutcome(run: Run, request: TrackedRequest): void {
  const { outcome } = request;
  const sends = run.model.sends.filter((send) => send.reqId === request.id);
  if (outcome.state === 'resolved') {
    const { data, status } = outcome;
    const answer = run.model.answers.find((a) => a.id === data.answerId);
    expect(answer, `${request.id} resolved with the model's answer to itself`).toMatchObject({
      reqId: request.id,
      status,
    });
    if (status === 401 && sends.length === 1) {
      expect(
        sends[0]?.token,
        `${request.id}: a 401 is handed back unreplayed only when sent signed out`,
      ).toBeNull();
    }
    if (status === 200 && request.command.method !== 'GET') {
      expect(JSON.parse(String(data.body)), `${request.id} sent its own body`).toEqual(request.command);
    }
    return;
  }
  if (outcome.state !== 'rejected') return;
  const { error } = outcome;
  if (error instanceof DOMException && error.name === 'AbortError') {
    expect(request.abortedAt, `${request.id} is aborted only after its abort`).not.toBeNull();
    return;
  }
  expect(
    isAuthError(error),
    `${request.id} ${describeOutcome(request)}: only a Response, AuthError or abort`,
  ).toBe(true);
  if (isAuthError(error)) {
    expect(AUTH_ERROR_CAUSES[error.code](run), `${request.id} ${describeOutcome(request)} has a cause`).toBe(
      true,
    );
  }
}

describe('properties over random interleavings', () => {
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

  it('fetch + session hold every invariant whatever order answers, expiries, aborts and sign-outs land in', async () => {
    await fc.assert(
      fc.asyncProperty(
        macrotaskScheduler(),
        fc.array(commandArb, { minLength: 3, maxLength: 20, size: 'medium' }),
        async (s, commands) => {
          try {
            const run = await runScenario(s, commands);
            checkSession(run);
            for (const request of run.requests) {
              checkSends(run, request);
              checkOutcome(run, request);
            }
            checkTokens(run);
          } finally {
            vi.clearAllTimers();
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});
