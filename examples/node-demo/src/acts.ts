import { setTimeout as delay } from 'node:timers/promises';
import type { AuthEvent, AuthEventOf } from '@reauth/core';
import { isAxiosError } from 'axios';
import type { AuthServer } from '../../../test/support/authServer';
import { type DemoClient, route } from './client';
import type { Timeline } from './timeline';

export interface Stage {
  server: AuthServer;
  client: DemoClient;
  timeline: Timeline;
}

/** What an act measured, as one line, and every expectation it missed. */
export interface ActResult {
  summary: string;
  failures: string[];
}

const ALICE = { username: 'alice', password: 'wonderland' };
// How long the pretend user takes to fill in the login modal.
const TYPING_MS = 150;
// A refresh over a real network takes a while; on localhost it would end before most 401s even arrive.
const REFRESH_LATENCY_MS = 100;

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** Everything the server and the session recorded from now on. */
function mark({ server, client }: Stage) {
  const at = {
    requests: server.stats.requests.length,
    refreshCalls: server.stats.refreshCalls.length,
    logins: server.stats.logins,
    events: client.events.length,
  };
  return () => {
    const events = client.events.slice(at.events);
    const ofType = <T extends AuthEvent['type']>(type: T) =>
      events.filter((event): event is AuthEventOf<T> => event.type === type);
    const requests = server.stats.requests.slice(at.requests);
    return {
      ofType,
      withStatus: (status: number) => requests.filter((request) => request.status === status).length,
      refreshCalls: server.stats.refreshCalls.slice(at.refreshCalls),
      logins: server.stats.logins - at.logins,
    };
  };
}

/** Expectations as [what, measured, expected]; returns the ones that were missed. */
function check(expectations: [string, unknown, unknown][]): string[] {
  return expectations
    .filter(([, measured, expected]) => measured !== expected)
    .map(
      ([what, measured, expected]) => `${what}: expected ${String(expected)}, measured ${String(measured)}`,
    );
}

/** GETs `url` and logs what the caller gets; resolves with the HTTP status (or the error's name). */
function get({ client, timeline }: Stage, url: string): Promise<number | string> {
  const call = `api.get('${route(url)}')`;
  return client.api.get(url).then(
    (response) => {
      timeline.add('REQ', `${call} resolves: ${response.status}`, { tone: 'good' });
      return response.status;
    },
    (error: unknown) => {
      const status = isAxiosError(error) ? error.response?.status : undefined;
      const what = status ? `AxiosError, error.response.status ${status}` : String(error);
      timeline.add('REQ', `${call} rejects: ${what}`, { tone: 'bad' });
      return status ?? (error instanceof Error ? error.name : 'error');
    },
  );
}

function fire(stage: Stage, count: number): Promise<(number | string)[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => get(stage, `/api/items/${i + 1}`)));
}

/** Twenty requests meet an expired token: one refresh, twenty replays. */
export async function concurrentExpiry(stage: Stage): Promise<ActResult> {
  const { server, client, timeline } = stage;
  timeline.act('Act 1: the access token expires under 20 concurrent requests');
  server.controls.delayRefresh(REFRESH_LATENCY_MS);
  timeline.add('API', `server: refresh answers take ${REFRESH_LATENCY_MS} ms, like a real round trip`);
  client.session.signIn(await client.login(ALICE));
  await get(stage, '/api/items');
  timeline.flush();
  server.controls.expireAccessTokens();
  timeline.add('API', 'server: every access token issued so far is now expired', { tone: 'warn' });
  const seen = mark(stage);
  const statuses = await fire(stage, 20);
  timeline.flush();

  const measured = seen();
  const unauthorized = measured.withStatus(401);
  const refreshes = measured.refreshCalls.length;
  const replays = measured.ofType('requestReplayed').length;
  const ok = measured.withStatus(200);
  return {
    summary: `${unauthorized} × 401 → ${plural(refreshes, 'refresh', 'refreshes')} → ${plural(replays, 'replay')} → ${ok} × 200`,
    failures: check([
      ['401s answered by the server', unauthorized, 20],
      ['refresh calls received by the server', refreshes, 1],
      ['refresh outcome', measured.refreshCalls[0]?.outcome, 'ok'],
      ['refreshStart events', measured.ofType('refreshStart').length, 1],
      ['requestReplayed events', replays, 20],
      ['200s answered by the server', ok, 20],
      ['calls that resolved with 200', statuses.filter((status) => status === 200).length, 20],
    ]),
  };
}

