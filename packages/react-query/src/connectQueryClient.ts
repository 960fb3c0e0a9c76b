import { misuse, type Session, type SessionState } from '@reauth/core';
import type { Query, QueryClient, QueryObserver } from '@tanstack/react-query';
import { authRetry } from './authRetry';
import { isAuthFailure } from './isAuthFailure';

const connections = new WeakMap<QueryClient, () => void>();

const hasData = (query: Query) => query.state.data !== undefined;

/**
 * Ties a QueryClient to a session: auth failures are not retried (`authRetry` becomes the default `retry` of
 * queries unless the client sets one) and no retry fires while the user re-authenticates; on sign-out both
 * caches are cleared; when a different user signs in (another `sub` than the last signed-in one, also across a
 * sign-out, from another tab or through a refresh) every query forgets its data before anything renders and the
 * active ones load again for the new user; after any other sign-in, the queries that failed for auth reasons
 * refetch once.
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
    throw misuse('connectQueryClient', 'expected a QueryClient and a session');
  }
  // The latest connection of a client is the one that acts (as the latest onReauth handler is): never two.
  connections.get(queryClient)?.();
  const cache = queryClient.getQueryCache();

  // Errors whose retries were held back while the user re-authenticated: they refetch after the sign-in. (A query
  // reset or removed meanwhile has no error: a stale entry matches nothing.)
  const held = new Set<unknown>();
  // While re-authenticating: remember the error and answer false (no retry).
  const retry = (failureCount: number, error: unknown) =>
    session.getState().status === 'reauthRequired' ? !held.add(error) : authRetry(failureCount, error);
  /** Sets the queries' default `retry` to `to` when it is `from`, every other default kept. */
  const replaceRetry = (from: unknown, to: typeof retry | undefined) => {
    const defaults = queryClient.getDefaultOptions();
    if (defaults.queries?.retry === from)
      queryClient.setDefaultOptions({ ...defaults, queries: { ...defaults.queries, retry: to as never } });
  };
  if (process.env.NODE_ENV !== 'production') {
    const ownRetry = queryClient.getDefaultOptions().queries?.retry;
    if (ownRetry !== undefined && ownRetry !== authRetry && ownRetry !== false && ownRetry !== 0) {
      console.warn(
        '[reauth] connectQueryClient: the QueryClient sets its own retry, so auth failures may be retried; build it on authRetry or isAuthFailure from @reauth/react-query.',
      );
    }
  }
  replaceRetry(undefined, retry);

  const refetchFailed = () => {
    void queryClient.invalidateQueries(
      // `error` is the last failure's until a fetch succeeds or the query is reset.
      { predicate: ({ state: { error } }) => held.has(error) || isAuthFailure(error) },
      // A query already fetching again keeps that fetch, never a second request.
      { cancelRefetch: false },
    );
    held.clear();
  };
  /** Every query forgets its data, also what a reset brings back (`initialData`) and what observers keep. */
  const forget = () => {
    for (const query of cache.getAll()) {
      query.reset();
      if (hasData(query)) query.setState({ data: undefined, dataUpdatedAt: 0, status: 'pending' });
      // An observer memoizes its placeholder (`keepPreviousData`): options without one drop it.
      for (const observer of query.observers) {
        const { options } = observer;
        observer.setOptions({ ...options, placeholderData: undefined });
        observer.setOptions(options);
      }
    }
  };

  // Who was signed in last (undefined: no one yet). A token without `sub` is nobody anyone can be the same as.
  const initial = session.getState();
  let wasSignedOut = initial.status === 'signedOut';
  // Restoring (a reload): no one is known yet, as when signed out; whoever it restores is no switch of user.
  let lastSub: unknown =
    wasSignedOut || initial.status === 'restoring' ? undefined : (initial.user?.sub ?? {});
  const mutations = queryClient.getMutationCache();
  // Mutations sent for the previous user can't be cancelled: when one settles, its callbacks have written its
  // answer into the cache (setQueryData in onSuccess): forgotten and loaded again for the new user.
  const previous = new Set<unknown>();
  // The observers on screen at the last sign-out.
  let shown: QueryObserver[] = [];
  const reload = () => {
    forget();
    void queryClient.refetchQueries({ type: 'active' }); // cancels the previous user's fetches in flight
  };
  /** The pending mutations are the previous user's (their writes are forgotten when they settle), then cleared. */
  const holdMutations = () => {
    for (const mutation of mutations.getAll())
      if (mutation.state.status === 'pending') previous.add(mutation);
    mutations.clear();
  };
  const switchUser = () => {
    holdMutations();
    reload();
  };
  const unsubscribeMutations = mutations.subscribe(({ mutation, type }) => {
    // `delete` answers whether it was one of the previous user's. Signed out, nothing loads (it would 401).
    if (type === 'updated' && mutation.state.status !== 'pending' && previous.delete(mutation))
      wasSignedOut ? forget() : reload();
  });
  const unsubscribeState = session.subscribe(({ status, user }: SessionState) => {
    const isSignedOut = status === 'signedOut';
    // A state subscriber (a view) may render synchronously: this one is registered first, and acts first.
    if (isSignedOut && !wasSignedOut) {
      holdMutations();
      // What is on screen: a query still loading is reset without a change its component renders, so it would wait
      // on a query the clear removes, which no refetch reaches; it loads at the next sign-in.
      shown = cache.getAll().flatMap((query) => query.observers);
      forget();
      queryClient.clear();
    }
    wasSignedOut = isSignedOut;
    // A token without `sub` is handled on its `signedIn` event.
    if (isSignedOut || user?.sub === undefined || user.sub === lastSub) return;
    // The first sign-in counts as a switch when the cache holds data of someone unknown (restored, or fetched
    // before connecting).
    const isSwitch = lastSub !== undefined || cache.getAll().some(hasData);
    lastSub = user.sub;
    if (isSwitch) switchUser();
  });
  const unsubscribe = session.on('*', (event) => {
    // reauthResolved alone: a refresh from another tab can end the prompt without a sign-in here.
    if (event.type === 'reauthResolved') refetchFailed();
    if (event.type !== 'signedIn') return;
    if (event.user?.sub === undefined) {
      lastSub = {};
      switchUser();
    } else refetchFailed();
    // A query already fetching keeps that fetch: never a second request.
    for (const observer of shown)
      if (observer.hasListeners()) void observer.refetch({ cancelRefetch: false });
    shown = [];
  });

  const disconnect = () => {
    // Again, or after a newer connection: unsubscribing twice is harmless, and the retry is no longer ours.
    if (connections.get(queryClient) === disconnect) connections.delete(queryClient);
    unsubscribe();
    unsubscribeState();
    unsubscribeMutations();
    // Back to no retry of its own (TanStack's default again), unless the app has set another since.
    replaceRetry(retry, undefined);
  };
  connections.set(queryClient, disconnect);
  return disconnect;
}
