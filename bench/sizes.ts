import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** One bundle: what it imports (everything each module exports) and what is left to the app. */
export interface SizeEntry {
  name: string;
  imports: readonly string[];
  external: readonly string[];
  /** What it does that the reauth rows don't, so the comparison is read fairly. */
  note: string;
}

export interface SizeResult extends SizeEntry {
  /** Minified bytes, and gzip of them; null when a module was missing (packages not built). */
  minified: number | null;
  gzip: number | null;
  missing?: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** A reauth package's build, as .size-limit.cjs measures it: what users get. */
export const dist = (name: string) =>
  fileURLToPath(new URL(`../packages/${name}/dist/index.js`, import.meta.url));

/**
 * Bundles the entry the way .size-limit.cjs does: esbuild, every export of each module kept, minified,
 * NODE_ENV=production, the frameworks external; then gzip (level 9) of the output.
 */
export async function measureSize(entry: SizeEntry): Promise<SizeResult> {
  const local = entry.imports.filter((path) => path.startsWith('/'));
  const absent = local.find((path) => !existsSync(path));
  if (absent) return { ...entry, minified: null, gzip: null, missing: `${absent}: run pnpm run build first` };
  // `export *`, as size-limit's `import: { file: '*' }` keeps every export (its figures and ours agree).
  const contents = entry.imports.map((path) => `export * from ${JSON.stringify(path)};`).join('\n');
  const result = await build({
    stdin: { contents, resolveDir: here, loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"production"' },
    external: [...entry.external],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { ...entry, minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}
