import { type Spread, spread } from './stats';

/** A client under test; each one answers 200 at once, so only its own work differs. */
export interface OverheadTask {
  name: string;
  /** One request through the client. */
  send(): Promise<unknown>;
}

export interface OverheadSettings {
  rounds: number;
  /** Sequential requests per client and round (each awaited before the next is sent). */
  requests: number;
  /** One discarded round of this many requests per client first, so the JIT has compiled every client. */
  warmupRequests: number;
}

/** One client's figures: the median across rounds of its time per request. */
export interface TaskSummary {
  name: string;
  opsPerSec: number;
  /** Wall-clock time per request, median of the rounds. */
  meanUs: number;
  /** CPU time this process spent per request (user + system, GC included), median of the rounds. */
  cpuUs: number;
}

/** One round's figures per task, in the order the tasks were given. */
export interface RoundFigures {
  meanUs: number[];
  cpuUs: number[];
}

export interface OverheadResult {
  tasks: TaskSummary[];
  rounds: RoundFigures[];
}

const gc = (globalThis as { gc?: () => void }).gc;

/** `requests` sequential requests through one client: wall and CPU time per request, in µs. */
async function timeTask(task: OverheadTask, requests: number) {
  // Each client starts on a collected heap: no client pays for the garbage of the one before it.
  gc?.();
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  for (let sent = 0; sent < requests; sent += 1) await task.send();
  const wallUs = ((performance.now() - started) * 1000) / requests;
  const { user, system } = process.cpuUsage(cpuStart);
  return { wallUs, cpuUs: (user + system) / requests };
}

/** Runs every task once, in an order rotated each round; returns the figures in the tasks' order. */
async function runRound(tasks: readonly OverheadTask[], round: number, requests: number) {
  const figures: { wallUs: number; cpuUs: number }[] = [];
  for (let offset = 0; offset < tasks.length; offset += 1) {
    const index = (round + offset) % tasks.length;
    figures[index] = await timeTask(tasks[index]!, requests);
  }
  return figures;
}

/**
 * Measures the same request through each client, side by side: every round sends `requests` sequential
 * GETs through each client, back to back, so a ratio taken within a round compares clients under the same
 * machine load.
 */
export async function measureOverhead(
  tasks: readonly OverheadTask[],
  settings: OverheadSettings,
): Promise<OverheadResult> {
  await runRound(tasks, 0, settings.warmupRequests);
  const rounds: RoundFigures[] = [];
  for (let round = 0; round < settings.rounds; round += 1) {
    const figures = await runRound(tasks, round, settings.requests);
    rounds.push({
      meanUs: figures.map(({ wallUs }) => wallUs),
      cpuUs: figures.map(({ cpuUs }) => cpuUs),
    });
  }
  const summaries = tasks.map(({ name }, index) => {
    const meanUs = spread(rounds.map((figures) => figures.meanUs[index]!)).median;
    return {
      name,
      opsPerSec: 1_000_000 / meanUs,
      meanUs,
      cpuUs: spread(rounds.map((figures) => figures.cpuUs[index]!)).median,
    };
  });
  return { tasks: summaries, rounds };
}

/** The ratio of task `of` to task `to` in one figure, taken within each round, as median and range. */
export function ratioSpread(
  rounds: readonly RoundFigures[],
  figure: keyof RoundFigures,
  of: number,
  to: number,
): Spread {
  return spread(rounds.map((round) => round[figure][of]! / round[figure][to]!));
}
