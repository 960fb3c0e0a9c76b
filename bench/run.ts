import { mkdirSync, writeFileSync } from 'node:fs';
import { reportBurst } from './burstReport';
import { describeMachine } from './machine';
import { reportOverhead } from './overheadReport';
import { fixed } from './table';

// Sized so the whole run stays well under a minute on a loaded 2-core machine.
const OVERHEAD = { rounds: 16, timeMs: 250, warmupMs: 300 };
const BURST = { requests: 1000, refreshDelayMs: 50, repeats: 5, warmupRequests: 100 };

const startedAt = performance.now();
const machine = describeMachine();
const versions = Object.entries(machine.versions).map(([name, version]) => `${name} ${version}`);
console.log(`reauth bench, ${machine.date}`);
console.log(`node ${machine.node} | nproc ${machine.nproc} | ${machine.cpu} | ${machine.platform}`);
console.log(
  `load average ${machine.loadAverage.join(' ')} | ${versions.join(' | ')} | source ${machine.source}\n`,
);

const overhead = await reportOverhead(OVERHEAD);
const burst = await reportBurst(BURST);

const durationMs = Math.round(performance.now() - startedAt);
const folder = new URL('./results/', import.meta.url);
mkdirSync(folder, { recursive: true });
writeFileSync(
  new URL('latest.json', folder),
  `${JSON.stringify({ machine, overhead, burst, durationMs }, null, 2)}\n`,
);
console.log(`Whole run ${fixed(durationMs / 1000)} s; figures written to bench/results/latest.json`);
