import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App, AppWithoutModal, type Rendered } from './support/app';
import { API, startMswServer, tokenIdOf } from './support/shared';
import { createWorld, type World } from './support/world';

// End to end: React 19, a real QueryClient, AuthProvider + the login modal, axios + attachAuth, msw/node and
// the @reauth/msw kit. Every render of the list is logged with the user signed in at that moment.
const server = startMswServer();

const itemsText = () => screen.getByLabelText('items').textContent;
const itemRequests = (world: World) => world.auth.stats.requests.filter((r) => r.url === `${API}/api/items`);
const tokenOf = (world: World, n: number) => {
  const tokens = world.pairs[n];
  if (!tokens) throw new Error(`the app received no token pair number ${n}`);
  return tokenIdOf(tokens.accessToken);
};

function typeCredentials(username: string, password: string) {
  const dialog = screen.getByRole('dialog');
  fireEvent.change(within(dialog).getByLabelText(/username/i), { target: { value: username } });
  fireEvent.change(within(dialog).getByLabelText(/password/i), { target: { value: password } });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
}

/** No rendering ever showed a user's items to someone else: each `items of X` was rendered while X was signed in. */
function expectOnlyOwnItems(log: Rendered[]) {
  for (const { user, text } of log) if (text.startsWith('items of ')) expect(text).toBe(`items of ${user}`);
}

/** No token of the world appears in the query cache: keys, data, errors. */
function expectNoTokenInCache(world: World) {
  const cached = JSON.stringify(
    world.queryClient
      .getQueryCache()
      .getAll()
      .map((query) => [query.queryKey, query.state.data, String(query.state.error)]),
  );
  for (const tokens of world.pairs) {
    expect(cached).not.toContain(tokens.accessToken);
    expect(cached).not.toContain(tokens.refreshToken);
  }
}

