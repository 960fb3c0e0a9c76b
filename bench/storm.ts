import { isAuthError } from '@reauth/core';
import type { TokenResponse } from '@reauth/msw';
import { type AxiosAdapter, type AxiosInstance, isAxiosError } from 'axios';
import { cpuNowUs, createMockApi, type StaleToken } from './mockApi';
import { type Spread, spread } from './stats';

/** One way of building the client under test, given the mock API's adapter and the stale pair it issued. */
export interface StormScenario {
  name: string;
  /** Which stale token the client starts with: its `exp` still ahead (only the API knows), or past. */
  token: StaleToken;
  createClient(adapter: AxiosAdapter, stale: TokenResponse): AxiosInstance | Promise<AxiosInstance>;
}

/** One run of one scenario at one size. */
export interface StormRun {
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
  /**
   * CPU time this process spent from the last refresh's answer to every request settled, in ms: the
   * drain's own work, which other processes' load barely changes (the wall drain swings with it).
   */
  drainCpuMs: number | null;
  /** From the first request fired to the last one settled. */
  totalMs: number;
}

/** What the caller saw, without any token: a status, an AuthError code, an error message's start. */
export function describeFailure(error: unknown): string {
  if (isAxiosError(error) && error.response) return `HTTP ${error.response.status}`;
  if (isAuthError(error)) return error.code;
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 40)}` : typeof error;
}

/** Fires `requests` GETs in one synchronous loop on a token the API has expired; waits for all to settle. */
export async function runStorm(
  scenario: StormScenario,
  requests: number,
  refreshDelayMs: number,
): Promise<StormRun> {
  const mock = await createMockApi(refreshDelayMs, scenario.token);
  const api = await scenario.createClient(mock.adapter, mock.stale);
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
  const settledCpuUs = cpuNowUs();
  const refreshEnd = mock.stats.refreshEndedAt.at(-1);
  const refreshEndCpuUs = mock.stats.refreshEndedCpuUs.at(-1);
  return {
    refreshCalls: mock.stats.refreshCalls,
    succeeded,
    failed: requests - succeeded,
    failures,
    apiRequests: mock.stats.apiRequests,
    unauthorized: mock.stats.unauthorized,
    drainMs: refreshEnd === undefined ? null : lastSettledAt - refreshEnd,
    drainCpuMs: refreshEndCpuUs === undefined ? null : (settledCpuUs - refreshEndCpuUs) / 1000,
    totalMs: lastSettledAt - started,
  };
}

export interface StormSettings {
  /** Concurrent requests, and how many runs at each size (fewer at the largest, which cost the most). */
  sizes: readonly { requests: number; repeats: number }[];
  refreshDelayMs: number;
  /** One smaller, discarded run of each scenario first, so the 401 paths are compiled before anything counts. */
  warmupRequests: number;
}

export interface StormSummary {
  name: string;
  requests: number;
  runs: StormRun[];
  drainMs: Spread | null;
  drainCpuMs: Spread | null;
  /** The median drain divided by the number of requests, in µs: flat when the drain is linear in N. */
  drainUsPerRequest: number | null;
  totalMs: Spread;
}

/**
 * The ratio of one scenario's figure to another's at one size, taken repeat by repeat (the repeats are
 * interleaved, so each pair met the same load), as median and range; null when a run has no drain.
 */
export function pairedRatio(
  of: StormSummary,
  to: StormSummary,
  figure: 'drainMs' | 'drainCpuMs' | 'totalMs',
): Spread | null {
  const ratios = of.runs.map((run, index) => {
    const [own, other] = [run[figure], to.runs[index]?.[figure] ?? null];
    return own === null || other === null || other <= 0 ? null : own / other;
  });
  return ratios.every((ratio) => ratio !== null) ? spread(ratios as number[]) : null;
}

/** Runs every scenario at every size, the scenarios interleaved, so that each meets the machine's load alike. */
export async function measureStorms(
  scenarios: readonly StormScenario[],
  settings: StormSettings,
): Promise<StormSummary[]> {
  for (const scenario of scenarios)
    await runStorm(scenario, settings.warmupRequests, settings.refreshDelayMs);
  const summaries: StormSummary[] = [];
  for (const { requests, repeats } of settings.sizes) {
    const runs: StormRun[][] = scenarios.map(() => []);
    for (let repeat = 0; repeat < repeats; repeat += 1) {
      for (const [index, scenario] of scenarios.entries()) {
        runs[index]!.push(await runStorm(scenario, requests, settings.refreshDelayMs));
      }
    }
    for (const [index, { name }] of scenarios.entries()) {
      const own = runs[index]!;
      const drains = own.flatMap(({ drainMs }) => (drainMs === null ? [] : [drainMs]));
      const drainMs = drains.length > 0 ? spread(drains) : null;
      const cpus = own.flatMap(({ drainCpuMs }) => (drainCpuMs === null ? [] : [drainCpuMs]));
      summaries.push({
        name,
        requests,
        runs: own,
        drainMs,
        drainCpuMs: cpus.length > 0 ? spread(cpus) : null,
        drainUsPerRequest: drainMs && (drainMs.median * 1000) / requests,
        totalMs: spread(own.map(({ totalMs }) => totalMs)),
      });
    }
  }
  return summaries;
}
