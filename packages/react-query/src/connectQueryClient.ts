import type { Session } from '@reauth/core';
import type { Query, QueryClient } from '@tanstack/react-query';
import { authRetry } from './authRetry';
import { isAuthFailure } from './isAuthFailure';

const connections = new WeakMap<QueryClient, () => void>();

/**
 * Ties a QueryClient to a session: auth failures are not retried (`authRetry` becomes the default `retry` of
 * queries unless the client sets one) and no retry fires while the user re-authenticates; on sign-out both
 * caches are cleared; when a different user signs in (another `sub` than the last signed-in one, also across a
 * sign-out or from another tab) every query is reset before anything renders and the active ones load again
 * for the new user; after any other sign-in, the queries that failed for auth reasons refetch once.
 *
 * @param queryClient the app's `QueryClient`
 * @param session from `createSession()`
 * @returns disconnect: unsubscribes and restores the `retry` default it installed; calling it again does nothing.
 *   Connecting the same client again replaces the earlier connection (the latest acts, as with `onReauth`).
 * @example
 * const queryClient = new QueryClient();
 * const disconnect = connectQueryClient(queryClient, session);
 */
export function connectQueryClient(queryClient: QueryClient, session: Session): () => void {
  if (!queryClient?.getQueryCache || !session?.on) {
    throw new TypeError('[reauth] connectQueryClient: expected a QueryClient and a session.');
  }
  // The latest connection of a client is the one that acts (as the latest onReauth handler is): never two.
  connections.get(queryClient)?.();

  // Errors whose retries were held back while the user re-authenticated: they refetch after the sign-in. (A query
  // reset or removed meanwhile has no error: a stale entry matches nothing.)
  const held = new Set<unknown>();
  // While re-authenticating: remember the error and answer false (no retry).
  const retry = (failureCount: number, error: unknown) =>
    session.getState().status === 'reauthRequired' ? !held.add(error) : authRetry(failureCount, error);
  const defaults = queryClient.getDefaultOptions();
  const ownRetry = defaults.queries?.retry;
  if (ownRetry === undefined)
    queryClient.setDefaultOptions({ ...defaults, queries: { ...defaults.queries, retry } });
  else if (process.env.NODE_ENV !== 'production' && ownRetry !== authRetry) {
    console.warn(
      '[reauth] connectQueryClient: the QueryClient sets its own retry, so auth failures may be retried; build it on authRetry or isAuthFailure from @reauth/react-query.',
    );
  }

  // `error` is the last failure's until a fetch succeeds or the query is reset.
  const isFailed = ({ state: { error } }: Query) => held.has(error) || isAuthFailure(error);
  const refetchFailed = () => {
    // cancelRefetch false: a query already fetching again keeps that fetch, never a second request.
    void queryClient.invalidateQueries({ predicate: isFailed }, { cancelRefetch: false });
    held.clear();
  };

  // undefined: no one signed in yet. A user with no `sub` gets a fresh object: never "the same" as anyone.
  const { status, user } = session.getState();
  let lastSub: unknown = status === 'signedOut' ? undefined : (user?.sub ?? {});
  const unsubscribe = session.on('*', (event) => {
    if (event.type === 'signedOut') {
      // Reset first: mounted observers (and `keepPreviousData`) still hold the queries that clear() drops.
      for (const query of queryClient.getQueryCache().getAll()) query.reset();
      queryClient.clear();
    }
    // reauthResolved alone: a refresh from another tab can end the prompt without a sign-in here.
    if (event.type === 'reauthResolved') refetchFailed();
    if (event.type !== 'signedIn') return;
    const sub = event.user?.sub ?? {};
    const isSwitch = lastSub !== undefined && sub !== lastSub;
    lastSub = sub;
    if (!isSwitch) return refetchFailed();
    queryClient.getMutationCache().clear();
    // Synchronous, inside the sign-in: each query drops its data (in-flight fetches are cancelled) before
    // React renders again, and the active ones fetch with the new user's token.
    void queryClient.resetQueries();
  });

  const disconnect = () => {
    // Again, or after a newer connection: unsubscribing twice is harmless, and the retry is no longer ours.
    if (connections.get(queryClient) === disconnect) connections.delete(queryClient);
    unsubscribe();
    const current = queryClient.getDefaultOptions();
    if (current.queries?.retry === retry) {
      // Back to no retry of its own: TanStack's default again.
      queryClient.setDefaultOptions({
        ...current,
        queries: { ...current.queries, retry: undefined as never },
      });
    }
  };
  connections.set(queryClient, disconnect);
  return disconnect;
}
