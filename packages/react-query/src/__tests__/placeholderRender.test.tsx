import { AuthProvider, useAuth } from '@reauth/react';
import { connectQueryClient } from '@reauth/react-query';
import {
  keepPreviousData,
  QueryClient,
  QueryClientProvider,
  useQuery,
  useSuspenseQuery,
} from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import { Suspense, useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestSession, deferred, subOf, tokensFor } from './support/session';

// Review tests in React: every render is logged with the user signed in at that moment; none may show another
// user's data.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function world() {
  const session = createTestSession();
  session.signIn(tokensFor('alice'));
  const queryClient = new QueryClient();
  cleanups.push(connectQueryClient(queryClient, session), () => queryClient.clear());
  const log: { user: string | null; text: string }[] = [];
  const leaks = () => log.filter(({ user, text }) => user !== 'alice' && text.includes('alice'));
  return { session, queryClient, log, leaks };
}
type World = ReturnType<typeof world>;

let turnPage: (page: number) => void = () => {};
function Pages({ w, slow }: { w: World; slow: Promise<string> }) {
  const user = useAuth((auth) => auth.user?.sub ?? null);
  const [page, setPage] = useState(1);
  turnPage = setPage;
  const query = useQuery({
    queryKey: ['items', page],
    placeholderData: keepPreviousData,
    queryFn: () =>
      page === 2 && w.session.getState().user?.sub === 'alice'
        ? slow
        : subOf(w.session).then((sub) => `page ${page} of ${sub}`),
  });
  const text = query.data ?? 'loading';
  w.log.push({ user, text });
  return <output>{text}</output>;
}

function Profile({ w }: { w: World }) {
  const user = useAuth((auth) => auth.user?.sub ?? null);
  const { data } = useSuspenseQuery({
    queryKey: ['profile'],
    queryFn: () => subOf(w.session).then((sub) => `profile of ${sub}`),
    select: (text: string) => text.toUpperCase(),
  });
  w.log.push({ user, text: data.toLowerCase() });
  return <output>{data}</output>;
}

const app = (w: World, children: React.ReactNode) => (
  <QueryClientProvider client={w.queryClient}>
    <AuthProvider session={w.session}>{children}</AuthProvider>
  </QueryClientProvider>
);

describe('what React renders across an account switch', () => {
  // Was a bug (review, 2026-11-30): see review.connectQueryClient.test.ts: TanStack's memoized placeholder survives resetQueries, so the
  // mounted list renders alice's page 1 to bob until bob's page 2 arrives. Fix in connectQueryClient (the
  // signedIn/signedOut listener): after the reset, make each observer recompute without the placeholder.
  it('never renders alice’s page to bob when he signs in while her page 2 loads', async () => {
    const w = world();
    render(app(w, <Pages w={w} slow={deferred<string>().promise} />));
    await screen.findByText('page 1 of alice');
    act(() => turnPage(2));

    act(() => w.session.signIn(tokensFor('bob')));
    await screen.findByText('page 2 of bob');

    expect(w.leaks()).toEqual([]);
  });

  it('suspends again on a switch and never renders alice’s suspense data (with select) to bob', async () => {
    const w = world();
    render(app(w, <Suspense fallback={<p>loading</p>}>{<Profile w={w} />}</Suspense>));
    await screen.findByText('PROFILE OF ALICE');

    act(() => w.session.signIn(tokensFor('bob')));
    await screen.findByText('PROFILE OF BOB');

    expect(w.leaks()).toEqual([]);
    expect(w.log.at(-1)).toEqual({ user: 'bob', text: 'profile of bob' });
  });
});
