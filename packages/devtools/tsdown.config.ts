import { defineConfig } from 'tsdown';
import { packageBuild } from '../../tsdown.base';

export default defineConfig({
  ...packageBuild,
  // One file per module: in a production build the panel's module (and its imports of react and core) is
  // unused, and bundlers drop a whole unused module of a `sideEffects: false` package.
  unbundle: true,
});
