import type { Auth } from '@reauth/react';
import { AuthProvider, useAuth } from '@reauth/react';
import { act, render } from '@testing-library/react';
import { Component, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from './support/harness';

class Boundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    return this.state.error ? <p>caught: {this.state.error.message}</p> : this.props.children;
  }
}

// A stable selector (module level) that throws for a state it does not expect.
const subOrThrow = (auth: Auth) => {
  if (!auth.user) throw new Error('no user');
  return String(auth.user.sub);
};

function Sub() {
  return <p>sub: {useAuth(subOrThrow)}</p>;
}

describe('a selector that throws on a new session state', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reaches the error boundary, not a stale value of the previous state', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice'));
    const view = render(
      <AuthProvider session={harness.session}>
        <Boundary>
          <Sub />
        </Boundary>
      </AuthProvider>,
    );
    expect(view.container.textContent).toBe('sub: alice');

    act(() => harness.session.signOut());

    expect(view.container.textContent).toBe('caught: no user');
  });
});
