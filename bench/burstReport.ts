import { type BurstScenario, type BurstSettings, measureBursts } from './burst';
import { createAuthRefreshClient, createReauthClient } from './clients';
import { tokenValidFor } from './mockApi';
import { counts, durations, formatTable } from './table';

const stale = { refreshToken: 'refresh-0' };

const scenarios: BurstScenario[] = [
  {
    // The headline case: the token looks good to the client (its exp is an hour ahead), the API refuses it.
    name: 'reauth (401s: expiry unknown to client)',
    createClient: (adapter) =>
      createReauthClient(adapter, { ...stale, accessToken: tokenValidFor(3600, 'stale') }),
  },
  {
    name: 'reauth (exp claim already past)',
    createClient: (adapter) =>
      createReauthClient(adapter, { ...stale, accessToken: tokenValidFor(-60, 'stale') }),
  },
  {
    name: 'axios-auth-refresh defaults',
    createClient: (adapter) => createAuthRefreshClient(adapter, { ...stale, accessToken: 'stale' }, {}),
  },
  {
    name: 'axios-auth-refresh deduplicateRefresh:false',
    createClient: (adapter) =>
      createAuthRefreshClient(adapter, { ...stale, accessToken: 'stale' }, { deduplicateRefresh: false }),
  },
];

/**
 * 2. 401 burst: many concurrent requests on a token the API has expired, a slow refresh endpoint.
 * Prints the table and the verdict; returns the figures for latest.json.
 */
export async function reportBurst(settings: BurstSettings) {
  console.log(
    `2. 401 burst: ${settings.requests} concurrent GETs, refresh answers after ${settings.refreshDelayMs} ms, ` +
      `${settings.repeats} runs each, interleaved`,
  );
  const summaries = await measureBursts(scenarios, settings);
  console.log(
    formatTable(
      ['client', 'refreshes', 'succeeded', 'failed', 'API sends', 'API 401s', 'drain ms', 'total ms'],
      summaries.map(({ name, runs, drainMs, totalMs }) => [
        name,
        counts(runs.map((run) => run.refreshCalls)),
        counts(runs.map((run) => run.succeeded)),
        counts(runs.map((run) => run.failed)),
        counts(runs.map((run) => run.apiRequests)),
        counts(runs.map((run) => run.unauthorized)),
        durations(drainMs),
        durations(totalMs),
      ]),
    ),
  );
  console.log('counts: per run (a range when runs differed); ms: median (min-max) across runs');
  for (const { name, runs } of summaries) {
    const kinds = [...new Set(runs.flatMap((run) => Object.keys(run.failures)))];
    const perKind = kinds.map((kind) => `${kind} x${counts(runs.map((run) => run.failures[kind] ?? 0))}`);
    if (perKind.length > 0) console.log(`failures of ${name}, per run: ${perKind.join(', ')}`);
  }
  const met = summaries[0]!.runs.every(
    (run) => run.refreshCalls === 1 && run.succeeded === settings.requests,
  );
  console.log(
    `Target "reauth: one refresh, all ${settings.requests} succeed": ${met ? 'MET in every run' : 'NOT MET'}\n`,
  );
  return { settings, scenarios: summaries, target: { refreshCalls: 1, succeeded: settings.requests, met } };
}
