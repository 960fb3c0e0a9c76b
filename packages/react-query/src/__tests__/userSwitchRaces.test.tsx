// biome-ignore-all lint/correctness/noComponentHookFactories: each test defines the components it drives, closing over its own session
import { AuthProvider, useAuth } from '@reauth/react';
import { connectQueryClient } from '@reauth/react-query';
import {
  MutationObserver,
  QueryClient,
  QueryClientProvider,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useSuspenseQuery,
} from '@tanstack/react-query';
import { act, render, screen, waitFor } from '@testing-library/react';
import { type ReactNode, Suspense } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestSession, deferred, tokensFor } from './support/session';

// "no data of one user shown to the next" and "refetch after re-auth" as real apps
// drive TanStack Query through React.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.restoreAllMocks();
});

/** Lets every pending timer and microtask of TanStack (retries with retryDelay 0, notifications) run. */
const settle = async () => {
  for (let turn = 0; turn < 5; turn += 1) {
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
  }
};

function setup({ retry }: { retry?: number } = {}) {
  const session = createTestSession();
  session.signIn(tokensFor('alice'));
  const client = new QueryClient({
    defaultOptions: { queries: { retryDelay: 0, ...(retry !== undefined && { retry }) } },
  });
  cleanups.push(connectQueryClient(client, session), () => client.clear());
  const wrap = (children: ReactNode) => (
    <QueryClientProvider client={client}>
      <AuthProvider session={session}>{children}</AuthProvider>
    </QueryClientProvider>
  );
  return { session, client, wrap };
}

/** A query function whose answers the test gives by hand, each call remembering who was signed in. */
function manualFetches(session: ReturnType<typeof createTestSession>) {
  const calls: { sub: unknown; answer: ReturnType<typeof deferred<string>> }[] = [];
  const queryFn = () => {
    const answer = deferred<string>();
    calls.push({ sub: session.getState().user?.sub ?? null, answer });
    return answer.promise; // ignores the AbortSignal, as most hand-written fetchers do
  };
  return { calls, queryFn };
}

