import { logLogChart, ratioChart } from './chart';
import { describeMachine } from './machine';
import { reportMemory } from './memoryReport';
import { reportOverhead } from './overheadReport';
import { reportRenders } from './rendersReport';
import { reportSizes } from './sizesReport';
import { reportStorm } from './stormReport';

/**
 * Sized so the whole run stays within about three minutes on a loaded 2-core machine. The overhead suites
 * and the largest storm are issue 16's method: 20,000 sequential GETs per client and round, rounds
 * interleaved; 10,000 concurrent 401s, the clients interleaved.
 */
export const FULL = {
  overhead: { rounds: 7, requests: 20_000, warmupRequests: 2_000 },
  storm: {
    sizes: [
      { requests: 10, repeats: 5 },
      { requests: 100, repeats: 5 },
      { requests: 1000, repeats: 5 },
      { requests: 10_000, repeats: 3 },
    ],
    refreshDelayMs: 50,
    warmupRequests: 100,
  },
  memory: { requests: 10_000 },
  renders: { refreshes: 100 },
};

/** Every code path at tiny sizes, for the smoke test: the figures mean nothing, the counts do. */
export const QUICK: typeof FULL = {
  overhead: { rounds: 1, requests: 20, warmupRequests: 5 },
  storm: { sizes: [{ requests: 10, repeats: 1 }], refreshDelayMs: 50, warmupRequests: 10 },
  memory: { requests: 100 },
  renders: { refreshes: 5 },
};

/** Runs every part, printing as it goes; returns latest.json's content and the charts' SVG text. */
export async function runBench(settings: typeof FULL) {
  const startedAt = performance.now();
  const machine = describeMachine();
  const versions = Object.entries(machine.versions).map(([name, version]) => `${name} ${version}`);
  console.log(`reauth bench, ${machine.date}`);
  console.log(`node ${machine.node} | nproc ${machine.nproc} | ${machine.cpu} | ${machine.platform}`);
  console.log(
    `load average ${machine.loadAverage.join(' ')} | ${versions.join(' | ')} | source ${machine.source} | NODE_ENV ${machine.nodeEnv}\n`,
  );
  const overhead = await reportOverhead(settings.overhead);
  const storm = await reportStorm(settings.storm);
  const memory = await reportMemory(settings.memory);
  const renders = await reportRenders(settings.renders);
  const sizes = await reportSizes();
  const durationMs = Math.round(performance.now() - startedAt);
  // Only clients whose every request succeeded: a drain of the one request that succeeded says nothing.
  const allSucceeded = (name: string) =>
    storm.scenarios
      .filter((summary) => summary.name === name)
      .every(({ requests, runs }) => runs.every((run) => run.succeeded === requests));
  const names = [...new Set(storm.scenarios.map(({ name }) => name))].filter(allSucceeded);
  const drains = names.map((name) => ({
    name,
    points: storm.scenarios
      .filter((summary) => summary.name === name)
      .map(({ requests, drainMs }) => ({ x: requests, y: drainMs?.median ?? null })),
  }));
  const ratios = [overhead.axios, overhead.fetch].flatMap(({ tasks }) =>
    tasks.slice(1).map(({ name, cpuVsBare }) => ({ name, ratio: cpuVsBare })),
  );
  const charts = {
    'storm-drain.svg': logLogChart(
      `401 storm: refresh's end to last replay settled (median, refresh ${settings.storm.refreshDelayMs} ms)`,
      'concurrent requests N',
      'drain ms',
      drains.filter(({ points }) => points.some(({ y }) => y !== null && y > 0)),
    ),
    'overhead.svg': ratioChart('Per-request CPU time vs bare (median, [min, max] across rounds)', ratios),
  };
  return { result: { machine, overhead, storm, memory, renders, sizes, durationMs }, charts };
}
