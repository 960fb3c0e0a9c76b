import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@reauth/core': src('core'),
      '@reauth/axios': src('axios'),
    },
  },
  test: {
    projects: [
      { extends: true, test: { name: 'core', root: './packages/core', environment: 'node' } },
      { extends: true, test: { name: 'axios', root: './packages/axios', environment: 'node' } },
      {
        extends: true,
        test: { name: 'integration', root: './test', environment: 'node', testTimeout: 20_000 },
      },
    ],
  },
});
