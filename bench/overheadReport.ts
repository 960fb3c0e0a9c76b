import {
  createAuthRefreshClient,
  createAxiosJwtClient,
  createBareClient,
  createHeaderClient,
  createReauthClient,
} from './clients';
import { createHeaderFetch, createReauthFetch } from './fetchClients';
import { answerOkAtOnce, BASE_URL, fetchOkAtOnce, tokenValidFor } from './mockApi';
import { measureOverhead, type OverheadSettings, type OverheadTask, ratioSpread } from './overhead';
import { fixed, formatTable, percent, percentWithRange, thousands } from './table';

/** From the issue: reauth may add at most 10 % to a bare request. */
const TARGET = 0.1;
/** Task order in both suites: bare, hand-written header, reauth, then the anchors. */
const [BARE, HEADER, REAUTH] = [0, 1, 2];

const token = tokenValidFor(3600, 'bench');
const tokens = { accessToken: token, refreshToken: 'refresh-0' };

async function axiosTasks(): Promise<OverheadTask[]> {
  const clients = [
    ['axios, bare', createBareClient(answerOkAtOnce)],
    ['axios + header interceptor', createHeaderClient(answerOkAtOnce, token)],
    ['reauth attachAuth', createReauthClient(answerOkAtOnce, tokens)],
    ['axios-auth-refresh', createAuthRefreshClient(answerOkAtOnce, tokens, {})],
    ['axios-jwt', await createAxiosJwtClient(answerOkAtOnce, tokens)],
  ] as const;
  return clients.map(([name, client]) => ({ name, send: () => client.get('/api/items') }));
}

function fetchTasks(): OverheadTask[] {
  const url = `${BASE_URL}/api/items`;
  const clients = [
    ['fetch, bare', fetchOkAtOnce],
    ['fetch + header wrapper', createHeaderFetch(fetchOkAtOnce, token)],
    ['reauth createAuthFetch', createReauthFetch(fetchOkAtOnce, tokens)],
  ] as const;
  return clients.map(([name, send]) => ({ name, send: () => send(url) }));
}

async function reportSuite(title: string, tasks: OverheadTask[], settings: OverheadSettings) {
  console.log(
    `${title}: ${settings.rounds} rounds x ${settings.timeMs} ms per client, order rotated each round`,
  );
  const { tasks: summaries, rounds } = await measureOverhead(tasks, settings);
  const wallVsBare = tasks.map((_, index) => ratioSpread(rounds, 'meanUs', index, BARE));
  const cpuVsBare = tasks.map((_, index) => ratioSpread(rounds, 'cpuUs', index, BARE));
  console.log(
    formatTable(
      ['client', 'ops/s', 'mean µs', 'p99 µs', 'wall time vs bare', 'CPU µs', 'CPU time vs bare'],
      summaries.map((task, index) => [
        task.name,
        thousands(task.opsPerSec),
        fixed(task.meanUs),
        fixed(task.p99Us),
        percentWithRange(wallVsBare[index]!),
        fixed(task.cpuUs),
        percentWithRange(cpuVsBare[index]!),
      ]),
    ),
  );
  const reauthVsHeader = {
    wall: ratioSpread(rounds, 'meanUs', REAUTH, HEADER),
    cpu: ratioSpread(rounds, 'cpuUs', REAUTH, HEADER),
  };
  console.log(
    `vs bare: median of the per-round ratios [min, max across rounds]; reauth vs the hand-written header: ` +
      `wall ${percentWithRange(reauthVsHeader.wall)}, CPU ${percentWithRange(reauthVsHeader.cpu)}`,
  );
  const [wall, cpu] = [wallVsBare[REAUTH]!.median, cpuVsBare[REAUTH]!.median];
  const met = Math.max(wall, cpu) - 1 < TARGET;
  const addedCpuUs = summaries[REAUTH]!.cpuUs - summaries[BARE]!.cpuUs;
  console.log(
    `Target "${tasks[REAUTH]!.name} overhead under 10 % of ${tasks[BARE]!.name}": ${met ? 'MET' : 'NOT MET'} ` +
      `(median wall ${percent(wall)}, CPU ${percent(cpu)}: ${fixed(addedCpuUs)} µs of CPU per request)\n`,
  );
  return {
    tasks: summaries.map((task, index) => ({
      ...task,
      wallVsBare: wallVsBare[index]!,
      cpuVsBare: cpuVsBare[index]!,
    })),
    reauthVsHeader,
    target: { limit: TARGET, wall: wall - 1, cpu: cpu - 1, addedCpuUs, met },
    rounds,
  };
}

/**
 * 1. Per-request overhead, axios then fetch: every client signed in with a valid token, every transport
 * answering 200 at once. Prints the tables and the verdicts; returns the figures for latest.json.
 */
export async function reportOverhead(settings: OverheadSettings) {
  const axios = await reportSuite('1a. Per-request overhead, axios', await axiosTasks(), settings);
  const fetch = await reportSuite('1b. Per-request overhead, fetch', fetchTasks(), settings);
  return { settings, axios, fetch };
}
