import { AuthError, type Session } from '@reauth/core';
import { authRetry, connectQueryClient } from '@reauth/react-query';
import { keepPreviousData, QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestSession, deferred, LocalChannel, subOf, tokensFor } from './support/session';

// A real QueryClient and a real core session, no React. Observers stand for mounted components.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

function setup({ signedInAs = 'alice' as string | null, client = new QueryClient() } = {}) {
  const session = createTestSession();
  if (signedInAs) session.signIn(tokensFor(signedInAs));
  const disconnect = connectQueryClient(client, session);
  cleanups.push(disconnect, () => client.clear());
  return { session, client, disconnect };
}

/** An observed (active) query; `calls` counts its function's runs. Its data: "items of <sub of the token>". */
function observe(client: QueryClient, session: Session, key: string, queryFn?: () => Promise<unknown>) {
  const counter = { calls: 0 };
  const observer = new QueryObserver(client, {
    queryKey: [key],
    retryDelay: 0,
    queryFn: () => {
      counter.calls += 1;
      return queryFn ? queryFn() : subOf(session).then((sub) => `${key} of ${sub}`);
    },
  });
  const unsubscribe = observer.subscribe(() => {});
  cleanups.push(unsubscribe);
  return Object.assign(counter, { observer, result: () => observer.getCurrentResult() });
}

/** Signs in and opens a reauth prompt (a refused refresh); resolves to the prompt's answer. */
async function openPrompt(session: Session) {
  const answer = deferred<ReturnType<typeof tokensFor> | null>();
  cleanups.push(session.onReauth(() => answer.promise));
  const refreshing = session.refresh().catch(() => {});
  await vi.waitFor(() => expect(session.getState().status).toBe('reauthRequired'));
  return { answer, refreshing };
}

describe('connectQueryClient: arguments and connection', () => {
  it.each([
    ['no client', undefined, createTestSession()],
    ['an object that is not a client', {}, createTestSession()],
    ['no session', new QueryClient(), undefined],
    ['a session that is not one', new QueryClient(), { getState: (): null => null }],
  ])('throws a [reauth] TypeError saying what it expected, given %s', (_, client, session) => {
    expect(() => connectQueryClient(client as never, session as never)).toThrow(
      new TypeError('[reauth] connectQueryClient: expected a QueryClient and a session.'),
    );
  });

  it('installs authRetry-like retries as the queries’ default: a 401 runs once, a 500 four times', async () => {
    const { client, session } = setup();
    expect(client.getDefaultOptions().queries?.retry).toBeTypeOf('function');
    const unauthorized = observe(client, session, 'a', () => Promise.reject(httpError(401)));
    const failing = observe(client, session, 'b', () => Promise.reject(httpError(500)));
    await vi.waitFor(() =>
      expect([unauthorized.result().status, failing.result().status]).toEqual(['error', 'error']),
    );
    expect([unauthorized.calls, failing.calls]).toEqual([1, 4]);
  });

  it('leaves mutations without retries, TanStack’s default for them (a mutation may not be idempotent)', async () => {
    const { client } = setup();
    expect(client.getDefaultOptions().mutations?.retry).toBeUndefined();
    let calls = 0;
    const mutation = client.getMutationCache().build(client, {
      mutationFn: () => {
        calls += 1;
        return Promise.reject(httpError(500));
      },
    });
    await mutation.execute(undefined).catch(() => {});
    expect(calls).toBe(1);
  });

  it('keeps a retry the client sets itself, and warns in development that auth failures may be retried', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { client } = setup({ client: new QueryClient({ defaultOptions: { queries: { retry: 1 } } }) });
    expect(client.getDefaultOptions().queries?.retry).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^\[reauth\] connectQueryClient: .*authRetry/);
  });

  it('does not warn about a client whose retry is authRetry', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { client } = setup({
      client: new QueryClient({ defaultOptions: { queries: { retry: authRetry } } }),
    });
    expect(client.getDefaultOptions().queries?.retry).toBe(authRetry);
    expect(warn).not.toHaveBeenCalled();
  });

  it('disconnect restores the retry default and stops listening; a second call does nothing', () => {
    const client = new QueryClient({ defaultOptions: { queries: { staleTime: 5 } } });
    const { session, disconnect } = setup({ client });
    disconnect();
    disconnect();
    expect(client.getDefaultOptions().queries?.retry).toBeUndefined();
    expect(client.getDefaultOptions().queries?.staleTime).toBe(5);
    client.setQueryData(['items'], 'items of alice');
    session.signOut();
    expect(client.getQueryData(['items'])).toBe('items of alice');
  });

  it('disconnect leaves a retry the app set after connecting', () => {
    const { client, disconnect } = setup();
    client.setDefaultOptions({ queries: { retry: 2 } });
    disconnect();
    expect(client.getDefaultOptions().queries?.retry).toBe(2);
  });

  it('connecting a client again replaces the earlier connection: the work is done once', async () => {
    const { client, session, disconnect } = setup();
    const again = connectQueryClient(client, session);
    cleanups.push(again);
    expect(again).not.toBe(disconnect);
    const items = observe(client, session, 'items');
    await vi.waitFor(() => expect(items.result().data).toBe('items of alice'));

    session.signIn(tokensFor('bob'));
    await vi.waitFor(() => expect(items.result().data).toBe('items of bob'));
    expect(items.calls).toBe(2); // one reset and refetch, not two
  });

  it('acts for the latest session a client is connected to; the earlier disconnect no longer acts', () => {
    const { client, session, disconnect } = setup();
    const other = createTestSession();
    other.signIn(tokensFor('alice'));
    const disconnectOther = connectQueryClient(client, other);
    cleanups.push(disconnectOther);
    client.setQueryData(['items'], 'items of alice');

    session.signOut();
    expect(client.getQueryData(['items'])).toBe('items of alice');
    disconnect();
    expect(client.getDefaultOptions().queries?.retry).toBeTypeOf('function');
    other.signOut();
    expect(client.getQueryData(['items'])).toBeUndefined();
  });
});