describe('no data of one user shown to the next', () => {
  it('a list loading (alice) across sign-out and bob’s sign-in loads bob’s items and never shows hers', async () => {
    const { session, client, wrap } = setup();
    const { calls, queryFn } = manualFetches(session);
    const shown: string[] = [];
    function Items() {
      const query = useQuery({ queryKey: ['items'], queryFn });
      const text = query.data ?? 'loading';
      shown.push(text);
      return <output aria-label="items">{text}</output>;
    }
    render(wrap(<Items />));
    await waitFor(() => expect(calls).toHaveLength(1));
    act(() => session.signOut());
    act(() => session.signIn(tokensFor('bob')));
    const seenBeforeLanding = shown.length;
    await act(async () => calls[0]?.answer.resolve('items of alice'));
    // Bob's list must load for bob (the query of the mounted list was in flight, so it holds no data).
    await settle();
    expect(calls.map((call) => call.sub)).toContain('bob');
    for (const call of calls) if (call.sub === 'bob') call.answer.resolve('items of bob');
    await waitFor(() => expect(screen.getByLabelText('items').textContent).toBe('items of bob'));
    expect(shown.slice(seenBeforeLanding)).not.toContain('items of alice');
    expect(client.getQueryData(['items'])).toBe('items of bob');
  });

  it('a list loading at a sign-out loads again when the same user signs back in (`const { data } = useQuery()` + spinner)', async () => {
    const { session, wrap } = setup();
    const { calls, queryFn } = manualFetches(session);
    function Items() {
      const { data } = useQuery({ queryKey: ['items'], queryFn });
      return <output aria-label="items">{data ?? 'loading'}</output>;
    }
    render(wrap(<Items />));
    await waitFor(() => expect(calls).toHaveLength(1));
    act(() => session.signOut());
    act(() => session.signIn(tokensFor('alice')));
    await settle();
    // A fetch for the signed-in alice must start (the first one was cancelled by the sign-out).
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls.slice(1)) call.answer.resolve('items of alice');
    await settle();
    expect(screen.getByLabelText('items').textContent).toBe('items of alice');
  });

  it('control: the same list loading at a sign-out, in a component that also reads useAuth, loads for bob', async () => {
    const { session, wrap } = setup();
    const { calls, queryFn } = manualFetches(session);
    function Items() {
      useAuth((auth) => auth.status); // re-renders at every sign-in/out, so useQuery re-subscribes
      const { data } = useQuery({ queryKey: ['items'], queryFn });
      return <output aria-label="items">{data ?? 'loading'}</output>;
    }
    render(wrap(<Items />));
    await waitFor(() => expect(calls).toHaveLength(1));
    act(() => session.signOut());
    act(() => session.signIn(tokensFor('bob')));
    await settle();
    expect(calls.map((call) => call.sub)).toContain('bob');
  });

  it('a list that failed with SESSION_EXPIRED fetches exactly once for the next user', async () => {
    const { session, wrap } = setup();
    const subs: unknown[] = [];
    function Items() {
      const query = useQuery({
        queryKey: ['items'],
        queryFn: async () => {
          const sub = session.getState().user?.sub ?? null;
          subs.push(sub);
          if (sub === 'alice') throw Object.assign(new Error('401'), { status: 401 });
          return `items of ${String(sub)}`;
        },
      });
      return <output aria-label="items">{query.data ?? query.status}</output>;
    }
    render(wrap(<Items />));
    await screen.findByText('error');
    act(() => session.signIn(tokensFor('bob')));
    await screen.findByText('items of bob');
    await settle();
    expect(subs).toEqual(['alice', 'bob']);
  });

  it('a mutation of alice in flight across sign-out and bob’s sign-in keeps its onSuccess write out of bob’s cache', async () => {
    const { session, client } = setup();
    const saved = deferred<string>();
    const mutation = new MutationObserver(client, {
      mutationFn: () => saved.promise,
      onSuccess: (data: string) => client.setQueryData(['profile'], data),
    });
    const pending = mutation.mutate(undefined).catch(() => {});
    session.signOut(); // alice signs out while her "save profile" is still on the wire
    session.signIn(tokensFor('bob'));
    saved.resolve('profile of alice');
    await pending;
    expect(client.getQueryData(['profile'])).toBeUndefined();
  });

  it('on screen: bob never sees alice’s profile written by her "save" (useMutation onSuccess → setQueryData) landing after he signed in', async () => {
    const { session, client, wrap } = setup();
    const saved = deferred<string>();
    let save: () => void = () => {};
    const shown: string[] = [];
    function Profile() {
      const user = useAuth((auth) => String(auth.user?.sub ?? 'nobody'));
      const { data } = useQuery({
        queryKey: ['profile'],
        queryFn: async () => `profile of ${String(session.getState().user?.sub ?? 'nobody')}`,
      });
      const mutation = useMutation({
        mutationFn: () => saved.promise,
        onSuccess: (profile: string) => client.setQueryData(['profile'], profile),
      });
      save = () => mutation.mutate();
      shown.push(`${user}: ${data ?? 'loading'}`);
      return <output aria-label="profile">{data ?? 'loading'}</output>;
    }
    render(wrap(<Profile />));
    await screen.findByText('profile of alice');
    act(() => save());
    act(() => session.signOut());
    act(() => session.signIn(tokensFor('bob')));
    await screen.findByText('profile of bob');
    await act(async () => saved.resolve('profile of alice (saved)'));
    await settle();
    expect(shown.filter((line) => line.startsWith('bob:') && line.includes('alice'))).toEqual([]);
    expect(screen.getByLabelText('profile').textContent).toBe('profile of bob');
  });

  it('a mutation of alice in flight at a sign-out keeps its write out of the signed-out cache', async () => {
    const { session, client } = setup();
    const saved = deferred<string>();
    const mutation = new MutationObserver(client, {
      mutationFn: () => saved.promise,
      onSuccess: (data: string) => client.setQueryData(['profile'], data),
    });
    const pending = mutation.mutate(undefined).catch(() => {});
    session.signOut();
    saved.resolve('profile of alice');
    await pending;
    // "on sign-out both caches are cleared": a public page rendered now must find nothing of alice.
    expect(client.getQueryData(['profile'])).toBeUndefined();
  });

  it('useSuspenseQuery: alice’s answer landing after bob signed in is never rendered', async () => {
    const { session, client, wrap } = setup();
    const { calls, queryFn } = manualFetches(session);
    const shown: string[] = [];
    function Items() {
      const { data } = useSuspenseQuery({ queryKey: ['items'], queryFn });
      shown.push(data);
      return <output aria-label="items">{data}</output>;
    }
    render(wrap(<Suspense fallback={<p>suspended</p>}>{<Items />}</Suspense>));
    await waitFor(() => expect(calls).toHaveLength(1));
    calls[0]?.answer.resolve('items of alice');
    await screen.findByText('items of alice');
    // Alice reloads the list, bob takes over the browser while it is loading.
    act(() => void client.invalidateQueries({ queryKey: ['items'] }));
    await waitFor(() => expect(calls).toHaveLength(2));
    act(() => session.signIn(tokensFor('bob')));
    const seen = shown.length;
    for (const call of calls.slice(1)) if (call.sub === 'alice') call.answer.resolve('items of alice v2');
    await waitFor(() => expect(calls.some((call) => call.sub === 'bob')).toBe(true));
    for (const call of calls) if (call.sub === 'bob') call.answer.resolve('items of bob');
    await screen.findByText('items of bob');
    expect(shown.slice(seen).filter((text) => text.includes('alice'))).toEqual([]);
  });

  it('useSuspenseQuery: a list suspended (first load) across sign-out and bob’s sign-in loads bob’s items', async () => {
    const { session, wrap } = setup();
    const { calls, queryFn } = manualFetches(session);
    function Items() {
      const { data } = useSuspenseQuery({ queryKey: ['items'], queryFn });
      return <output aria-label="items">{data}</output>;
    }
    render(wrap(<Suspense fallback={<p>suspended</p>}>{<Items />}</Suspense>));
    await waitFor(() => expect(calls).toHaveLength(1));
    act(() => session.signOut());
    act(() => session.signIn(tokensFor('bob')));
    await act(async () => calls[0]?.answer.resolve('items of alice'));
    await settle();
    expect(calls.map((call) => call.sub)).toContain('bob');
    for (const call of calls) if (call.sub === 'bob') call.answer.resolve('items of bob');
    await screen.findByText('items of bob');
  });

  it('an infinite list: alice’s next page landing after sign-out and bob’s sign-in is not in bob’s list', async () => {
    const { session, client, wrap } = setup();
    const pages: { sub: unknown; page: number; answer: ReturnType<typeof deferred<string>> }[] = [];
    let fetchNext: () => unknown = () => {};
    function List() {
      const query = useInfiniteQuery({
        queryKey: ['feed'],
        initialPageParam: 1,
        getNextPageParam: (_last: string, all: string[]) => all.length + 1,
        queryFn: ({ pageParam }) => {
          const answer = deferred<string>();
          pages.push({ sub: session.getState().user?.sub ?? null, page: pageParam, answer });
          return answer.promise;
        },
      });
      fetchNext = query.fetchNextPage;
      return <output aria-label="feed">{query.data?.pages.join(', ') ?? 'loading'}</output>;
    }
    render(wrap(<List />));
    await waitFor(() => expect(pages).toHaveLength(1));
    pages[0]?.answer.resolve('alice 1');
    await screen.findByText('alice 1');
    act(() => void fetchNext());
    await waitFor(() => expect(pages).toHaveLength(2));
    act(() => session.signOut());
    act(() => session.signIn(tokensFor('bob')));
    pages[1]?.answer.resolve('alice 2');
    await waitFor(() => expect(pages.some((page) => page.sub === 'bob')).toBe(true));
    for (const page of pages) if (page.sub === 'bob') page.answer.resolve(`bob ${page.page}`);
    await screen.findByText('bob 1');
    expect(JSON.stringify(client.getQueryData(['feed']))).not.toContain('alice');
  });
});

