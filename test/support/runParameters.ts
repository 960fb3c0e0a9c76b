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