describe('connectQueryClient: sign-out', () => {
  it('clears the query and mutation caches', async () => {
    const { client, session } = setup();
    client.setQueryData(['items'], 'items of alice');
    await client
      .getMutationCache()
      .build(client, { mutationFn: async () => 'saved' })
      .execute(undefined);
    expect(client.getMutationCache().getAll()).toHaveLength(1);

    session.signOut();
    expect(client.getQueryCache().getAll()).toEqual([]);
    expect(client.getMutationCache().getAll()).toEqual([]);
  });

  it('drops the data a mounted query shows at once, also with keepPreviousData', async () => {
    const { client, session } = setup();
    const items = observe(client, session, 'items');
    await vi.waitFor(() => expect(items.result().data).toBe('items of alice'));
    const options = { queryKey: ['items'], queryFn: () => 'x', placeholderData: keepPreviousData };
    items.observer.setOptions(options as never);

    session.signOut();
    expect(items.result().data).toBeUndefined();
    expect(
      items.observer.getOptimisticResult(client.defaultQueryOptions(options) as never).data,
    ).toBeUndefined();
  });

  it('discards a fetch that lands after the sign-out', async () => {
    const { client, session } = setup();
    const response = deferred<string>();
    const items = observe(client, session, 'items', () => response.promise);
    session.signOut();
    response.resolve('items of alice');
    await response.promise;
    await new Promise((settled) => setTimeout(settled, 0));
    expect(client.getQueryData(['items'])).toBeUndefined();
    expect(items.result().data).toBeUndefined();
  });
});