describe('refetch after re-authentication, retries', () => {
  const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

  it('two mounted lists that failed with a 401 refetch exactly once each after the same user signs in, even if signIn is called twice', async () => {
    const { session, wrap } = setup();
    let failing = true;
    const counts = { a: 0, b: 0 };
    const fetcher = (key: 'a' | 'b') => async () => {
      counts[key] += 1;
      if (failing) throw httpError(401);
      return `${key} ok`;
    };
    function Lists() {
      const a = useQuery({ queryKey: ['a'], queryFn: fetcher('a') });
      const a2 = useQuery({ queryKey: ['a'], queryFn: fetcher('a') }); // a second observer of the same key
      const b = useQuery({ queryKey: ['b'], queryFn: fetcher('b') });
      return (
        <p>
          {String(a.data ?? a.status)} {String(a2.data ?? a2.status)} {String(b.data ?? b.status)}
        </p>
      );
    }
    render(wrap(<Lists />));
    await screen.findByText('error error error');
    await settle();
    expect(counts).toEqual({ a: 1, b: 1 }); // a 401 is never retried
    failing = false;
    const tokens = tokensFor('alice');
    act(() => {
      session.signIn(tokens);
      session.signIn(tokens); // a login form submitted twice
    });
    await screen.findByText('a ok a ok b ok');
    await settle();
    expect(counts).toEqual({ a: 2, b: 2 });
  });

  it('a 403 is never retried (authRetry as the installed default), also not at the next sign-in of the same user after success', async () => {
    const { wrap } = setup();
    let calls = 0;
    function Admin() {
      const query = useQuery({
        queryKey: ['admin'],
        queryFn: async () => {
          calls += 1;
          throw httpError(403);
        },
      });
      return <p>{query.status}</p>;
    }
    render(wrap(<Admin />));
    await screen.findByText('error');
    await settle();
    expect(calls).toBe(1);
  });

  it('other errors get TanStack’s default of 3 retries (4 runs)', async () => {
    const { wrap } = setup();
    let calls = 0;
    function Flaky() {
      const query = useQuery({
        queryKey: ['flaky'],
        queryFn: async () => {
          calls += 1;
          throw httpError(503);
        },
      });
      return <p>{query.status}</p>;
    }
    render(wrap(<Flaky />));
    await screen.findByText('error');
    await settle();
    expect(calls).toBe(4);
  });
});
