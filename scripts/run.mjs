#!/usr/bin/env node
// The README's quick start runs on a machine with only Node 20 and npm: this finds (or fetches) the pinned
// pnpm, installs the workspace when it is not installed yet, then runs `pnpm <args>`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const env = { ...process.env, COREPACK_ENABLE_STRICT: '0', npm_config_update_notifier: 'false' };

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env,
    shell: process.platform === 'win32',
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpmCommand() {
  const found = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
  if (found.status === 0 && found.stdout.trim() === version) return ['pnpm', []];
  return ['npx', ['--yes', `pnpm@${version}`]];
}

// tsdown 0.21 (the last release that runs on Node 20, see TOOLCHAIN) warns once per package on Node < 22.18 that
// Node 20 is deprecated: nothing a user of this repository can act on, so the command's output drops that line
// (pnpm prints a package's stderr on its own stdout, prefixed: both streams are filtered).
const NODE_DEPRECATION = /^(?:\S+ build: )?\[tsdown\] Node\.js v[\d.]+ is deprecated\./;
const isNoise = (line) => NODE_DEPRECATION.test(stripVTControlCharacters(line));

/** Copies a stream line by line to `out`, minus the noise. */
function filterLines(stream, out) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    const kept = lines.filter((line) => !isNoise(line));
    if (kept.length > 0) out.write(`${kept.join('\n')}\n`);
  });
  return new Promise((resolve) =>
    stream.on('end', () => {
      if (pending && !isNoise(pending)) out.write(pending);
      resolve();
    }),
  );
}

/** Runs the command to its end with its output filtered; resolves with its exit status. */
async function runQuiet(command, args) {
  // The output goes through a pipe: keep the colours a terminal would get.
  const colors =
    process.stdout.isTTY && !('NO_COLOR' in env) && !('FORCE_COLOR' in env) ? { FORCE_COLOR: '1' } : {};
  const child = spawn(command, args, {
    cwd: root,
    stdio: ['inherit', 'pipe', 'pipe'],
    env: { ...env, ...colors },
    shell: process.platform === 'win32',
  });
  // Ctrl-C reaches the child too: this waits for it to end instead of ending first.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const copied = Promise.all([
    filterLines(child.stdout, process.stdout),
    filterLines(child.stderr, process.stderr),
  ]);
  const status = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  await copied;
  return status;
}

const [pnpm, prefix] = pnpmCommand();
const installed = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');
if (!existsSync(installed) || statSync(lockfile).mtimeMs > statSync(installed).mtimeMs) {
  const status = run(pnpm, [...prefix, 'install', '--frozen-lockfile']);
  if (status !== 0) process.exit(status);
}
process.exit(await runQuiet(pnpm, [...prefix, ...process.argv.slice(2)]));