describe('connectQueryClient: a different user signs in', () => {
  it('resets every query synchronously inside the sign-in; the active ones load for the new user', async () => {
    const { client, session } = setup();
    const items = observe(client, session, 'items');
    await vi.waitFor(() => expect(items.result().data).toBe('items of alice'));
    client.setQueryData(['inactive'], 'orders of alice');
    client.getMutationCache().build(client, { mutationFn: async () => 'saved' });

    session.signIn(tokensFor('bob'));
    expect(client.getQueryData(['items'])).toBeUndefined();
    expect(client.getQueryData(['inactive'])).toBeUndefined();
    expect(items.result()).toMatchObject({ data: undefined, status: 'pending' });
    expect(client.getMutationCache().getAll()).toEqual([]);

    await vi.waitFor(() => expect(items.result().data).toBe('items of bob'));
    expect(items.calls).toBe(2);
    expect(client.getQueryData(['inactive'])).toBeUndefined(); // not refetched: nothing shows it
  });

  it('discards the first user’s fetch still in flight at the switch', async () => {
    const { client, session } = setup();
    const first = deferred<string>();
    let calls = 0;
    const items = observe(client, session, 'items', () =>
      calls++ === 0 ? first.promise : subOf(session).then((sub) => `items of ${sub}`),
    );
    session.signIn(tokensFor('bob'));
    first.resolve('items of alice');
    await vi.waitFor(() => expect(items.result().data).toBe('items of bob'));
    await new Promise((settled) => setTimeout(settled, 0));
    expect(items.result().data).toBe('items of bob');
  });

  it('compares with the last signed-in user across a sign-out: a new user resets what was cached meanwhile', () => {
    const { client, session } = setup();
    session.signOut();
    client.setQueryData(['items'], 'items cached while signed out');
    session.signIn(tokensFor('bob'));
    expect(client.getQueryData(['items'])).toBeUndefined();
  });

  it('keeps what was cached while signed out when the same user signs in again', () => {
    const { client, session } = setup();
    session.signOut();
    client.setQueryData(['public'], 'news');
    session.signIn(tokensFor('alice'));
    expect(client.getQueryData(['public'])).toBe('news');
  });

  it('counts the user signed in before connecting as the last one', () => {
    const client = new QueryClient();
    const session = createTestSession();
    session.signIn(tokensFor('alice'));
    client.setQueryData(['items'], 'items of alice');
    cleanups.push(connectQueryClient(client, session));
    session.signIn(tokensFor('bob'));
    expect(client.getQueryData(['items'])).toBeUndefined();
  });

  it('treats a user without a sub as a different user: it cannot be told apart', () => {
    const { client, session } = setup({ signedInAs: null });
    session.signIn(tokensFor());
    client.setQueryData(['items'], 'items of someone');
    session.signIn(tokensFor());
    expect(client.getQueryData(['items'])).toBeUndefined();
  });

  it('resets on a sign-in that comes from another tab', async () => {
    // Two sessions of one storage key, as two tabs, over an in-process channel.
    vi.stubGlobal('BroadcastChannel', LocalChannel);
    cleanups.push(() => {
      for (const channel of LocalChannel.open) channel.close();
    });
    const options = { crossTab: true };
    const client = new QueryClient();
    const here = createTestSession(options);
    const otherTab = createTestSession(options);
    here.signIn(tokensFor('alice'));
    // The other tab has heard of alice: its sign-in comes after hers (generations order concurrent ones).
    await vi.waitFor(() => expect(otherTab.getState().user?.sub).toBe('alice'));
    cleanups.push(connectQueryClient(client, here));
    client.setQueryData(['items'], 'items of alice');
    const signedIn = new Promise((settled) => here.on('signedIn', settled));

    otherTab.signIn(tokensFor('bob'));
    await signedIn;
    expect(here.getState().user?.sub).toBe('bob');
    expect(client.getQueryData(['items'])).toBeUndefined();
  });
});

describe('connectQueryClient: the same user signs in again', () => {
  it('keeps the cache and refetches once only the queries that failed for auth reasons', async () => {
    const { client, session } = setup();
    let unauthorized = true;
    const mine = observe(client, session, 'mine', () =>
      unauthorized ? Promise.reject(httpError(401)) : Promise.resolve('mine'),
    );
    const expired = observe(client, session, 'expired', () =>
      unauthorized ? Promise.reject(new AuthError('REFRESH_UNAVAILABLE')) : Promise.resolve('expired'),
    );
    const missing = observe(client, session, 'missing', () => Promise.reject(httpError(404)));
    const items = observe(client, session, 'items');
    await vi.waitFor(() => expect(missing.result().status).toBe('error'));
    await vi.waitFor(() => expect(items.result().data).toBe('items of alice'));
    expect([mine.calls, expired.calls, missing.calls, items.calls]).toEqual([1, 1, 4, 1]);

    unauthorized = false;
    session.signIn(tokensFor('alice'));
    await vi.waitFor(() => expect([mine.result().data, expired.result().data]).toEqual(['mine', 'expired']));
    await new Promise((settled) => setTimeout(settled, 0));
    expect([mine.calls, expired.calls, missing.calls, items.calls]).toEqual([2, 2, 4, 1]);
    expect(items.result().data).toBe('items of alice');
  });

  it('does not start a second fetch for a failed query that is already fetching again', async () => {
    const { client, session } = setup();
    const again = deferred<string>();
    let call = 0;
    const mine = observe(client, session, 'mine', () => {
      call += 1; // then: the data, a 401, and a refetch the test settles
      return call === 1
        ? Promise.resolve('old')
        : call === 2
          ? Promise.reject(httpError(401))
          : again.promise;
    });
    await vi.waitFor(() => expect(mine.result().data).toBe('old'));
    void mine.observer.refetch();
    await vi.waitFor(() => expect(mine.result().status).toBe('error'));
    void mine.observer.refetch();
    session.signIn(tokensFor('alice'));
    again.resolve('mine');
    await vi.waitFor(() => expect(mine.result().data).toBe('mine'));
    expect(mine.calls).toBe(3);
  });
});

