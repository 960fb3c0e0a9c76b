import fc from 'fast-check';
import { describe, it } from 'vitest';
import { interleavingsProperty, usePropertyHooks } from '#test-support/model';
import { fetchTransport } from './support/propertyModel';

describe('properties over random interleavings', () => {
  usePropertyHooks();

  it('fetch + session hold every invariant whatever order answers, expiries, aborts and sign-outs land in', async () => {
    await fc.assert(interleavingsProperty(fetchTransport), { numRuns: 300 });
  }, 60_000);
});
