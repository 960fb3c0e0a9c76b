import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Sessions with `crossTab: true` in a real Node process (its own BroadcastChannel, timers and event loop): what
// fake timers cannot show is whether the process stays alive for a pending request, or keeps living for none.

const core = fileURLToPath(new URL('../../packages/core/src/index.ts', import.meta.url));
let folder = '';

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'reauth-node-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Runs `source` (a module importing '@reauth/core') in a new Node process; killed if it outlives 10 s. */
async function runInNode(source: string): Promise<{ code: number | null; killed: boolean; stdout: string }> {
  const bundled = await build({
    stdin: { contents: source, loader: 'ts', resolveDir: folder },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    alias: { '@reauth/core': core },
  });
  const file = join(folder, `script-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(file, bundled.outputFiles[0]?.text ?? '');
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [file], { timeout: 10_000 }, (_, stdout) =>
      resolve({ code: child.exitCode, killed: child.signalCode !== null, stdout }),
    );
  });
}

describe('cross-tab sessions in a Node process', () => {
  it('a request made as the session starts settles: the process does not exit under it', async () => {
    const run = await runInNode(`
      import { createSession } from '@reauth/core';
      const session = createSession({ refresh: async () => ({ accessToken: 'x' }), crossTab: true });
      console.log('token', await session.getAccessToken());
    `);
    expect(run).toEqual({ code: 0, killed: false, stdout: 'token null\n' });
  });

  it('a signed-in session that refreshed across tabs, with autoRefresh on, lets the process exit on its own', async () => {
    const run = await runInNode(`
      import { createSession } from '@reauth/core';
      const open = () => createSession({
        refresh: async ({ refreshToken }) => ({ accessToken: 'access-2', refreshToken: refreshToken + '-2', expiresIn: 3600 }),
        crossTab: { channelName: 'node-exit' },
        autoRefresh: true,
      });
      const [a, b] = [open(), open()];
      a.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 3600 });
      await new Promise((next) => setTimeout(next, 50));
      await b.refresh();
      console.log('refreshed', await b.getAccessToken());
    `);
    expect(run).toEqual({ code: 0, killed: false, stdout: 'refreshed access-2\n' });
  });
});