describe('connectQueryClient: while the user re-authenticates', () => {
  it('fires no retries, then refetches once the queries that failed meanwhile when the user signs in', async () => {
    const { client, session } = setup();
    const { answer } = await openPrompt(session);
    let isDown = true;
    const failing = observe(client, session, 'failing', () =>
      isDown ? Promise.reject(httpError(500)) : Promise.resolve('back'),
    );
    const unauthorized = observe(client, session, 'unauthorized', () =>
      isDown ? Promise.reject(httpError(401)) : Promise.resolve('allowed'),
    );
    await vi.waitFor(() =>
      expect([failing.result().status, unauthorized.result().status]).toEqual(['error', 'error']),
    );
    await new Promise((settled) => setTimeout(settled, 10));
    expect([failing.calls, unauthorized.calls]).toEqual([1, 1]);

    isDown = false;
    answer.resolve(tokensFor('alice'));
    await vi.waitFor(() =>
      expect([failing.result().data, unauthorized.result().data]).toEqual(['back', 'allowed']),
    );
    expect([failing.calls, unauthorized.calls]).toEqual([2, 2]);
    expect(session.getState().status).toBe('signedIn');
  });

  it('clears the cache and refetches nothing when the prompt is dismissed', async () => {
    const { client, session } = setup();
    const items = observe(client, session, 'items');
    await vi.waitFor(() => expect(items.result().data).toBe('items of alice'));
    const { answer, refreshing } = await openPrompt(session);
    const unauthorized = observe(client, session, 'unauthorized', () => Promise.reject(httpError(401)));
    await vi.waitFor(() => expect(unauthorized.result().status).toBe('error'));

    answer.resolve(null);
    await refreshing;
    expect(session.getState().status).toBe('signedOut');
    expect(client.getQueryCache().getAll()).toEqual([]);
    await new Promise((settled) => setTimeout(settled, 10));
    expect([items.calls, unauthorized.calls]).toEqual([1, 1]);
  });

  it('refetches the failed queries when another tab’s refresh ends the prompt (reauthResolved, no sign-in here)', async () => {
    vi.stubGlobal('BroadcastChannel', LocalChannel);
    cleanups.push(() => {
      for (const channel of LocalChannel.open) channel.close();
    });
    // No lock between the two tabs: both refresh the same refresh token at once, and their news crosses.
    const lock = { request: (_name: string, _options: object, run: () => Promise<unknown>) => run() };
    const here = createTestSession({ crossTab: { lock } });
    const otherTab = createTestSession({ crossTab: { lock }, refresh: async () => tokensFor('alice') });
    here.signIn(tokensFor('alice'));
    await vi.waitFor(() => expect(otherTab.getState().user?.sub).toBe('alice'));
    const client = new QueryClient();
    cleanups.push(connectQueryClient(client, here));
    cleanups.push(here.onReauth(() => new Promise(() => {})));
    const events: string[] = [];
    here.on('*', (event) => void events.push(event.type));
    let calls = 0;
    const mine = observe(client, here, 'mine', () =>
      calls++ === 0 ? Promise.reject(httpError(401)) : Promise.resolve('mine'),
    );
    await vi.waitFor(() => expect(mine.result().status).toBe('error'));

    void here.refresh().catch(() => {});
    void otherTab.refresh().catch(() => {});
    await vi.waitFor(() => expect(events).toContain('reauthResolved'));

    expect(events.filter((type) => /^(reauth|signed)/.test(type))).toEqual([
      'reauthRequired',
      'reauthResolved',
    ]);
    expect(here.getState().status).toBe('signedIn');
    await vi.waitFor(() => expect(mine.result().data).toBe('mine'));
    expect(mine.calls).toBe(2);
  });
});
