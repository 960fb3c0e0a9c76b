import { isServer } from '@tanstack/react-query';
import { isAuthFailure } from './isAuthFailure';

/**
 * A `retry` function for TanStack Query: never retries an auth failure (an `AuthError`, an HTTP 401 or 403 —
 * see `isAuthFailure`), and retries anything else as TanStack does by default (3 times, none on the server).
 *
 * @param failureCount failures so far, as TanStack passes it (0 on the first failure)
 * @param error what the query function threw
 * @returns whether to try again
 * @example
 * const queryClient = new QueryClient({ defaultOptions: { queries: { retry: authRetry } } });
 * useQuery({ queryKey: ['items'], queryFn, retry: authRetry });
 */
export function authRetry(failureCount: number, error: unknown): boolean {
  return !isAuthFailure(error) && failureCount < (isServer ? 0 : 3);
}
