import { createAuthRefreshClient, createBareClient, createHeaderClient, createReauthClient } from './clients';
import { answerOkAtOnce, tokenValidFor } from './mockApi';
import { measureOverhead, type OverheadSettings, type OverheadTask, ratioSpread } from './overhead';
import { fixed, formatTable, percent, percentWithRange, thousands } from './table';

/** From the issue: attachAuth may add at most 10 % to a bare axios request. */
const TARGET = 0.1;

/**
 * 1. Per-request overhead: every client signed in with a valid token, every adapter answering 200 at once.
 * Prints the table and the verdict; returns the figures for latest.json.
 */
export async function reportOverhead(settings: OverheadSettings) {
  const token = tokenValidFor(3600, 'bench');
  const tokens = { accessToken: token, refreshToken: 'refresh-0' };
  const [BARE, HEADER, REAUTH] = [0, 1, 2];
  const tasks: OverheadTask[] = [
    { name: 'axios, bare', client: createBareClient(answerOkAtOnce) },
    { name: 'axios + header interceptor', client: createHeaderClient(answerOkAtOnce, token) },
    { name: 'reauth attachAuth', client: createReauthClient(answerOkAtOnce, tokens) },
    { name: 'axios-auth-refresh', client: createAuthRefreshClient(answerOkAtOnce, tokens, {}) },
  ];
  console.log(
    `1. Per-request overhead: ${settings.rounds} rounds x ${settings.timeMs} ms per client, order rotated each round`,
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
  console.log('vs bare: median of the per-round ratios [min, max across rounds]');
  const reauthVsHeader = {
    wall: ratioSpread(rounds, 'meanUs', REAUTH, HEADER),
    cpu: ratioSpread(rounds, 'cpuUs', REAUTH, HEADER),
  };
  console.log(
    `reauth vs the hand-written header interceptor: wall ${percentWithRange(reauthVsHeader.wall)}, ` +
      `CPU ${percentWithRange(reauthVsHeader.cpu)}`,
  );
  const [wall, cpu] = [wallVsBare[REAUTH]!.median, cpuVsBare[REAUTH]!.median];
  const met = Math.max(wall, cpu) - 1 < TARGET;
  const addedCpuUs = summaries[REAUTH]!.cpuUs - summaries[BARE]!.cpuUs;
  console.log(
    `Target "attachAuth overhead under 10 % of a bare axios request": ${met ? 'MET' : 'NOT MET'} ` +
      `(median wall ${percent(wall)}, CPU ${percent(cpu)}: ${fixed(addedCpuUs)} µs of CPU per request)\n`,
  );
  return {
    settings,
    tasks: summaries.map((task, index) => ({
      ...task,
      wallVsBare: wallVsBare[index],
      cpuVsBare: cpuVsBare[index],
    })),
    reauthVsHeaderInterceptor: reauthVsHeader,
    target: { limit: TARGET, wall: wall - 1, cpu: cpu - 1, addedCpuUs, met },
    rounds,
  };
}
