import { createMockApi } from './mockApi';
import type { StormScenario } from './storm';

/** Heap figures of one probe, in bytes, each taken after a forced GC. */
export interface MemoryProbe {
  name: string;
  requests: number;
  baseline: number;
  /** With every request waiting on a refresh that has not answered. */
  held: number;
  settled: number;
  succeeded: number;
  bytesPerQueuedRequest: number;
  /** After every request settled, against the baseline: what was not given back. */
  settledDelta: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
/** Whether the figures mean anything: node must run with `--expose-gc`. */
export const canForceGc = gc !== undefined;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function heapAfterGc(): Promise<number> {
  // Twice, with a macrotask between: finalizers and weak references let go in the second pass.
  for (let pass = 0; pass < 2; pass += 1) {
    gc?.();
    await tick();
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Heap held by `requests` requests queued behind a refresh that has not answered, and after they settle.
 * The figure per request includes what every client pays alike: axios's request objects and the probe's
 * own promise per request.
 */
export async function probeMemory(scenario: StormScenario, requests: number): Promise<MemoryProbe> {
  const mock = await createMockApi('held', scenario.token);
  const api = await scenario.createClient(mock.adapter, mock.stale);
  const baseline = await heapAfterGc();
  let settledCount = 0;
  let succeeded = 0;
  const all = Promise.all(
    Array.from({ length: requests }, (_, index) =>
      api.get(`/api/items/${index}`).then(
        () => {
          succeeded += 1;
          settledCount += 1;
        },
        () => {
          settledCount += 1;
        },
      ),
    ),
  );
  // Until every first send has had its answer and the refresh has been asked for (or everything settled).
  const deadline = performance.now() + 2000;
  while (
    !((mock.stats.refreshCalls > 0 || settledCount === requests) && mock.stats.inFlight === 0) &&
    performance.now() < deadline
  )
    await tick();
  for (let more = 0; more < 10; more += 1) await tick();
  const held = await heapAfterGc();
  mock.release();
  await all;
  const settled = await heapAfterGc();
  return {
    name: scenario.name,
    requests,
    baseline,
    held,
    settled,
    succeeded,
    bytesPerQueuedRequest: (held - baseline) / requests,
    settledDelta: settled - baseline,
  };
}
