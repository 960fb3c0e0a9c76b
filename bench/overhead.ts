import { Bench } from 'tinybench';
import { mean, quantile, type Spread, spread } from './stats';

/** A client under test; each one answers 200 at once, so only its own work differs. */
export interface OverheadTask {
  name: string;
  /** One request through the client. */
  send(): Promise<unknown>;
}

export interface OverheadSettings {
  rounds: number;
  /** tinybench's time budget per task and round. */
  timeMs: number;
  /** One discarded round first, so the JIT has compiled every client before anything counts. */
  warmupMs: number;
}

/** Latency of one task, pooled over every round, and its CPU time per request (median of the rounds). */
export interface TaskSummary {
  name: string;
  samples: number;
  opsPerSec: number;
  meanUs: number;
  p99Us: number;
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

interface TaskRound {
  /** Wall-clock latency of each request, in ms. */
  samples: number[];
  /** CPU time this process spent per request (user + system), in µs: what other processes' load can't add. */
  cpuUs: number;
}

/** Runs every task once, in an order rotated each round. */
async function runRound(tasks: readonly OverheadTask[], round: number, timeMs: number): Promise<TaskRound[]> {
  const cpuStart = new Map<string, NodeJS.CpuUsage>();
  const cpuSpent = new Map<string, number>();
  const bench = new Bench({
    time: timeMs,
    warmup: false,
    retainSamples: true,
    throws: true,
    setup: (task) => void cpuStart.set(task!.name, process.cpuUsage()),
    teardown: (task) => {
      const { user, system } = process.cpuUsage(cpuStart.get(task!.name));
      cpuSpent.set(task!.name, user + system);
    },
  });
  for (let offset = 0; offset < tasks.length; offset += 1) {
    const task = tasks[(round + offset) % tasks.length]!;
    bench.add(task.name, task.send);
  }
  await bench.run();
  return tasks.map(({ name }) => {
    const result = bench.getTask(name)?.result;
    if (result?.state !== 'completed' || !result.latency.samples) {
      throw new Error(`[bench] task "${name}" did not complete (${result?.state ?? 'missing'}).`);
    }
    const samples = [...result.latency.samples];
    return { samples, cpuUs: cpuSpent.get(name)! / samples.length };
  });
}

/**
 * Measures the same request through each client, side by side: every round runs all tasks back to back,
 * so a ratio taken within a round compares clients under the same machine load.
 */
export async function measureOverhead(
  tasks: readonly OverheadTask[],
  settings: OverheadSettings,
): Promise<OverheadResult> {
  await runRound(tasks, 0, settings.warmupMs);
  const pooled: number[][] = tasks.map(() => []);
  const rounds: RoundFigures[] = [];
  for (let round = 0; round < settings.rounds; round += 1) {
    const figures = await runRound(tasks, round, settings.timeMs);
    figures.forEach(({ samples }, index) => {
      for (const sample of samples) pooled[index]!.push(sample);
    });
    rounds.push({
      meanUs: figures.map(({ samples }) => mean(samples) * 1000),
      cpuUs: figures.map(({ cpuUs }) => cpuUs),
    });
  }
  const summaries = tasks.map(({ name }, index) => {
    const sorted = pooled[index]!.sort((a, b) => a - b);
    const meanMs = mean(sorted);
    return {
      name,
      samples: sorted.length,
      opsPerSec: 1000 / meanMs,
      meanUs: meanMs * 1000,
      p99Us: quantile(sorted, 0.99) * 1000,
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
