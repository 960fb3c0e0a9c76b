import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['core', 'axios', 'fetch', 'msw', 'react', 'react-query', 'devtools'] as const;
const src = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));
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
    alias: Object.fromEntries(packages.map((name) => [`@reauth/${name}`, src(name)])),
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
