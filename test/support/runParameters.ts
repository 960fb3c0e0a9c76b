import type fc from 'fast-check';

/**
 * fast-check's parameters: `numRuns`, or RUNS=5000 to search harder; SEED=… FC_PATH=… replays a
 * counterexample that fast-check printed.
 * @example await fc.assert(property, runParameters(150));
 */
export const runParameters = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns: Number(process.env.RUNS ?? numRuns),
  ...(process.env.SEED ? { seed: Number(process.env.SEED), endOnFailure: true } : {}),
  ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
});

/**
 * A property test's timeout for the runs it will make: `ms` at its own `numRuns`, as much more as RUNS asks for.
 * A search at RUNS=20000 would otherwise hit the timeout, and a failure found late would be lost: vitest ends the
 * test before fast-check prints its seed and counterexample.
 * @example it('…', async () => { await fc.assert(property, runParameters(150)); }, runTimeout(120_000, 150));
 */
export const runTimeout = (ms: number, numRuns: number): number =>
  Math.ceil(ms * Math.max(1, Number(process.env.RUNS ?? numRuns) / numRuns));
