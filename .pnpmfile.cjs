// test/ type-checks the README's React Native and Expo recipes against the real packages' types
// (test/readme/reactNative.test.ts). Their declarations need none of what the packages would install with them,
// so it is left out: react-native keeps only @react-native/virtualized-lists (its types import it), not the
// Metro bundler, the Hermes compiler, the debugger and the CLI (about 130 MB in 180 packages); and Expo, which
// expo-secure-store asks of its app (a peer dependency pnpm would install: 180 MB more in 230 packages), is
// made optional.
module.exports = {
  hooks: {
    readPackage(manifest) {
      if (manifest.name === 'react-native') {
        const typesNeed = '@react-native/virtualized-lists';
        manifest.dependencies = { [typesNeed]: manifest.dependencies[typesNeed] };
      }
      if (manifest.name === 'expo-secure-store') {
        manifest.peerDependenciesMeta = { ...manifest.peerDependenciesMeta, expo: { optional: true } };
      }
      return manifest;
    },
  },
};
