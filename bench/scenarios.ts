import { createAuthRefreshClient, createAxiosJwtClient, createReauthClient } from './clients';
import { tokenValidFor } from './mockApi';
import type { StormScenario } from './storm';

const stale = { refreshToken: 'refresh-0' };
/** The token looks good to the client (its exp is an hour ahead) but the API has expired it. */
const expiryUnknown = () => ({ ...stale, accessToken: tokenValidFor(3600, 'stale') });
/** The client can tell from the token's own exp claim that it has expired. */
const expPast = () => ({ ...stale, accessToken: tokenValidFor(-60, 'stale') });

/** The storm and memory scenarios: each client, with the expiry unknown to it (every request meets a 401) and known. */
export const scenarios: StormScenario[] = [
  {
    name: 'reauth (401s: expiry unknown to client)',
    createClient: (adapter) => createReauthClient(adapter, expiryUnknown()),
  },
  {
    name: 'reauth (exp claim already past)',
    createClient: (adapter) => createReauthClient(adapter, expPast()),
  },
  {
    name: 'axios-auth-refresh defaults',
    createClient: (adapter) => createAuthRefreshClient(adapter, expiryUnknown(), {}),
  },
  {
    name: 'axios-auth-refresh deduplicateRefresh:false',
    createClient: (adapter) =>
      createAuthRefreshClient(adapter, expiryUnknown(), { deduplicateRefresh: false }),
  },
  {
    name: 'axios-jwt (401s: expiry unknown to client)',
    createClient: (adapter) => createAxiosJwtClient(adapter, expiryUnknown()),
  },
  {
    name: 'axios-jwt (exp claim already past)',
    createClient: (adapter) => createAxiosJwtClient(adapter, expPast()),
  },
];

/** Indexes in `scenarios` that the verdicts and the chart single out. */
export const REAUTH_401 = 0;
