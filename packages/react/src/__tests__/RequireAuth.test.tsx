import { AuthProvider, RequireAuth } from '@reauth/react';
import { act, render, screen } from '@testing-library/react';
import { useEffect } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness } from './support/harness';

const mounts = { count: 0 };
beforeEach(() => {
  mounts.count = 0;
});

function Page() {
  useEffect(() => {
    mounts.count += 1;
  }, []);
  return <p>the page</p>;
}

function renderGuarded(harness: ReturnType<typeof createHarness>, role?: string) {
  const guard =
    role === undefined ? (
      <RequireAuth fallback={<p>the fallback</p>}>
        <Page />
      </RequireAuth>
    ) : (
      <RequireAuth role={role} fallback={<p>the fallback</p>}>
        <Page />
      </RequireAuth>
    );
  render(<AuthProvider session={harness.session}>{guard}</AuthProvider>);
}

const shown = () => screen.queryByText(/^the (page|fallback)$/)?.textContent ?? 'nothing';

describe('<RequireAuth>', () => {
  it('renders the children only while signed in, else the fallback', () => {
    const harness = createHarness();
    renderGuarded(harness);
    expect(shown()).toBe('the fallback');

    act(() => harness.session.signIn(harness.tokens()));
    expect(shown()).toBe('the page');

    act(() => harness.session.signOut());
    expect(shown()).toBe('the fallback');
  });

  it('renders nothing for a signed-out user when no fallback is given', () => {
    const harness = createHarness();
    const { container } = render(
      <AuthProvider session={harness.session}>
        <RequireAuth>
          <p>the page</p>
        </RequireAuth>
      </AuthProvider>,
    );
    expect(container.innerHTML).toBe('');
  });

  it('with a role, renders the children only for a user holding it', () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice', ['user']));
    renderGuarded(harness, 'admin');
    expect(shown()).toBe('the fallback');

    act(() => harness.session.signIn(harness.tokens('bob', ['user', 'admin'])));
    expect(shown()).toBe('the page');

    act(() => harness.session.signOut());
    expect(shown()).toBe('the fallback');
  });

  it('keeps the page mounted while a known user refreshes and re-authenticates', async () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens());
    harness.session.onReauth(() => new Promise(() => {}));
    renderGuarded(harness);

    act(() => void harness.session.refresh().catch(() => {}));
    await act(async () => (await harness.refreshCall()).refuse());

    expect(harness.session.getState().status).toBe('reauthRequired');
    expect(shown()).toBe('the page');
    expect(mounts.count).toBe(1);
  });
});
