import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('browser readiness', () => {
  it('bundles for the browser importing only msw and jose: no node: module, no Buffer, no process', async () => {
    const result = await build({
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