/** The refresh is refused: one login prompt, and the waiting requests resume after it. */
export async function refusedRefresh(stage: Stage): Promise<ActResult> {
  const { server, client, timeline } = stage;
  timeline.act('Act 2: the refresh token is revoked; a login prompt saves the queue');
  server.controls.expireAccessTokens();
  server.controls.revokeRefreshTokens();
  timeline.add('API', 'server: access tokens expired, refresh tokens revoked', { tone: 'warn' });
  let prompts = 0;
  const unregister = client.session.onReauth(async ({ reason, signal }) => {
    prompts += 1;
    timeline.add('AUTH', `login modal opens (reason: ${reason})`, { tone: 'warn' });
    await delay(TYPING_MS, undefined, { signal });
    timeline.add('AUTH', 'alice types her password and submits the modal');
    return client.login(ALICE, signal);
  });
  const seen = mark(stage);
  const statuses = await fire(stage, 5);
  unregister();
  timeline.flush();

  const measured = seen();
  const unauthorized = measured.withStatus(401);
  const resumed = statuses.filter((status) => status === 200).length;
  const refused = measured.refreshCalls.filter((call) => call.outcome !== 'ok').length;
  return {
    summary: `${unauthorized} × 401 → ${refused ? 'refresh refused' : 'refresh NOT refused'} → ${plural(prompts, 'prompt')} → ${resumed} resumed → ${measured.withStatus(200)} × 200`,
    failures: check([
      ['401s answered by the server', unauthorized, 5],
      ['refresh calls received by the server', measured.refreshCalls.length, 1],
      ['refresh outcome', measured.refreshCalls[0]?.outcome, 'rejected'],
      ['prompts opened', prompts, 1],
      ['reauthRequired events', measured.ofType('reauthRequired').length, 1],
      ['logins', measured.logins, 1],
      ['requestReplayed events', measured.ofType('requestReplayed').length, 5],
      ['calls that resolved with 200', resumed, 5],
    ]),
  };
}

/** A 403 and an insufficient_scope 401 are not session problems: no refresh, passed to the caller. */
export async function permissionProblems(stage: Stage): Promise<ActResult> {
  const { timeline } = stage;
  timeline.act('Act 3: what a new token cannot fix (alice is not an admin)');
  const seen = mark(stage);
  const admin = await get(stage, '/api/admin');
  timeline.flush();
  const scoped = await get(stage, '/api/scoped');
  timeline.flush();

  const measured = seen();
  const [unauthorized] = measured.ofType('unauthorized');
  const refreshes = measured.refreshCalls.length;
  return {
    summary: `${admin} on /api/admin and ${scoped} (${unauthorized?.diagnosis.cause}) on /api/scoped → passed through, ${plural(refreshes, 'refresh', 'refreshes')}`,
    failures: check([
      ['/api/admin status seen by the caller', admin, 403],
      ['/api/scoped status seen by the caller', scoped, 401],
      ['diagnosis of the /api/scoped 401', unauthorized?.diagnosis.cause, 'insufficient_scope'],
      ['/api/scoped 401 handled', unauthorized?.handled, false],
      ['unauthorized events', measured.ofType('unauthorized').length, 1],
      ['refresh calls received by the server', refreshes, 0],
      ['requestReplayed events', measured.ofType('requestReplayed').length, 0],
    ]),
  };
}
