import { type AuthErrorCode, isAuthError } from '@reauth/core';
import fc from 'fast-check';
import { expect, vi } from 'vitest';
import { API_ORIGIN, FOREIGN_ORIGIN, type ModelSend, type ModelSetup, type SessionModel } from './authModel';
import { type Command, commandArb } from './commands';
import {
  type Answered,
  logged,
  macrotaskScheduler,
  type Run,
  runScenario,
  type TrackedRequest,
  type Transport,
} from './scenario';
import { setupArb } from './sessionModels';

function describeOutcome(request: TrackedRequest): string {
  if (request.outcome.state !== 'rejected') return request.outcome.state;
  const error = request.outcome.error as { name?: string; code?: string; message?: string };
  return `rejected ${error?.name}(${error?.code}): ${error?.message}`;
}

/** Settling, refresh count and rotation: the session as a whole. */
export function checkSession(run: Run): void {
  const { model, requests } = run;
  const pending = requests.filter((r) => r.outcome.state === 'pending').map((r) => r.id);
  expect(pending, 'every request settles once the schedule drains').toEqual([]);
  expect(['signedIn', 'signedOut'], 'no refresh or prompt is left open').toContain(run.finalStatus);

  // A token is refreshed once it is refused (a server-side expiry) or inside the leeway (a clock advance),
  // and each such event can concern only the token current at that time: one refresh per event. Plus one
  // more per refresh that failed transiently or was abandoned after its timeout (tokens kept, so a later
  // request tries again). With a cookie that JS cannot see, one more per sign-out: signed out, a 401 tries one
  // silent refresh (the cookie may still be good); once one is refused, none until the next sign-in. Nothing
  // else refreshes.
  const silent = run.setup.sessionModel === 'tokens' ? 0 : run.signOutMarks.length;
  const allowance =
    run.expiries + run.leewayEntries + model.stats.transientFailures + run.abandonedByTimeout + silent;
  expect(run.refreshCalls, 'refresh calls ≤ expiries + transient failures').toBeLessThanOrEqual(allowance);

  expect(model.stats.reuseDetected, 'the model never detects refresh-token reuse').toBe(0);
  const presented = model.stats.refreshPresented;
  expect(new Set(presented).size, 'no refresh token is presented twice').toBe(presented.length);
}

