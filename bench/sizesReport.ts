import { dist, measureSize, type SizeEntry, type SizeResult } from './sizes';
import { formatTable, thousands } from './table';

const react = ['react', 'react-dom', 'react/jsx-runtime'];
const core = dist('core');

const entries: SizeEntry[] = [
  { name: '@reauth/core (with zustand/vanilla)', imports: [core], external: [], note: '' },
  {
    name: '@reauth/axios on top of core',
    imports: [dist('axios')],
    external: ['axios', core, '@reauth/core'],
    note: '',
  },
  {
    name: '@reauth/fetch on top of core',
    imports: [dist('fetch')],
    external: [core, '@reauth/core'],
    note: '',
  },
  {
    name: '@reauth/react on top of core',
    imports: [dist('react')],
    external: [...react, core, '@reauth/core'],
    note: '',
  },
  {
    name: '@reauth/react-query on top of core',
    imports: [dist('react-query')],
    external: [...react, '@tanstack/react-query', core, '@reauth/core'],
    note: '',
  },
  {
    name: '@reauth/devtools in a production build',
    imports: [dist('devtools')],
    external: [...react, core, '@reauth/core'],
    note: 'renders nothing unless NODE_ENV is development',
  },
  {
    name: '@reauth/msw (a test kit: jose included)',
    imports: [dist('msw')],
    external: ['msw'],
    note: 'dev dependency of your tests, not in your app',
  },
  { name: 'reauth core + axios', imports: [core, dist('axios')], external: ['axios'], note: '' },
  {
    name: 'axios-auth-refresh',
    imports: ['axios-auth-refresh'],
    external: ['axios'],
    note: 'no single flight for late 401s by default, no expiry, no re-auth, no state',
  },
  {
    name: 'axios-jwt (+ jwt-decode, ms)',
    imports: ['axios-jwt'],
    external: ['axios'],
    note: 'token storage (localStorage); refreshes on exp only, no 401 handling',
  },
  { name: 'reauth core + fetch', imports: [core, dist('fetch')], external: [], note: '' },
  {
    name: 'reauth core + react',
    imports: [core, dist('react')],
    external: react,
    note: 'no login flow: the app brings its own',
  },
  {
    name: '@auth0/auth0-react (+ auth0-spa-js)',
    imports: ['@auth0/auth0-react'],
    external: react,
    note: 'Auth0 login: redirect/popup, PKCE, silent auth, token cache; Auth0 only',
  },
  {
    name: 'react-oidc-context + oidc-client-ts',
    imports: ['react-oidc-context', 'oidc-client-ts'],
    external: react,
    note: 'any OIDC provider: redirects, PKCE, silent renew, user store',
  },
];

const bytes = (value: number | null) => (value === null ? 'n/a' : thousands(value));

/**
 * 5. Bundle sizes (min+gzip) of each reauth package and of the anchors' equivalents, measured the same way.
 * Prints the table; returns the figures for latest.json.
 */
export async function reportSizes() {
  console.log(
    '5. Bundle sizes: esbuild, every export kept, minified, NODE_ENV=production, gzip -9; frameworks external',
  );
  const results: SizeResult[] = [];
  for (const entry of entries) results.push(await measureSize(entry));
  console.log(
    formatTable(
      ['bundle', 'min B', 'min+gzip B'],
      results.map((result) => [result.name, bytes(result.minified), bytes(result.gzip)]),
    ),
  );
  for (const { name, note } of results) if (note) console.log(`${name}: ${note}`);
  for (const { name, missing } of results) if (missing) console.log(`${name}: ${missing}`);
  console.log('');
  return { bundles: results.map(({ imports, external, ...rest }) => rest) };
}
