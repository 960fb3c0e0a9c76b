import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['core', 'axios', 'fetch', 'msw', 'react', 'react-query', 'devtools', 'oauth'] as const;
const src = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));
const dir = (path: string) => fileURLToPath(new URL(path, import.meta.url));
// Test support shared across packages, imported by name instead of climbing out of a package: the same
// two names are `paths` in tsconfig.json.
const testSupport = [
  { find: /^#test-support\//, replacement: dir('./test/support/') },
  { find: /^#react-test-support\//, replacement: dir('./packages/react/src/__tests__/support/') },
];
const unit = (
  name: (typeof packages)[number],
  environment: 'node' | 'happy-dom',
  setupFiles: string[] = [],
) => ({
  extends: true as const,
  test: { name, root: `./packages/${name}`, environment, setupFiles },
});

export default defineConfig({
  resolve: {
    alias: [...packages.map((name) => ({ find: `@reauth/${name}`, replacement: src(name) })), ...testSupport],
  },
  test: {
    projects: [
      unit('core', 'node'),
      unit('axios', 'node'),
      unit('fetch', 'node'),
      unit('msw', 'node'),
      unit('react', 'happy-dom', ['./src/__tests__/support/setup.ts']),
      unit('react-query', 'happy-dom', ['./src/__tests__/support/setup.ts']),
      unit('devtools', 'happy-dom'),
      unit('oauth', 'node'),
      {
        extends: true,
        test: { name: 'playground', root: './examples/playground', environment: 'happy-dom' },
      },
      {
        extends: true,
        test: { name: 'bench', root: './bench', environment: 'node', include: ['__tests__/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', root: './test', environment: 'node', testTimeout: 20_000 },
      },
    ],
  },
});
