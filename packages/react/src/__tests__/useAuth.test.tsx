import { useAuth } from '@reauth/react';
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createHarness } from './support/harness';
import { providing } from './support/render';

/** Renders `useAuth(selector)` and counts the renders. */
function renderCounted<T>(harness: ReturnType<typeof createHarness>, hook: () => T) {
  const counter = { renders: 0 };
  const view = renderHook(
    () => {
      counter.renders += 1;
      return hook();
    },
    { wrapper: providing(harness.session) },
  );
  return { ...view, counter };
}

describe('useAuth()', () => {
  it('returns the status, user, flags and actions of the session', () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice'));
    const { result } = renderHook(() => useAuth(), { wrapper: providing(harness.session) });

    expect(result.current).toMatchObject({
      status: 'signedIn',
      user: { sub: 'alice', roles: ['user'] },
      isAuthenticated: true,
      isRefreshing: false,
    });
    expect(result.current.hasRole('user')).toBe(true);
    expect(result.current.hasRole('admin')).toBe(false);

    act(() => result.current.signOut());
    expect(harness.session.getState().status).toBe('signedOut');
    expect(result.current).toMatchObject({ status: 'signedOut', user: null, isAuthenticated: false });

    act(() => result.current.signIn(harness.tokens('bob', ['admin'])));
    expect(result.current).toMatchObject({ status: 'signedIn', user: { sub: 'bob' }, isAuthenticated: true });
    expect(result.current.hasRole('admin')).toBe(true);
  });

  it('returns the same object while the state is the same, with stable signIn and signOut', () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens());
    const { result, rerender } = renderHook(() => useAuth(), { wrapper: providing(harness.session) });
    const first = result.current;

    rerender();
    expect(result.current).toBe(first);

    act(() => harness.session.signIn(harness.tokens()));
    expect(result.current).not.toBe(first);
    expect(result.current.signIn).toBe(first.signIn);
    expect(result.current.signOut).toBe(first.signOut);
  });

  it('stays authenticated while refreshing and while a known user re-authenticates', async () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice'));
    harness.session.onReauth(() => new Promise(() => {}));
    const { result } = renderHook(() => useAuth(), { wrapper: providing(harness.session) });

    act(() => void harness.session.refresh().catch(() => {}));
    expect(result.current).toMatchObject({ status: 'refreshing', isRefreshing: true, isAuthenticated: true });

    await act(async () => (await harness.refreshCall()).refuse());
    expect(result.current).toMatchObject({
      status: 'reauthRequired',
      user: { sub: 'alice' },
      isRefreshing: false,
      isAuthenticated: true,
    });
  });

  it('keeps a session whose token is not a JWT (no user) authenticated while it re-authenticates', async () => {
    const harness = createHarness();
    harness.session.signIn({ accessToken: 'an-opaque-token', refreshToken: 'an-opaque-refresh-token' });
    harness.session.onReauth(() => new Promise(() => {}));
    const { result } = renderHook(() => useAuth(), { wrapper: providing(harness.session) });

    act(() => void harness.session.refresh().catch(() => {}));
    await act(async () => (await harness.refreshCall()).refuse());

    expect(result.current).toMatchObject({ status: 'reauthRequired', user: null, isAuthenticated: true });
  });

  it('counts a session whose token is not a JWT (no claims, no user) as authenticated', () => {
    const harness = createHarness();
    harness.session.signIn({ accessToken: 'an-opaque-token' });
    const { result } = renderHook(() => useAuth(), { wrapper: providing(harness.session) });

    expect(result.current).toMatchObject({ status: 'signedIn', user: null, isAuthenticated: true });
  });
});

describe('useAuth(selector)', () => {
  it('does not re-render a component selecting status when new tokens leave the status unchanged', () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens());
    const status = renderCounted(harness, () => useAuth((auth) => auth.status));
    const whole = renderCounted(harness, () => useAuth());
    const before = { status: status.counter.renders, whole: whole.counter.renders };

    act(() => harness.session.signIn(harness.tokens())); // rotated tokens: new expiry and claims
    act(() => harness.session.signIn(harness.tokens()));

    expect(whole.counter.renders).toBe(before.whole + 2); // the state did change, twice
    expect(status.counter.renders).toBe(before.status);
    expect(status.result.current).toBe('signedIn');

    act(() => harness.session.signOut());
    expect(status.counter.renders).toBe(before.status + 1);
    expect(status.result.current).toBe('signedOut');
  });

  it('does not re-render a component selecting isAuthenticated through a whole token refresh', async () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens());
    const authenticated = renderCounted(harness, () => useAuth((auth) => auth.isAuthenticated));
    const status = renderCounted(harness, () => useAuth((auth) => auth.status));
    const before = { authenticated: authenticated.counter.renders, status: status.counter.renders };

    let refreshed: Promise<void> | undefined;
    act(() => {
      refreshed = harness.session.refresh();
    });
    await act(async () => {
      (await harness.refreshCall()).resolve(harness.tokens());
      await refreshed;
    });

    expect(status.counter.renders).toBe(before.status + 2); // refreshing, then signedIn again
    expect(authenticated.counter.renders).toBe(before.authenticated);
    expect(authenticated.result.current).toBe(true);
  });

  it('re-renders a selector using hasRole when a user with another role signs in', () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice', ['user']));
    const isAdmin = renderCounted(harness, () => useAuth((auth) => auth.hasRole('admin')));
    const hasRole = renderCounted(harness, () => useAuth((auth) => auth.hasRole));
    const first = hasRole.result.current;
    expect(isAdmin.result.current).toBe(false);

    act(() => void harness.session.refresh().catch(() => {})); // same user, another state
    expect(harness.session.getState().status).toBe('refreshing');
    expect(hasRole.result.current).toBe(first);

    act(() => harness.session.signIn(harness.tokens('bob', ['user', 'admin'])));
    expect(hasRole.result.current).not.toBe(first);
    expect(isAdmin.result.current).toBe(true);
  });

  it('takes a selector that builds a new object, rendering once per state change and never looping', () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens());
    const view = renderCounted(harness, () =>
      useAuth((auth) => ({ status: auth.status, sub: auth.user?.sub })),
    );
    expect(view.result.current).toEqual({ status: 'signedIn', sub: 'alice' });
    const before = view.counter.renders;

    act(() => harness.session.signOut());

    expect(view.result.current).toEqual({ status: 'signedOut', sub: undefined });
    expect(view.counter.renders).toBe(before + 1);
  });

  it('runs a new selector given on a re-render, not the one of the first render', () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice', ['user']));
    const { result, rerender } = renderHook(
      ({ role }: { role: string }) => useAuth((auth) => auth.hasRole(role)),
      { wrapper: providing(harness.session), initialProps: { role: 'admin' } },
    );
    expect(result.current).toBe(false);

    rerender({ role: 'user' });
    expect(result.current).toBe(true);
  });
});
