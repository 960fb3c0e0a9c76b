import type { Session } from '@reauth/core';
import { authRetry, connectQueryClient, isAuthFailure } from '@reauth/react-query';
import { QueryClient, type QueryClientConfig, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { describe, expectTypeOf, it } from 'vitest';

// Checked by `tsc`: these lines fail the typecheck if the types do not fit; the hook is never called.

const useItems = () => useQuery({ queryKey: ['items'], queryFn: async () => 'items', retry: authRetry });

describe('types', () => {
  it('lets authRetry be the client’s default retry and a query’s retry', () => {
    expectTypeOf(authRetry).toExtend<
      NonNullable<NonNullable<NonNullable<QueryClientConfig['defaultOptions']>['queries']>['retry']>
    >();
    expectTypeOf(authRetry).toExtend<NonNullable<UseQueryOptions<string, Error>['retry']>>();
    new QueryClient({ defaultOptions: { queries: { retry: authRetry } } });
    expectTypeOf(useItems).returns.toHaveProperty('data').toEqualTypeOf<string | undefined>();
  });

  it('types connectQueryClient as (QueryClient, Session) => () => void', () => {
    expectTypeOf(connectQueryClient).parameters.toEqualTypeOf<[QueryClient, Session]>();
    expectTypeOf(connectQueryClient).returns.toEqualTypeOf<() => void>();
    expectTypeOf(isAuthFailure).toEqualTypeOf<(error: unknown) => boolean>();
    // @ts-expect-error a session is required
    expectTypeOf(connectQueryClient).toBeCallableWith(new QueryClient());
  });
});
