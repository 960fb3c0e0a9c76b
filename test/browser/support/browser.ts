import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. In CI they must: a missing browser fails them there, it never skips.
 * Elsewhere they are skipped with a line that says how to run them.
 */
export function hasChromium(): boolean {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return true;
  console.warn(
    `[reauth tests] browser tests skipped: no chromium at ${CHROMIUM_PATH} (apt-get install chromium).`,
  );
  return false;
}

/** Headless chromium, quiet on the network: without these flags it floods a closed network with requests. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const source = (name: string) =>
  fileURLToPath(new URL(`../../../packages/${name}/src/index.ts`, import.meta.url));

/** Bundles a page script for the browser, with the workspace packages from their sources (development mode). */
export async function bundlePage(name: string): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../pages/${name}`, import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"development"' },
    alias: Object.fromEntries(['core', 'fetch', 'msw'].map((name) => [`@reauth/${name}`, source(name)])),
  });
  return result.outputFiles[0]?.text ?? '';
}

/** A page that loads one module script. */
export const html = (script: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>reauth</title></head><body><script type="module" src="${script}"></script></body></html>`;