describe('TanStack Query connected to a session, end to end', () => {
  it('keeps a list through a token expiry: one refresh, one replay, no error state ever rendered', async () => {
    const world = await createWorld(server);
    const log: Rendered[] = [];
    render(<App world={world} log={log} />);
    await waitFor(() => expect(itemsText()).toBe('items of alice'));

    world.auth.controls.expireAccessTokens();
    await act(() => world.queryClient.invalidateQueries({ queryKey: ['items'] }));
    await waitFor(() => expect(itemRequests(world)).toHaveLength(3));

    expect(itemsText()).toBe('items of alice');
    expect(world.auth.stats.refreshes).toBe(1);
    expect(itemRequests(world).map((r) => [r.status, r.tokenId])).toEqual([
      [200, tokenOf(world, 0)],
      [401, tokenOf(world, 0)],
      [200, tokenOf(world, 1)],
    ]);
    expect(new Set(log.map((entry) => entry.text))).toEqual(new Set(['loading', 'items of alice']));
    expect(
      log.slice(log.findIndex((entry) => entry.text !== 'loading')).map((entry) => entry.text),
    ).not.toContain('loading');
    expectNoTokenInCache(world);
  });

  it('empties the cache on sign-out, and the list never renders the items again', async () => {
    const world = await createWorld(server);
    const log: Rendered[] = [];
    render(<App world={world} log={log} />);
    await waitFor(() => expect(itemsText()).toBe('items of alice'));
    const rendersBefore = log.length;

    act(() => world.session.signOut());

    expect(world.queryClient.getQueryCache().getAll()).toEqual([]);
    expect(world.queryClient.getMutationCache().getAll()).toEqual([]);
    expect(await screen.findByText('please sign in')).toBeTruthy();
    expect(log.slice(rendersBefore).map((entry) => entry.text)).not.toContain('items of alice');
  });

  it('on sign-out, a list that stays mounted drops the items at once and shows the 401, not retried', async () => {
    const world = await createWorld(server);
    const log: Rendered[] = [];
    render(<AppWithoutModal world={world} log={log} />);
    await waitFor(() => expect(itemsText()).toBe('items of alice'));
    const rendersBefore = log.length;

    act(() => world.session.signOut());
    await waitFor(() => expect(itemsText()).toBe('error: HTTP 401'));

    expect(log.slice(rendersBefore).map((entry) => entry.text)).not.toContain('items of alice');
    // Fetched again signed out (no token), answered 401 once and not retried.
    expect(itemRequests(world).map((r) => [r.status, r.hadToken])).toEqual([
      [200, true],
      [401, false],
    ]);
  });

  it('never shows the first user’s items to the second when another account signs in in the login modal', async () => {
    const world = await createWorld(server);
    const log: Rendered[] = [];
    render(<App world={world} log={log} />);
    await waitFor(() => expect(itemsText()).toBe('items of alice'));

    world.auth.controls.expireAccessTokens();
    world.auth.controls.revokeRefreshTokens();
    act(() => void world.queryClient.invalidateQueries({ queryKey: ['items'] }));
    await screen.findByRole('dialog');
    expect(itemsText()).toBe('items of alice'); // alice's page stays behind her modal
    typeCredentials('bob', 'builder');
    await waitFor(() => expect(itemsText()).toBe('items of bob'));

    expectOnlyOwnItems(log);
    expect(log.filter((entry) => entry.user === 'bob').map((entry) => entry.text)).toContain('loading');
    const bobToken = tokenOf(world, 1);
    expect(itemRequests(world).at(-1)).toMatchObject({ status: 200, tokenId: bobToken });
    expect(world.queryClient.getQueryData(['items'])).toEqual({ resource: 'items', owner: 'bob' });
    expectNoTokenInCache(world);
  });

  it('never shows the first user’s items after a sign-in as another user without a sign-out (as from another tab)', async () => {
    const world = await createWorld(server);
    const log: Rendered[] = [];
    render(<App world={world} log={log} />);
    await waitFor(() => expect(itemsText()).toBe('items of alice'));

    const bob = await world.auth.controls.issueTokens('bob');
    world.pairs.push(bob);
    act(() => world.session.signIn(bob)); // what a sign-in in another tab does here: a signedIn event
    expect(itemsText()).toBe('loading');
    await waitFor(() => expect(itemsText()).toBe('items of bob'));

    expectOnlyOwnItems(log);
    expect(itemRequests(world).map((r) => r.tokenId)).toEqual([
      tokenOf(world, 0),
      tokenIdOf(bob.accessToken),
    ]);
  });

  it('refetches a query that failed with a 401 once the user signs in, without retrying the 401', async () => {
    const world = await createWorld(server, { signedInAs: null });
    const log: Rendered[] = [];
    render(<AppWithoutModal world={world} log={log} />);
    await waitFor(() => expect(itemsText()).toBe('error: HTTP 401'));
    expect(itemRequests(world)).toHaveLength(1);

    await act(() => world.logIn('alice', 'wonderland'));
    await waitFor(() => expect(itemsText()).toBe('items of alice'));

    expect(itemRequests(world).map((r) => [r.status, r.hadToken])).toEqual([
      [401, false],
      [200, true],
    ]);
    expectOnlyOwnItems(log);
  });

  it('keeps the list of a user who signs in again as herself in the modal: no loading, no error, one replay', async () => {
    const world = await createWorld(server);
    const log: Rendered[] = [];
    render(<App world={world} log={log} />);
    await waitFor(() => expect(itemsText()).toBe('items of alice'));
    const rendersBefore = log.length;

    world.auth.controls.expireAccessTokens();
    world.auth.controls.failNextRefresh(1, 'rejected');
    act(() => void world.queryClient.invalidateQueries({ queryKey: ['items'] }));
    await screen.findByRole('dialog');
    typeCredentials('alice', 'wonderland');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(itemRequests(world)).toHaveLength(3));

    expect(itemsText()).toBe('items of alice');
    expect(log.slice(rendersBefore).map((entry) => entry.text)).toEqual(
      log.slice(rendersBefore).map(() => 'items of alice'),
    );
    expect(itemRequests(world).map((r) => [r.status, r.tokenId])).toEqual([
      [200, tokenOf(world, 0)],
      [401, tokenOf(world, 0)],
      [200, tokenOf(world, 1)],
    ]);
    expect(world.auth.stats.refreshes).toBe(1);
  });

  it('clears the cache when the modal is dismissed, and fetches nothing more', async () => {
    const world = await createWorld(server);
    const log: Rendered[] = [];
    render(<App world={world} log={log} />);
    await waitFor(() => expect(itemsText()).toBe('items of alice'));

    world.auth.controls.expireAccessTokens();
    world.auth.controls.failNextRefresh(1, 'rejected');
    act(() => void world.queryClient.invalidateQueries({ queryKey: ['items'] }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText('please sign in')).toBeTruthy();

    expect(world.session.getState().status).toBe('signedOut');
    expect(world.queryClient.getQueryCache().getAll()).toEqual([]);
    await new Promise((settled) => setTimeout(settled, 50));
    expect(itemRequests(world).map((r) => r.status)).toEqual([200, 401]);
    expect(screen.queryByRole('dialog')).toBeNull();
    expectOnlyOwnItems(log);
  });
});
