import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What the figures were measured on: they only compare within one run, on one machine. */
export interface Machine {
  date: string;
  node: string;
  platform: string;
  cpu: string;
  /** The CPUs this process may use, as `nproc` counts them. */
  nproc: number;
  /** 1, 5 and 15 minute load averages when the run started: a shared machine is seldom idle. */
  loadAverage: number[];
  versions: Record<string, string>;
  /** The commit the packages were built from; `+dirty` when packages/ had uncommitted changes. */
  source: string;
  /** How reauth was built: `production` in `pnpm bench` (bundled with NODE_ENV defined, as apps ship it). */
  nodeEnv: string;
}

function versionOf(name: string): string {
  const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

function describeSource(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: new URL('..', import.meta.url), encoding: 'utf8' }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'packages') ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    nproc: os.availableParallelism(),
    loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
    versions: Object.fromEntries(
      ['axios', 'axios-auth-refresh', 'axios-jwt', 'react', 'msw'].map((name) => [name, versionOf(name)]),
    ),
    // The children of one `pnpm bench` measure the parent's bundle: they keep the label it read.
    source: process.env.REAUTH_BENCH_SOURCE ?? describeSource(),
    nodeEnv: process.env.NODE_ENV ?? 'unset',
  };
}
