import type { Session } from '@reauth/core';
import { connectQueryClient } from '@reauth/react-query';
import {
  InfiniteQueryObserver,
  keepPreviousData,
  MutationObserver,
  QueryClient,
  QueryObserver,
} from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestSession, deferred, subOf, tokensFor } from './support/session';

// Account switches in the shapes apps really use (pagination, infinite lists, mutations).
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.restoreAllMocks();
});

function setup(options: Parameters<typeof createTestSession>[0] = {}) {
  const client = new QueryClient();
  const session = createTestSession(options);
  session.signIn(tokensFor('alice'));
  cleanups.push(connectQueryClient(client, session), () => client.clear());
  return { client, session };
}

/** A paginated list as in TanStack's docs: `placeholderData: keepPreviousData`, page 2 slow to load. */
async function paginated(client: QueryClient, session: Session) {
  const page2 = deferred<string>();
  const options = (page: number) => ({
    queryKey: ['items', page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      page === 2 && session.getState().user?.sub === 'alice'
        ? page2.promise
        : subOf(session).then((sub) => `page ${page} of ${sub}`),
  });
  const observer = new QueryObserver(client, options(1));
  cleanups.push(observer.subscribe(() => {}));
  await vi.waitFor(() => expect(observer.getCurrentResult().data).toBe('page 1 of alice'));
  observer.setOptions(options(2)); // alice turns the page: page 1 stays on screen while page 2 loads
  expect(observer.getCurrentResult()).toMatchObject({ data: 'page 1 of alice', isPlaceholderData: true });
  return { observer, page2 };
}

describe('connectQueryClient and keepPreviousData while a page loads', () => {
  // Was a bug (review, 2026-11-30): TanStack memoizes a placeholder (prevResult.isPlaceholderData + same placeholderData function), so
  // resetting the queries does not drop it: bob sees alice's page 1 until his page 2 lands.
  it('shows none of alice’s pages once bob signed in while her page 2 was loading', async () => {
    const { client, session } = setup();
    const { observer } = await paginated(client, session);
    session.signIn(tokensFor('bob'));
    expect(observer.getCurrentResult().data).toBeUndefined();
  });

  // Was a bug (review, 2026-11-30): same memoized placeholder on sign-out: query.reset() + clear() leave the observer's placeholder.
  it('shows none of alice’s pages after a sign-out while her page 2 was loading', async () => {
    const { client, session } = setup();
    const { observer } = await paginated(client, session);
    session.signOut();
    expect(observer.getCurrentResult().data).toBeUndefined();
  });
});

describe('connectQueryClient at a switch: work in flight, initialData, subscribers, first sign-in', () => {
  it('drops alice’s infinite list, also a next page in flight at the switch', async () => {
    const { client, session } = setup();
    const next = deferred<string>();
    const observer = new InfiniteQueryObserver(client, {
      queryKey: ['feed'],
      initialPageParam: 0,
      getNextPageParam: (_last: string, pages: string[]) => pages.length,
      queryFn: ({ pageParam }: { pageParam: number }) =>
        pageParam === 1 ? next.promise : subOf(session).then((sub) => `feed ${pageParam} of ${sub}`),
    });
    cleanups.push(observer.subscribe(() => {}));
    await vi.waitFor(() => expect(observer.getCurrentResult().data?.pages).toEqual(['feed 0 of alice']));
    void observer.fetchNextPage();
    session.signIn(tokensFor('bob'));
    next.resolve('feed 1 of alice');
    await vi.waitFor(() => expect(observer.getCurrentResult().data?.pages).toEqual(['feed 0 of bob']));
    await new Promise((settled) => setTimeout(settled, 0));
    expect(JSON.stringify(client.getQueryData(['feed']))).not.toContain('alice');
  });

  // A mutation can't be cancelled: alice's, landing after bob signed in, runs its onSuccess, and the usual
  // "update from the mutation response" writes alice's data into bob's cache; it is forgotten then.
  it('keeps alice’s mutation result out of bob’s cache when it lands after the switch', async () => {
    const { client, session } = setup();
    const saved = deferred<string>();
    const mutation = new MutationObserver(client, {
      mutationFn: () => saved.promise,
      onSuccess: (data: string) => client.setQueryData(['profile'], data),
    });
    const pending = mutation.mutate(undefined).catch(() => {});
    session.signIn(tokensFor('bob'));
    saved.resolve('profile of alice');
    await pending;
    expect(client.getQueryData(['profile'])).toBeUndefined();
  });

  // Was a bug (review, 2026-11-30): a refresh is not a sign-in, so a refresh answered with another user's token (a cookie-based refresh
  // endpoint after an account switch in another app or window) leaves the previous user's cache in place.
  it('resets when a refresh brings another user’s token', async () => {
    const { client, session } = setup({ refresh: async () => tokensFor('bob') });
    client.setQueryData(['items'], 'items of alice');
    await session.refresh();
    expect(session.getState().user?.sub).toBe('bob');
    expect(client.getQueryData(['items'])).toBeUndefined();
  });

  // Was a bug (review, 2026-11-30): resetQueries() puts each query back to the state it was built with, and a query built with
  // `initialData` computed from the cache (TanStack's "initial data from cache" pattern) was built from
  // alice's list: the reset writes alice's item back into bob's cache, and the mounted detail shows it
  // (status success) while bob's own fetch runs.
  it('does not bring alice’s item back through initialData taken from her cached list', async () => {
    const { client, session } = setup();
    client.setQueryData(['items'], [{ id: 1, owner: 'alice' }]);
    const bobsItem = deferred<{ id: number; owner: string }>();
    const observer = new QueryObserver(client, {
      queryKey: ['item', 1],
      queryFn: () => bobsItem.promise,
      initialData: () => client.getQueryData<{ id: number; owner: string }[]>(['items'])?.[0],
      staleTime: 60_000,
    });
    cleanups.push(observer.subscribe(() => {}));
    expect(observer.getCurrentResult().data).toEqual({ id: 1, owner: 'alice' });

    session.signIn(tokensFor('bob'));

    expect(client.getQueryData(['item', 1])).toBeUndefined();
    expect(observer.getCurrentResult().data).toBeUndefined();
  });

  // Was a bug (review, 2026-11-30): the same on sign-out: query.reset() hands the mounted detail alice's item again before clear().
  it('leaves a mounted query with initialData from the cache showing nothing after a sign-out', () => {
    const { client, session } = setup();
    client.setQueryData(['items'], [{ id: 1, owner: 'alice' }]);
    const observer = new QueryObserver(client, {
      queryKey: ['item', 1],
      queryFn: () => new Promise<never>(() => {}),
      initialData: () => client.getQueryData<{ id: number; owner: string }[]>(['items'])?.[0],
      staleTime: 60_000,
    });
    cleanups.push(observer.subscribe(() => {}));

    session.signOut();

    expect(observer.getCurrentResult().data).toBeUndefined();
  });

  // Was a bug (review, 2026-11-30): the session's state changes (and its subscribers run) before the `signedIn` event that triggers the
  // reset. A subscriber that renders synchronously — React 18's legacy root (ReactDOM.render; the peer range
  // is react >= 18), a non-React view — renders bob with alice's data. Listening with session.subscribe at
  // connect time (before any view subscribes) closes the window, and sees a refresh that changes `sub` too.
  it('has reset the cache before any state subscriber sees bob', () => {
    const { client, session } = setup();
    client.setQueryData(['items'], 'items of alice');
    const seen: unknown[] = [];
    cleanups.push(session.subscribe((state) => seen.push([state.user?.sub, client.getQueryData(['items'])])));

    session.signIn(tokensFor('bob'));

    expect(seen).toEqual([['bob', undefined]]);
  });

  // Was a bug (review, 2026-11-30): connected while signed out, the first sign-in never counts as a switch, so a cache filled before
  // it — restored by persistQueryClient from the last visit, whose user signed out with memory storage — is
  // shown to whoever signs in. After a known user signed out, the same cache would be reset for a new user.
  it('does not show a cache restored before the first sign-in to a user it cannot tell is the same', () => {
    const client = new QueryClient();
    client.setQueryData(['items'], 'items of alice'); // as a persister restores it at start-up
    const session = createTestSession(); // memory storage: signed out after the reload
    cleanups.push(connectQueryClient(client, session));

    session.signIn(tokensFor('bob'));

    expect(client.getQueryData(['items'])).toBeUndefined();
  });

  it('resets two QueryClients connected to one session, each once', async () => {
    const session = createTestSession();
    session.signIn(tokensFor('alice'));
    const clients = [new QueryClient(), new QueryClient()];
    for (const client of clients) {
      cleanups.push(connectQueryClient(client, session));
      client.setQueryData(['items'], 'items of alice');
    }
    session.signIn(tokensFor('bob'));
    expect(clients.map((client) => client.getQueryData(['items']))).toEqual([undefined, undefined]);
  });
});

describe('connectQueryClient’s warning about a retry of the client’s own', () => {
  // Was a bug (review, 2026-11-30): `retry: false` (or 0) retries nothing, auth failures included, yet the warning says they may be retried.
  it('does not warn about a client that never retries', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    cleanups.push(connectQueryClient(client, createTestSession()));
    expect(warn).not.toHaveBeenCalled();
  });
});
