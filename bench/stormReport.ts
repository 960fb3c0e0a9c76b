import { ANCHOR_401, scenarios as allScenarios, REAUTH_401 } from './scenarios';
import {
  measureStorms,
  pairedRatio,
  type StormScenario,
  type StormSettings,
  type StormSummary,
} from './storm';
import { counts, durations, fixed, formatTable, ratioWithRange } from './table';

/** Issue 16: reauth's drain of the largest storm at most 1.2× axios-auth-refresh `deduplicateRefresh: false`'s. */
export const ISSUE_DRAIN_LIMIT = 1.2;
/** The issue's pair: reauth with 401s, axios-auth-refresh `deduplicateRefresh: false` (same run, interleaved). */
export const issueScenarios = [allScenarios[REAUTH_401]!, allScenarios[ANCHOR_401]!];

/** Issue 16's verdict: the drain ratio at the largest size, repeat by repeat; every request must succeed. */
function issueVerdict(summaries: readonly StormSummary[]) {
  const [reauthName, anchorName] = issueScenarios.map(({ name }) => name);
  const largest = Math.max(...summaries.map(({ requests }) => requests));
  const reauth = summaries.find(({ name, requests }) => name === reauthName && requests === largest);
  const anchor = summaries.find(({ name, requests }) => name === anchorName && requests === largest);
  if (!reauth || !anchor) return null;
  const drain = pairedRatio(reauth, anchor, 'drainMs');
  const drainCpu = pairedRatio(reauth, anchor, 'drainCpuMs');
  const total = pairedRatio(reauth, anchor, 'totalMs');
  const allSucceeded = [reauth, anchor].every(({ runs }) => runs.every((run) => run.succeeded === largest));
  // On CPU time, as the overhead verdicts: the wall drain of one repeat swings with the machine's load.
  const met = allSucceeded && drainCpu !== null && drainCpu.median <= ISSUE_DRAIN_LIMIT;
  return { requests: largest, limit: ISSUE_DRAIN_LIMIT, drain, drainCpu, total, allSucceeded, met };
}

/** "Queue drain linear in N": the per-request drain at the largest size within this factor of the one at 1,000. */
const LINEAR_FACTOR = 3;

function linearity(summaries: readonly StormSummary[], name: string) {
  const own = summaries.filter((summary) => summary.name === name);
  const largest = own.at(-1);
  const reference = own.find((summary) => summary.requests === 1000) ?? own.at(-2) ?? largest;
  const [at, of] = [largest?.drainUsPerRequest ?? null, reference?.drainUsPerRequest ?? null];
  const factor = at !== null && of !== null && of > 0 ? at / of : null;
  return {
    rule: `drain per request at ${largest?.requests} within ${LINEAR_FACTOR}x the one at ${reference?.requests}`,
    factor,
    met: factor !== null && factor <= LINEAR_FACTOR,
  };
}

/**
 * 2. 401 storm: N concurrent requests on a token the API has expired, a refresh that takes 50 ms, for every
 * size and client. Prints the table and the verdicts; returns the figures for latest.json.
 */
export async function reportStorm(
  settings: StormSettings,
  scenarios: readonly StormScenario[] = allScenarios,
) {
  const sizes = settings.sizes.map(({ requests, repeats }) => `${requests} (${repeats} runs)`).join(', ');
  console.log(
    `2. 401 storm: N concurrent GETs, refresh answers after ${settings.refreshDelayMs} ms; N = ${sizes}; interleaved`,
  );
  const summaries = await measureStorms(scenarios, settings);
  console.log(
    formatTable(
      [
        'client',
        'N',
        'refreshes',
        'succeeded',
        'failed',
        'API sends',
        'API 401s',
        'drain ms',
        'drain CPU ms',
        'drain µs/req',
        'total ms',
      ],
      summaries.map(({ name, requests, runs, drainMs, drainCpuMs, drainUsPerRequest, totalMs }) => [
        name,
        String(requests),
        counts(runs.map((run) => run.refreshCalls)),
        counts(runs.map((run) => run.succeeded)),
        counts(runs.map((run) => run.failed)),
        counts(runs.map((run) => run.apiRequests)),
        counts(runs.map((run) => run.unauthorized)),
        durations(drainMs),
        durations(drainCpuMs),
        drainUsPerRequest === null ? 'n/a' : fixed(drainUsPerRequest),
        durations(totalMs),
      ]),
    ),
  );
  console.log(
    'counts: per run (a range when runs differed); ms: median (min-max) across runs; drain µs/req: median drain / N',
  );
  for (const { name } of scenarios) {
    const kinds = new Map<string, number[]>();
    for (const summary of summaries.filter((own) => own.name === name))
      for (const run of summary.runs)
        for (const [kind, count] of Object.entries(run.failures))
          kinds.set(kind, [...(kinds.get(kind) ?? []), count]);
    const perKind = [...kinds].map(([kind, seen]) => `${kind} (${counts(seen)} per failing run)`);
    if (perKind.length > 0) console.log(`failures of ${name}: ${perKind.join(', ')}`);
  }
  const reauth = scenarios
    .filter(({ name }) => name.startsWith('reauth'))
    .map(({ name }) => {
      const own = summaries.filter((summary) => summary.name === name);
      const correct = own.every(({ requests, runs }) =>
        runs.every((run) => run.refreshCalls === 1 && run.succeeded === requests),
      );
      return { name, correct, linear: linearity(summaries, name) };
    });
  for (const { name, correct, linear } of reauth) {
    console.log(
      `Target "${name}: one refresh, every request succeeds, at every size": ${correct ? 'MET in every run' : 'NOT MET'}; ` +
        `"drain linear in N" (${linear.rule}): ${linear.met ? 'MET' : 'NOT MET'} (${linear.factor === null ? 'n/a' : `${fixed(linear.factor, 2)}x`})`,
    );
  }
  const anchors = scenarios
    .filter(({ name }) => !name.startsWith('reauth'))
    .map(({ name }) => ({ name, linear: linearity(summaries, name) }));
  const issue16 = issueVerdict(summaries);
  if (issue16) {
    const ratio = (spread: typeof issue16.drain) => (spread ? ratioWithRange(spread) : 'n/a');
    console.log(
      `Issue 16 "drain of ${issue16.requests} 401s <= ${ISSUE_DRAIN_LIMIT}x ${issueScenarios[1]!.name}, same run": ` +
        `${issue16.met ? 'MET' : 'NOT MET'} (drain CPU ${ratio(issue16.drainCpu)}, wall ${ratio(issue16.drain)}; total wall ${ratio(issue16.total)}, ` +
        `paired repeat by repeat; every request succeeded: ${issue16.allSucceeded ? 'yes' : 'NO'})`,
    );
  }
  console.log('');
  return { settings, scenarios: summaries, targets: reauth, anchors, issue16 };
}
