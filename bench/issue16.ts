import { describeMachine, type Machine } from './machine';
import { ISSUE_LIMIT, reportOverhead } from './overheadReport';
import type { Spread } from './stats';
import { ISSUE_DRAIN_LIMIT, issueScenarios, reportStorm } from './stormReport';
import { fixed, formatTable, thousands } from './table';

/** Issue 16's three comparisons, as it states them; the full run measures them too, with the anchors. */
export const ISSUE16 = {
  overhead: { rounds: 11, requests: 20_000, warmupRequests: 2_000 },
  storm: { sizes: [{ requests: 10_000, repeats: 5 }], refreshDelayMs: 50, warmupRequests: 100 },
};

/** The same comparisons at tiny sizes, for the smoke test. */
export const ISSUE16_QUICK: typeof ISSUE16 = {
  overhead: { rounds: 1, requests: 20, warmupRequests: 5 },
  storm: { sizes: [{ requests: 10, repeats: 1 }], refreshDelayMs: 50, warmupRequests: 10 },
};

/** One run's three ratios: each the median of its rounds (or repeats), with their range. */
export interface Issue16Run {
  machine: Machine;
  settings: typeof ISSUE16;
  axios: { wall: Spread; cpu: Spread; wallOverBare: number; cpuOverBare: number; met: boolean };
  fetch: { wall: Spread; cpu: Spread; wallOverBare: number; cpuOverBare: number; met: boolean };
  storm: {
    drain: Spread | null;
    /** Absent in runs made before the bench measured the drain's CPU time. */
    drainCpu?: Spread | null;
    total: Spread | null;
    allSucceeded: boolean;
    refreshes: number[];
    met: boolean;
  };
  durationMs: number;
}

type Suite = Awaited<ReturnType<typeof reportOverhead>>['axios'];

const suiteFigures = ({ reauthVsHeader, tasks, issue16 }: Suite) => ({
  wall: reauthVsHeader.wall,
  cpu: reauthVsHeader.cpu,
  wallOverBare: tasks[2]!.wallVsBare.median,
  cpuOverBare: tasks[2]!.cpuVsBare.median,
  met: issue16.met,
});

/** Only the three comparisons: the axios and fetch pairs (and bare), and the 10,000-request storm pair. */
export async function runIssue16(settings: typeof ISSUE16 = ISSUE16): Promise<Issue16Run> {
  const startedAt = performance.now();
  const machine = describeMachine();
  console.log(
    `reauth bench, issue 16's comparisons only, ${machine.date} | source ${machine.source} | load ${machine.loadAverage.join(' ')}\n`,
  );
  const overhead = await reportOverhead(settings.overhead, false);
  const storm = await reportStorm(settings.storm, issueScenarios);
  const verdict = storm.issue16;
  return {
    machine,
    settings,
    axios: suiteFigures(overhead.axios),
    fetch: suiteFigures(overhead.fetch),
    storm: {
      drain: verdict?.drain ?? null,
      drainCpu: verdict?.drainCpu ?? null,
      total: verdict?.total ?? null,
      allSucceeded: verdict?.allSucceeded ?? false,
      refreshes: storm.scenarios.flatMap(({ runs }) => runs.map((run) => run.refreshCalls)),
      met: verdict?.met ?? false,
    },
    durationMs: Math.round(performance.now() - startedAt),
  };
}

const range = (values: readonly number[], digits = 3) => {
  if (values.length === 0) return 'n/a';
  const [min, max] = [Math.min(...values), Math.max(...values)];
  return min === max ? fixed(min, digits) : `${fixed(min, digits)}–${fixed(max, digits)}`;
};
const overPercent = (values: readonly number[]) => {
  const [min, max] = [Math.min(...values), Math.max(...values)].map((value) => (value - 1) * 100);
  return `${min! >= 0 ? '+' : ''}${fixed(min!)} to ${max! >= 0 ? '+' : ''}${fixed(max!)} %`;
};

