import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: 'neutral',
  target: 'es2022',
  define: {},
  // One file per module: in a production build the panel's module (and its imports of react and core) is
  // unused, and bundlers drop a whole unused module of a `sideEffects: false` package.
  unbundle: true,
});
