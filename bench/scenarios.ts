import { createAuthRefreshClient, createAxiosJwtClient, createReauthClient } from './clients';
import type { StormScenario } from './storm';

/** The pair as every client signs in with it: no `expiresIn`, so each reads the expiry from `exp` if at all. */
const pair = ({ accessToken, refreshToken }: { accessToken: string; refreshToken: string }) => ({
  accessToken,
  refreshToken,
});

/**
 * The storm and memory scenarios: each client, with the expiry unknown to it (`exp-ahead`: the token's own
 * `exp` says one more hour but the API refuses it, so every request meets a 401) and known (`exp-past`).
 */
export const scenarios: StormScenario[] = [
  {
    name: 'reauth (401s: expiry unknown to client)',
    token: 'exp-ahead',
    createClient: (adapter, stale) => createReauthClient(adapter, pair(stale)),
  },
  {
    name: 'reauth (exp claim already past)',
    token: 'exp-past',
    createClient: (adapter, stale) => createReauthClient(adapter, pair(stale)),
  },
  {
    name: 'axios-auth-refresh defaults',
    token: 'exp-ahead',
    createClient: (adapter, stale) => createAuthRefreshClient(adapter, pair(stale), {}),
  },
  {
    name: 'axios-auth-refresh deduplicateRefresh:false',
    token: 'exp-ahead',
    createClient: (adapter, stale) =>
      createAuthRefreshClient(adapter, pair(stale), { deduplicateRefresh: false }),
  },
  {
    name: 'axios-jwt (401s: expiry unknown to client)',
    token: 'exp-ahead',
    createClient: (adapter, stale) => createAxiosJwtClient(adapter, pair(stale)),
  },
  {
    name: 'axios-jwt (exp claim already past)',
    token: 'exp-past',
    createClient: (adapter, stale) => createAxiosJwtClient(adapter, pair(stale)),
  },
];

/** Indexes in `scenarios` that the verdicts and the chart single out. */
export const REAUTH_401 = 0;
/** The storm anchor: axios-auth-refresh with `deduplicateRefresh: false`. */
export const ANCHOR_401 = 3;
