import { canForceGc, type MemoryProbe, probeMemory } from './memory';
import { scenarios } from './scenarios';
import { formatTable, thousands } from './table';

/** "Back to baseline": the heap after settling within this much of the one before the requests. */
const TOLERANCE = { bytes: 1024 * 1024, share: 0.05 };

const kB = (bytes: number) => `${thousands(bytes / 1024)} kB`;

/**
 * 3. Memory: heap held by `requests` queued requests and after they settle, per scenario (one warm-up probe
 * of 100 requests each first). Prints the table and the verdict; returns the figures for latest.json.
 */
export async function reportMemory(settings: { requests: number }) {
  console.log(
    `3. Memory: ${settings.requests} requests queued behind a refresh that has not answered, heapUsed after forced GC` +
      (canForceGc ? '' : ' (NO --expose-gc: figures meaningless)'),
  );
  for (const scenario of scenarios) await probeMemory(scenario, 100);
  const probes: MemoryProbe[] = [];
  for (const scenario of scenarios) probes.push(await probeMemory(scenario, settings.requests));
  const limit = (probe: MemoryProbe) => Math.max(TOLERANCE.bytes, probe.baseline * TOLERANCE.share);
  console.log(
    formatTable(
      [
        'client',
        'baseline',
        'held',
        'bytes / queued req',
        'after settle',
        'delta',
        'succeeded',
        'back to baseline',
      ],
      probes.map((probe) => [
        probe.name,
        kB(probe.baseline),
        kB(probe.held),
        thousands(probe.bytesPerQueuedRequest),
        kB(probe.settled),
        `${probe.settledDelta >= 0 ? '+' : ''}${kB(probe.settledDelta)}`,
        String(probe.succeeded),
        Math.abs(probe.settledDelta) <= limit(probe) ? 'yes' : 'NO',
      ]),
    ),
  );
  const reauth = probes.slice(0, 2);
  const met = canForceGc && reauth.every((probe) => Math.abs(probe.settledDelta) <= limit(probe));
  console.log(
    `Target "reauth: heap back to baseline after ${settings.requests} requests settle" (within 1 MB or 5 % of the ` +
      `baseline): ${met ? 'MET' : 'NOT MET'}\n`,
  );
  return { settings, tolerance: TOLERANCE, canForceGc, probes, target: { met } };
}