/** The three comparisons over several runs: per run the median ratio; over the runs its range. */
export function summarizeIssue16(runs: readonly Issue16Run[]) {
  const medians = (pick: (run: Issue16Run) => Spread | null) =>
    runs.flatMap((run) => {
      const value = pick(run);
      return value ? [value.median] : [];
    });
  const rows = [
    {
      what: `attachAuth vs axios + the one-line header interceptor, ${thousands(runs[0]!.settings.overhead.requests)} sequential GETs`,
      limit: `≤ ${ISSUE_LIMIT}×`,
      wall: medians((run) => run.axios.wall),
      cpu: medians((run) => run.axios.cpu),
      overBare: runs.map((run) => run.axios.cpuOverBare),
      met: runs.every((run) => run.axios.cpu.median <= ISSUE_LIMIT),
    },
    {
      what: `createAuthFetch vs a hand-written header wrapper, ${thousands(runs[0]!.settings.overhead.requests)} sequential calls`,
      limit: `≤ ${ISSUE_LIMIT}×`,
      wall: medians((run) => run.fetch.wall),
      cpu: medians((run) => run.fetch.cpu),
      overBare: runs.map((run) => run.fetch.cpuOverBare),
      met: runs.every((run) => run.fetch.cpu.median <= ISSUE_LIMIT),
    },
    {
      what: `drain of ${thousands(runs[0]!.settings.storm.sizes.at(-1)!.requests)} concurrent 401s vs axios-auth-refresh deduplicateRefresh:false`,
      limit: `≤ ${ISSUE_DRAIN_LIMIT}×`,
      wall: medians((run) => run.storm.drain),
      cpu: medians((run) => run.storm.drainCpu ?? null),
      overBare: [] as number[],
      total: medians((run) => run.storm.total),
      met: runs.every(
        ({ storm }) => storm.allSucceeded && (storm.drainCpu?.median ?? Infinity) <= ISSUE_DRAIN_LIMIT,
      ),
    },
  ];
  const table = formatTable(
    [
      'comparison (reauth / the other, same run)',
      'issue',
      `CPU, ${runs.length} runs`,
      'wall',
      'storm total',
      'met in every run',
    ],
    rows.map((row) => [
      row.what,
      row.limit,
      row.cpu.length > 0 ? range(row.cpu) : '—',
      range(row.wall),
      'total' in row ? range(row.total ?? []) : '—',
      row.met ? 'yes' : 'NO',
    ]),
  );
  const perRound = thousands(runs[0]!.settings.overhead.requests);
  const storm = thousands(runs[0]!.settings.storm.sizes.at(-1)!.requests);
  const markdown = [
    `| comparison, same run, interleaved (reauth / the other) | issue 16 | ${runs.length} runs: median ratio per run, range over the runs | reauth over bare (CPU) |`,
    '| --- | --- | --- | --- |',
    `| \`attachAuth\` / axios + one-line header interceptor, ${perRound} sequential GETs, instant adapter | ≤ ${ISSUE_LIMIT}× | CPU **${range(rows[0]!.cpu)}×**, wall ${range(rows[0]!.wall)}× | ${overPercent(rows[0]!.overBare)} |`,
    `| \`createAuthFetch\` / hand-written header wrapper, ${perRound} sequential calls, instant \`Response\` | ≤ ${ISSUE_LIMIT}× | CPU **${range(rows[1]!.cpu)}×**, wall ${range(rows[1]!.wall)}× | ${overPercent(rows[1]!.overBare)} |`,
    `| drain of ${storm} concurrent 401s / axios-auth-refresh \`deduplicateRefresh: false\`, refresh 50 ms | ≤ ${ISSUE_DRAIN_LIMIT}× | drain CPU **${range(rows[2]!.cpu)}×**, wall ${range(rows[2]!.wall)}×; first send to last answer ${range(rows[2]!.total ?? [])}× | — |`,
  ].join('\n');
  const sources = [...new Set(runs.map((run) => run.machine.source))].join(', ');
  return { runs: runs.length, sources, rows, table, markdown };
}

/** Prints the summary of several runs. */
export function printIssue16(summary: ReturnType<typeof summarizeIssue16>): void {
  console.log(`Issue 16, ${summary.runs} runs (source ${summary.sources}): per run the median of its rounds`);
  console.log(summary.table);
  console.log(`\nFor BENCHMARKS.md / README "Measured":\n${summary.markdown}\n`);
}
