import { connectQueryClient } from '@reauth/react-query';
import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestSession, tokensFor } from './support/session';

// What a query holds once a switch of user made it forget its data: the state of a query that never loaded,
// though its reset brought `initialData` back, the rest of the reset state kept as it is.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('a query forgotten at a switch of user', () => {
  it('is pending with no data and no update time, its other state as the reset left it', () => {
    const client = new QueryClient();
    const session = createTestSession();
    session.signIn(tokensFor('alice'));
    cleanups.push(connectQueryClient(client, session), () => client.clear());
    // Inactive (no observer): nothing loads it again after the switch, so its state is what the switch left.
    client.getQueryCache().build(client, {
      queryKey: ['item'],
      initialData: 'item of alice',
      initialDataUpdatedAt: 1_000,
    });
    expect(client.getQueryState(['item'])).toMatchObject({ status: 'success', dataUpdatedAt: 1_000 });

    session.signIn(tokensFor('bob'));

    expect(client.getQueryState(['item'])).toEqual({
      data: undefined,
      dataUpdatedAt: 0,
      status: 'pending',
      dataUpdateCount: 0,
      error: null,
      errorUpdateCount: 0,
      errorUpdatedAt: 0,
      fetchFailureCount: 0,
      fetchFailureReason: null,
      fetchMeta: null,
      isInvalidated: false,
      fetchStatus: 'idle',
    });
  });
});
