import { mkdirSync, writeFileSync } from 'node:fs';
import { FULL, QUICK, runBench } from './bench';
import { fixed } from './table';

// `--quick`: every part at tiny sizes (seconds), to see that it runs; its figures mean nothing.
const quick = process.argv.includes('--quick');
const { result, charts } = await runBench(quick ? QUICK : FULL);
if (quick) {
  console.log(`Quick run ${fixed(result.durationMs / 1000)} s; nothing written.`);
} else {
  const folder = new URL('./results/', import.meta.url);
  mkdirSync(folder, { recursive: true });
  writeFileSync(new URL('latest.json', folder), `${JSON.stringify(result, null, 2)}\n`);
  for (const [file, svg] of Object.entries(charts)) writeFileSync(new URL(file, folder), svg);
  console.log(
    `Whole run ${fixed(result.durationMs / 1000)} s; written: bench/results/latest.json, ${Object.keys(charts).join(', ')}`,
  );
}
