// The README section "TanStack Query", its code as written (main.tsx, Items.tsx, the retry snippet), run
// against the @reauth/msw kit serving https://api.example.com.
import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import { createMockAuthServer } from '@reauth/msw';
import { AuthProvider } from '@reauth/react';
import { authRetry, connectQueryClient, isAuthFailure } from '@reauth/react-query';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import axios from 'axios';
import { HttpResponse, http } from 'msw';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { LoginModal, startMswServer } from './support/shared';

const server = startMswServer();
const auth = createMockAuthServer({ baseUrl: 'https://api.example.com' });
const unmounts: (() => void)[] = [];
afterEach(() => {
  for (const unmount of unmounts.splice(0)) act(unmount);
  auth.controls.reset();
});

// main.tsx of the README, as written (the root element made first, and `unmount` kept for the test).
export const api = axios.create({ baseURL: 'https://api.example.com' });
const session = createSession({
  refresh: ({ refreshToken }) =>
    api.post('/auth/refresh', { refreshToken }, { skipAuth: true }).then((response) => response.data),
  storage: localStorage,
});
attachAuth(api, session);

const queryClient = new QueryClient(); // no retry of its own: connectQueryClient installs authRetry
connectQueryClient(queryClient, session);

function main() {
  document.body.innerHTML = '<div id="root"></div>';
  const root = createRoot(document.getElementById('root')!);
  act(() =>
    root.render(
      <QueryClientProvider client={queryClient}>
        <AuthProvider session={session}>
          <Items />
          <LoginModal api={api} />
        </AuthProvider>
      </QueryClientProvider>,
    ),
  );
  unmounts.push(() => root.unmount());
}

// Items.tsx: an ordinary query; nothing about auth in it, and never a token in its key.
export function Items() {
  const items = useQuery({
    queryKey: ['items'],
    queryFn: async ({ signal }) => (await api.get<{ id: number; name: string }[]>('/items', { signal })).data,
  });
  if (items.isPending) return <p>Loading…</p>;
  if (items.isError) return <p>Could not load the items.</p>;
  return (
    <ul>
      {items.data.map((item) => (
        <li key={item.id}>{item.name}</li>
      ))}
    </ul>
  );
}

// The README's retry snippet.
const fetchItems = async () => ['item'];
const customClient = new QueryClient({
  defaultOptions: { queries: { retry: (failureCount, error) => !isAuthFailure(error) && failureCount < 5 } },
});
const useItems = () => useQuery({ queryKey: ['items'], queryFn: fetchItems, retry: authRetry }); // without connectQueryClient

describe('README: TanStack Query', () => {
  it('signs in through the modal a signed-out query opened, keeps the items through an expired token, empties the cache on sign-out', async () => {
    server.use(
      ...auth.handlers,
      auth.protect(
        http.get('https://api.example.com/items', () => HttpResponse.json([{ id: 1, name: 'first item' }])),
      ),
    );
    main();
    // Signed out, the query's 401 opens the login modal; signing in there resumes the query.
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Sign in to continue');
    fireEvent.change(within(dialog).getByLabelText(/username/i), { target: { value: 'alice' } });
    fireEvent.change(within(dialog).getByLabelText(/password/i), { target: { value: 'wonderland' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('first item')).toBeTruthy();
    expect(screen.queryByText('Could not load the items.')).toBeNull();
    expect(auth.stats.requests.map((request) => [request.status, request.hadToken])).toEqual([
      [401, false],
      [200, true],
    ]);

    auth.controls.expireAccessTokens();
    await act(() => queryClient.refetchQueries());
    expect(screen.getByText('first item')).toBeTruthy();
    expect(auth.stats.refreshes).toBe(1);

    act(() => session.signOut());
    expect(queryClient.getQueryCache().getAll()).toEqual([]);
    await waitFor(() => expect(screen.queryByText('first item')).toBeNull());
  });

  it('compiles and applies the README’s own retry policies', () => {
    expect(typeof useItems).toBe('function');
    const retry = customClient.getDefaultOptions().queries?.retry;
    expect(
      typeof retry === 'function' && retry(4, Object.assign(new Error('HTTP 500'), { status: 500 })),
    ).toBe(true);
    expect(
      typeof retry === 'function' && retry(0, Object.assign(new Error('HTTP 401'), { status: 401 })),
    ).toBe(false);
  });
});
