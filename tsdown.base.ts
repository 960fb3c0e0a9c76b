import type { UserConfig } from 'tsdown';

/** What every package builds: ESM + CJS + `.d.ts` from `src/index.ts`, for any runtime. */
export const packageBuild: UserConfig = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: 'neutral',
  target: 'es2022',
  define: {},
  // rolldown's PLUGIN_TIMINGS warning ("significant time in plugin rolldown-plugin-dts:generate") is noise on
  // every build of a small package on a loaded machine.
  checks: { pluginTimings: false },
};
