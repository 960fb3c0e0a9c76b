// Measured as an app's production build sees the packages: minified, NODE_ENV=production, gzip.
const { resolve } = require('node:path');

const production = (config) => ({ ...config, define: { 'process.env.NODE_ENV': '"production"' } });
const everything = (file) => ({ [resolve(__dirname, file)]: '*' });

module.exports = [
  {
    name: '@reauth/core (with zustand/vanilla)',
    path: 'packages/core/dist/index.js',
    import: everything('packages/core/dist/index.js'),
    gzip: true,
    limit: '6.25 kB',
    modifyEsbuildConfig: production,
  },
  {
    name: '@reauth/axios (on top of core)',
    path: 'packages/axios/dist/index.js',
    import: everything('packages/axios/dist/index.js'),
    ignore: ['@reauth/core', 'axios'],
    gzip: true,
    limit: '1.25 kB',
    modifyEsbuildConfig: production,
  },
];