/** Sends, replays and aborts of one logical request. */
export function checkSends(run: Run, request: TrackedRequest): void {
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
export function checkTokens(run: Run): void {
  const { model } = run;
  const { sessionModel } = run.setup;
  // Once a first send is refused while its token is current, requests wait for the refresh instead of
  // spending that token again; a token that was not current by then is not used anyway. A session cookie goes
  // wherever the jar sends it: only requests sent signed in are held back from it, and the sliding refresh
  // presents it to renew it.
  const isHeldBack = (send: ModelSend) =>
    sessionModel !== 'session' || (send.sentSignedOut === false && send.url !== '/auth/refresh');
  const refusals = model.answers.filter((a) => a.status === 401 && a.token && a.attempt === 0);
  for (const refused of refusals) {
    const reused = model.sends.filter(
      (send) => send.token === refused.token && send.seq > refused.seq && isHeldBack(send),
    );
    expect(
      reused.map((send) => send.reqId),
      'a token refused by a 401 is not sent again',
    ).toEqual([]);
  }
  // The client chooses only the tokens it holds: a cookie outlives a sign-out that did not log out.
  const isClientHeld = (send: ModelSend) =>
    sessionModel === 'tokens' || (sessionModel === 'refresh' && send.url !== '/auth/refresh');
  for (const send of model.sends.filter(isClientHeld)) {
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
  // A cookie session with no sliding refresh and no prompt: any 401 of the API.
  SESSION_EXPIRED: (run) =>
    run.model.stats.refusals > 0 ||
    (run.setup.sessionModel === 'session' &&
      !run.setup.isSliding &&
      run.model.answers.some((a) => a.status === 401 && a.origin === API_ORIGIN)),
  REFRESH_UNAVAILABLE: (run) => run.model.stats.transientFailures > 0,
  REFRESH_TIMEOUT: (run) => run.clockAdvances > 0,
  // The model's API never asks for a step-up.
  STEP_UP_CANCELLED: () => false,
  STEP_UP_REQUIRED: () => false,
};

/** An HTTP answer the request settled with (resolved, or an axios HTTP error): its own, from the model. */
function checkAnswered(
  run: Run,
  request: TrackedRequest,
  { status, data }: Answered,
  expected: number,
): void {
  const sends = run.model.sends.filter((send) => send.reqId === request.id);
  const answer = run.model.answers.find((a) => a.id === data?.answerId);
  expect(answer, `${request.id} settled with the model's answer to itself`).toMatchObject({
    reqId: request.id,
    status: expected,
  });
  // A foreign origin's 401 is never handled (see checkCredentials).
  if (status === 401 && sends.length === 1 && !request.isForeign) {
    if (run.setup.sessionModel === 'session') {
      expect(
        sends[0]?.sentSignedOut,
        `${request.id}: a 401 passes through unreplayed only when sent signed out`,
      ).toBe(true);
    } else {
      expect(
        sends[0]?.token,
        `${request.id}: a 401 passes through unreplayed only when sent signed out`,
      ).toBeNull();
    }
  }
  if (status === 200 && request.command.method !== 'GET') {
    expect(JSON.parse(String(data.body)), `${request.id} sent its own body`).toEqual(request.command);
  }
}

/** How one request settled: the model's answer to it, an AuthError with a cause in the run, or its abort. */
export function checkOutcome(run: Run, transport: Transport, request: TrackedRequest): void {
  const { outcome } = request;
  if (outcome.state === 'resolved') {
    // axios resolves only a 2xx (the model's 200); fetch resolves whatever the model answered.
    checkAnswered(run, request, outcome, transport.resolvesErrorStatuses ? outcome.status : 200);
    return;
  }
  if (outcome.state !== 'rejected') return;
  const { error } = outcome;
  if (transport.isAbort(error)) {
    expect(request.abortedAt, `${request.id} is canceled only after its abort`).not.toBeNull();
    return;
  }
  if (isAuthError(error)) {
    expect(AUTH_ERROR_CAUSES[error.code](run), `${request.id} ${describeOutcome(request)} has a cause`).toBe(
      true,
    );
    return;
  }
  const answered = transport.answerOf(error);
  expect(
    answered,
    `${request.id} ${describeOutcome(request)}: only its HTTP answer, an AuthError or its abort`,
  ).toBeDefined();
  if (answered) checkAnswered(run, request, answered, answered.status);
}

/**
 * Where credentials may go: no `Authorization` header ever in the `session` model, no token to a foreign origin
 * (each foreign request sent once, its 401 handed back unhandled; the jar's cookies are the API's alone), no
 * refresh token handed to `refresh` in a cookie model.
 */
export function checkCredentials(run: Run): void {
  const { model } = run;
  expect(run.violations, 'the session keeps to its model').toEqual([]);
  if (run.setup.sessionModel === 'session') {
    const withHeader = model.sends.filter((send) => send.bearer !== null).map((send) => send.reqId);
    expect(withHeader, "no Authorization header is ever sent with cookies: 'session'").toEqual([]);
  }
  const leaked = model.sends.filter((send) => send.origin !== API_ORIGIN && send.bearer !== null);
  expect(
    leaked.map((send) => send.reqId),
    'no token is sent to a foreign origin',
  ).toEqual([]);
  for (const request of run.requests.filter((r) => r.isForeign)) {
    const sends = model.sends.filter((send) => send.reqId === request.id);
    expect(
      sends.map((send) => send.origin),
      `${request.id} goes to the foreign origin once, never replayed`,
    ).toEqual([FOREIGN_ORIGIN]);
  }
}

/** One run and every check of it. */
async function checkRun(
  s: fc.Scheduler,
  transport: Transport,
  commands: Command[],
  setup?: ModelSetup,
): Promise<void> {
  try {
    const run = await runScenario(s, transport, commands, setup);
    checkSession(run);
    for (const request of run.requests) {
      checkSends(run, request);
      checkOutcome(run, transport, request);
    }
    checkTokens(run);
    if (setup) checkCredentials(run);
    transport.checkRun?.(run);
  } finally {
    vi.clearAllTimers();
  }
}

const commandsArb = (transport: Transport, sessionModel?: SessionModel) =>
  fc.array(commandArb(transport.methods, sessionModel), { minLength: 3, maxLength: 20, size: 'medium' });

/**
 * The property: whatever order answers, expiries, aborts, sign-outs and prompts land in, a session on
 * `transport` keeps every invariant (every request settles, refreshes ≤ expiries, no refresh token sent
 * twice, no request sent more than twice, no token leaked, each outcome explained by the run).
 */
export function interleavingsProperty(transport: Transport) {
  return fc.asyncProperty(macrotaskScheduler(), commandsArb(transport), (s, commands) =>
    checkRun(s, transport, commands),
  );
}

/**
 * {@link interleavingsProperty} in a session model: the same invariants, requests to a foreign origin and the
 * model's own actions (logout, a forgotten cookie) among the commands, and {@link checkCredentials}.
 * @example await fc.assert(sessionModelProperty(axiosTransport, 'session'), { numRuns: 200 });
 */
export function sessionModelProperty(transport: Transport, sessionModel: SessionModel) {
  return fc.asyncProperty(
    macrotaskScheduler(),
    setupArb(sessionModel),
    commandsArb(transport, sessionModel),
    (s, setup, commands) => checkRun(s, transport, commands, setup),
  );
}
