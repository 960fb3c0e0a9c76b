import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const playgroundRoot = fileURLToPath(new URL('../../examples/playground', import.meta.url));

/** A port free now (the first server takes it; the second must find it taken). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

interface DevServer {
  child: ChildProcess;
  output: () => string;
  url: Promise<string>;
}

/** The playground's own `dev` script (what `npm start` ends in), on `port` or the next free one. */
function startDev(port: number): DevServer {
  const child = spawn('pnpm', ['run', 'dev', '--port', String(port)], {
    cwd: playgroundRoot,
    detached: true,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (found?.[1]) resolve(found[1]);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`the dev server ended (${code}):\n${output}`)));
  });
  url.catch(() => {});
  return { child, output: () => output, url };
}

const stop = (server: DevServer) =>
  new Promise<void>((resolve) => {
    if (server.child.exitCode !== null || server.child.pid === undefined) return resolve();
    server.child.once('exit', () => resolve());
    process.kill(-server.child.pid, 'SIGTERM');
  });

// README: `npm start` serves on 5173 "or the next free port". Vite 8.4 refuses a second dev server of the same
// project ("Found another Vite dev process", its command lock) unless it is started with --bypass-lock.
describe('a second `npm start` on the same checkout', () => {
  const servers: DevServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(stop));
  });

  it("takes the next free port instead of failing on Vite's lock", async () => {
    const port = await freePort();
    const first = startDev(port);
    servers.push(first);
    const firstUrl = await first.url;
    expect(firstUrl).toBe(`http://127.0.0.1:${port}/`);

    const second = startDev(port);
    servers.push(second);
    const secondUrl = await second.url;
    expect(secondUrl).not.toBe(firstUrl);
    expect(second.output()).not.toMatch(/Found another Vite/);
    for (const url of [firstUrl, secondUrl]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/<div id="root">/);
    }
  }, 60_000);
});
