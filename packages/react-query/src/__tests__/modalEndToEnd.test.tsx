// biome-ignore-all lint/correctness/noComponentHookFactories: each test defines the components it drives
import { AuthProvider } from '@reauth/react';
import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { API, LoginModal, startMswServer } from './support/shared';
import { createWorld, type World } from './support/world';

// "no storm" after re-authentication, end to end (axios + msw kit + login modal).
const server = startMswServer();
const names = ['items', 'orders', 'messages'];

function Lists({ world }: { world: World }) {
  const queries = names.map((name) =>
    // biome-ignore lint/correctness/useHookAtTopLevel: a fixed list of names, the same hooks at every render
    useQuery({
      queryKey: [name],
      queryFn: async () => (await world.api.get<{ resource: string; owner: string }>(`/api/${name}`)).data,
    }),
  );
  return (
    <ul>
      {queries.map((query, index) => (
        <li key={names[index]}>
          {query.data ? `${query.data.resource} of ${query.data.owner}` : query.status}
        </li>
      ))}
    </ul>
  );
}

describe('re-authentication in the modal, three lists', () => {
  it('each list is sent once more after the sign-in (its replay), no extra refetch, one prompt, one refresh', async () => {
    const world = await createWorld(server);
    render(
      <QueryClientProvider client={world.queryClient}>
        <AuthProvider session={world.session}>
          <Lists world={world} />
          <LoginModal api={world.api} />
        </AuthProvider>
      </QueryClientProvider>,
    );
    await screen.findByText('messages of alice');
    world.auth.controls.expireAccessTokens();
    world.auth.controls.failNextRefresh(1, 'rejected');
    act(() => void world.queryClient.invalidateQueries());
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/username/i), { target: { value: 'alice' } });
    fireEvent.change(within(dialog).getByLabelText(/password/i), { target: { value: 'wonderland' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(world.auth.stats.requests.length).toBeGreaterThanOrEqual(9));
    // Let anything still scheduled (a refetch storm) go out before counting.
    for (let turn = 0; turn < 5; turn += 1)
      await act(async () => new Promise((resolve) => setTimeout(resolve, 10)));
    for (const name of names) {
      const sent = world.auth.stats.requests.filter((request) => request.url === `${API}/api/${name}`);
      // first load, the 401 after the expiry, the replay with the new token
      expect(
        sent.map((request) => request.status),
        name,
      ).toEqual([200, 401, 200]);
    }
    expect(world.auth.stats.refreshes).toBe(1);
    expect(screen.getAllByText(/ of alice$/)).toHaveLength(3);
  });
});
