import { startAuthServer } from '../../../test/support/authServer';
import { type ActResult, concurrentExpiry, permissionProblems, refusedRefresh, type Stage } from './acts';
import { createDemoClient } from './client';
import { createTimeline } from './timeline';

// A smoke check must fail rather than hang; unref'd, so it never holds the process open itself.
const WATCHDOG_MS = 30_000;

async function main(): Promise<boolean> {
  const timeline = createTimeline();
  const server = await startAuthServer();
  const watchdog = setTimeout(() => {
    console.error(`[node-demo] no result after ${WATCHDOG_MS / 1000} s: something is stuck.`);
    process.exit(1);
  }, WATCHDOG_MS).unref();
  const stage: Stage = { server, client: createDemoClient(server, timeline), timeline };

  timeline.say(`reauth node demo: a real auth API on ${server.url}, axios with @reauth/axios attached`);
  timeline.say('lanes: REQ the app and its requests · AUTH the reauth session · API the server');
  const results: [string, ActResult][] = [];
  try {
    for (const act of [concurrentExpiry, refusedRefresh, permissionProblems]) {
      const result = await act(stage);
      results.push([`Act ${results.length + 1}`, result]);
      timeline.say(
        `${result.failures.length ? '✗' : '✓'} ${result.summary}`,
        result.failures.length ? 'bad' : 'good',
      );
    }
  } finally {
    clearTimeout(watchdog);
    await server.close();
  }

  timeline.say('');
  timeline.say('Summary (measured from the server stats and the session events)');
  for (const [act, { summary, failures }] of results) {
    timeline.say(`  ${failures.length ? '✗' : '✓'} ${act}  ${summary}`, failures.length ? 'bad' : 'good');
    for (const failure of failures) timeline.say(`      ${failure}`, 'bad');
  }
  const isClean = !timeline.hasLeaked();
  timeline.say(
    `  ${isClean ? '✓ no token was printed' : '✗ a token reached the output (redacted)'}`,
    isClean ? 'good' : 'bad',
  );
  return isClean && results.every(([, { failures }]) => failures.length === 0);
}

main().then(
  (isOk) => {
    process.exitCode = isOk ? 0 : 1;
  },
  (error: unknown) => {
    console.error('[node-demo] the demo crashed:', error);
    process.exitCode = 1;
  },
);
