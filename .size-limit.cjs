// Measured as an app's production build sees the packages: minified, NODE_ENV=production, gzip.
// Each adapter is measured on top of core (core and the framework ignored), as a user adding it pays.
const { resolve } = require('node:path');

const production = (config) => ({ ...config, define: { 'process.env.NODE_ENV': '"production"' } });
const everything = (file) => ({ [resolve(__dirname, file)]: '*' });
const entry = (name, label, limit, ignore = []) => ({
  name: `@reauth/${name} (${label})`,
  path: `packages/${name}/dist/index.js`,
  import: everything(`packages/${name}/dist/index.js`),
  ignore: name === 'core' ? [] : ['@reauth/core', ...ignore],
  gzip: true,
  limit,
  modifyEsbuildConfig: production,
});

module.exports = [
  // Issue 16 asked for 7.0 kB (from 9.38); the restoring, offline and cookie session models (issue 17), step-up and
  // the per-send signer of DPoP (issue 18) are paid for here; 0.12 kB of it for the results of a refresh another
  // tab's sign-in superseded (with cookies: a refusal of the cookie it carried, a sliding session's move); about 40 B
  // for a restore() and the refresh lock's read that read storage only once the session's own writes have settled;
  // about 0.1 kB (and 8 B for exporting waitFor, which @reauth/oauth uses instead of its own copy) for the checks a
  // review asked for in production: `scheme`/`header` must be HTTP tokens (a bad one
  // put the token into fetch's error message), a `now` answering NaN, a `getRoles` answering a string (hasRole
  // matched substrings), a token percent-encoded in a URL kept out of events. (The other new checks are development-only.)
  entry('core', 'with zustand/vanilla', '13.43 kB'),
  // Issue 16 asked for 1.2 kB (axios) and 1.0 kB (fetch, met: 985 B). axios pays for its synchronous fast path,
  // CancelToken, DPoP proofs and replays through earlier response interceptors (and 25 B for testing a token's
  // characters once per token, not once per request: attachAuth's 1.05x held in 5 runs of 5 with it); 50 B keep the
  // token where its origin was checked: a URL object is read once, a DPoP proof is a sensitive header (dropped on a
  // redirect to another origin), and axios's fetch adapter refuses redirects for a token in a custom header.
  entry('axios', 'on top of core', '1.72 kB', ['axios']),
  entry('fetch', 'on top of core', '0.99 kB'),
  // Issue 16: "unchanged or less" than 1.0 kB (met: 966 B, step-up included; 987 B with 21 B that keep a cookie
  // session signed in without user info authenticated behind the login modal, as DESIGN decides for known users).
  entry('react', 'on top of core', '0.99 kB', ['react', 'react/jsx-runtime']),
  // Issue 16 asked for 0.8 kB; every remaining part is a tested behaviour (a previous user's mutations, the
  // placeholder and initialData resets, the server's retry default, misuse errors); 63 B since for two races a review
  // found at sign-out: a list still loading loads at the next sign-in (it waited forever), and a mutation in flight
  // keeps its write out of the next user's cache.
  entry('react-query', 'on top of core', '0.99 kB', [
    '@tanstack/react-query',
    '@tanstack/query-core',
    'react',
  ]),
  // oauth4webapi is counted: an app importing @reauth/oauth pays it; an app that does not pays nothing. 0.17 kB of it
  // for a review's findings: one discovery shared by every session, not ended by one refresh's abort; errors rebuilt
  // without the response they carry (token bodies, an id_token, the refresh token echoed by a server); a
  // `refresh_token: null` read as absent; an endpoint with user info refused at the call.
  entry('oauth', 'on top of core, with oauth4webapi', '9.22 kB'),
  // An app that refreshes through oauthRefresh without DPoP: dpop() and IndexedDB are tree-shaken away.
  {
    ...entry('oauth', 'oauthRefresh alone, with oauth4webapi', '6.46 kB'),
    import: { [resolve(__dirname, 'packages/oauth/dist/index.js')]: '{ oauthRefresh }' },
  },
  entry('devtools', 'production build: tree-shaken away', '0.12 kB', ['react', 'react/jsx-runtime']),
];
