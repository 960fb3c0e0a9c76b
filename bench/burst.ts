import { isAuthError } from '@reauth/core';
import { type AxiosAdapter, type AxiosInstance, isAxiosError } from 'axios';
import { createMockApi } from './mockApi';
import { type Spread, spread } from './stats';

/** One way of building the client under test, given the mock API's adapter. */
export interface BurstScenario {
  name: string;
  createClient(adapter: AxiosAdapter): AxiosInstance;
}

/** One run of one scenario. */
export interface BurstRun {
  refreshCalls: number;
  succeeded: number;
  failed: number;
  /** Failures by what the caller saw: `HTTP 401`, an AuthError code, an error name. */
  failures: Record<string, number>;
  /** Sends that reached the API (first sends and replays), and how many of them it answered 401. */
  apiRequests: number;
  unauthorized: number;
  /** From the last refresh's answer to the last request settled; null without a refresh. */
  drainMs: number | null;
  /** From the first request fired to the last one settled. */
  totalMs: number;
}

function describeFailure(error: unknown): string {
  if (isAxiosError(error) && error.response) return `HTTP ${error.response.status}`;
  if (isAuthError(error)) return error.code;
  return error instanceof Error ? error.name : typeof error;
}

/** Fires `requests` GETs at once on a token the API has expired, and waits for every one to settle. */
export async function runBurst(
  scenario: BurstScenario,
  requests: number,
  refreshDelayMs: number,
): Promise<BurstRun> {
  const mock = createMockApi(refreshDelayMs);
  const api = scenario.createClient(mock.adapter);
  const failures: Record<string, number> = {};
  let succeeded = 0;
  let lastSettledAt = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: requests }, (_, index) =>
      api.get(`/api/items/${index}`).then(
        () => {
          succeeded += 1;
          lastSettledAt = performance.now();
        },
        (error: unknown) => {
          const kind = describeFailure(error);
          failures[kind] = (failures[kind] ?? 0) + 1;
          lastSettledAt = performance.now();
        },
      ),
    ),
  );
  const refreshEnd = mock.stats.refreshEndedAt.at(-1);
  return {
    refreshCalls: mock.stats.refreshCalls,
    succeeded,
    failed: requests - succeeded,
    failures,
    apiRequests: mock.stats.apiRequests,
    unauthorized: mock.stats.unauthorized,
    drainMs: refreshEnd === undefined ? null : lastSettledAt - refreshEnd,
    totalMs: lastSettledAt - started,
  };
}

export interface BurstSettings {
  requests: number;
  refreshDelayMs: number;
  repeats: number;
  /** One smaller, discarded run of each scenario first, so the 401 paths are compiled before anything counts. */
  warmupRequests: number;
}

export interface BurstSummary {
  name: string;
  runs: BurstRun[];
  drainMs: Spread | null;
  totalMs: Spread;
}

/** Runs every scenario `repeats` times, interleaved, so that each meets the machine's load alike. */
export async function measureBursts(
  scenarios: readonly BurstScenario[],
  settings: BurstSettings,
): Promise<BurstSummary[]> {
  for (const scenario of scenarios)
    await runBurst(scenario, settings.warmupRequests, settings.refreshDelayMs);
  const runs: BurstRun[][] = scenarios.map(() => []);
  for (let repeat = 0; repeat < settings.repeats; repeat += 1) {
    for (const [index, scenario] of scenarios.entries()) {
      runs[index]!.push(await runBurst(scenario, settings.requests, settings.refreshDelayMs));
    }
  }
  return scenarios.map(({ name }, index) => {
    const own = runs[index]!;
    const drains = own.flatMap(({ drainMs }) => (drainMs === null ? [] : [drainMs]));
    return {
      name,
      runs: own,
      drainMs: drains.length > 0 ? spread(drains) : null,
      totalMs: spread(own.map(({ totalMs }) => totalMs)),
    };
  });
}
