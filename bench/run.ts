import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FULL, QUICK, runBench } from './bench';
import {
  ISSUE16,
  ISSUE16_QUICK,
  type Issue16Run,
  printIssue16,
  runIssue16,
  summarizeIssue16,
} from './issue16';
import { describeMachine } from './machine';
import { fixed } from './table';

// `--quick`: every part at tiny sizes (seconds), to see that it runs; its figures mean nothing.
// Default: the full run (results/latest.json and the charts), then issue 16's three comparisons alone,
// `--issue-runs N` times (default 3), each in a fresh node process (results/issue16.json).
// `--issue16-only`: those runs without the full run (`--quick`: tiny sizes, nothing written).
// `--issue16 --out FILE`: one such run (the child).
const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const folder = new URL('./results/', import.meta.url);
const quick = args.includes('--quick');

async function issueRuns(count: number): Promise<void> {
  mkdirSync(folder, { recursive: true });
  // The bundle was built once, before any run: every child reports the source it was built from.
  process.env.REAUTH_BENCH_SOURCE ??= describeMachine().source;
  const runs: Issue16Run[] = [];
  for (let run = 1; run <= count; run += 1) {
    console.log(`\n=== issue 16, run ${run} of ${count} (a fresh node process) ===`);
    const out = fileURLToPath(new URL(`.issue16-run-${run}.json`, folder));
    const child = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        fileURLToPath(import.meta.url),
        '--issue16',
        '--out',
        out,
        ...(quick ? ['--quick'] : []),
      ],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) throw new Error(`[bench] issue 16 run ${run} exited with ${child.status}`);
    runs.push(JSON.parse(readFileSync(out, 'utf8')) as Issue16Run);
    rmSync(out);
  }
  const summary = summarizeIssue16(runs);
  printIssue16(summary);
  if (quick) return console.log('Quick: nothing written.');
  writeFileSync(new URL('issue16.json', folder), `${JSON.stringify({ summary, runs }, null, 2)}\n`);
  console.log('written: bench/results/issue16.json');
}

if (args.includes('--issue16')) {
  const out = option('--out');
  const run = await runIssue16(quick ? ISSUE16_QUICK : ISSUE16);
  if (out) writeFileSync(out, JSON.stringify(run));
} else if (args.includes('--issue16-only')) {
  await issueRuns(Number(option('--issue-runs') ?? 3));
} else if (quick) {
  const { result } = await runBench(QUICK);
  console.log(`Quick run ${fixed(result.durationMs / 1000)} s; nothing written.`);
} else {
  process.env.REAUTH_BENCH_SOURCE = describeMachine().source;
  const { result, charts } = await runBench(FULL);
  mkdirSync(folder, { recursive: true });
  writeFileSync(new URL('latest.json', folder), `${JSON.stringify(result, null, 2)}\n`);
  for (const [file, svg] of Object.entries(charts)) writeFileSync(new URL(file, folder), svg);
  console.log(
    `Whole run ${fixed(result.durationMs / 1000)} s; written: bench/results/latest.json, ${Object.keys(charts).join(', ')}`,
  );
  await issueRuns(Number(option('--issue-runs') ?? 3));
}
