import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface BuildResult {
  outputFiles: { text: string }[];
  metafile: { outputs: Record<string, { imports: { path: string; external?: boolean }[] }> };
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<BuildResult>;
}

// esbuild is no direct dependency of the workspace: take the copy size-limit builds with.
function loadEsbuild(): Esbuild {
  const fromRoot = createRequire(fileURLToPath(new URL('../../../../package.json', import.meta.url)));
  const sizeLimitEsbuild = createRequire(fromRoot.resolve('@size-limit/preset-small-lib')).resolve(
    '@size-limit/esbuild',
  );
  return createRequire(sizeLimitEsbuild)('esbuild') as Esbuild;
}

describe('browser readiness', () => {
  it('bundles for the browser importing only msw and jose: no node: module, no Buffer, no process', async () => {
    const result = await loadEsbuild().build({
      entryPoints: [fileURLToPath(new URL('../index.ts', import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      external: ['msw', 'jose'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });

    const [output] = result.outputFiles;
    const code = output?.text ?? '';
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    expect(code).toContain('createMockAuthServer');
    expect([...new Set(imports)].sort()).toEqual(['jose', 'msw']);
    expect(code).not.toMatch(/["']node:/);
    expect(code).not.toMatch(/\bBuffer\b/);
    expect(code).not.toMatch(/\bprocess\b/);
  });
});
