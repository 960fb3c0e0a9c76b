import type { Session } from '@reauth/core';
import { AuthProvider, RequireAuth, useAuth, useReauthPrompt } from '@reauth/react';
import { render, renderHook, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from './support/harness';

function Name() {
  return <p>{String(useAuth((auth) => auth.user?.sub))}</p>;
}

describe('<AuthProvider>', () => {
  // React reports a render that throws on the console; the throw itself is what these tests check.
  beforeEach(() => void vi.spyOn(console, 'error').mockImplementation(() => {}));
  afterEach(() => vi.restoreAllMocks());

  it.each([
    ['useAuth', () => renderHook(() => useAuth())],
    ['useAuth', () => renderHook(() => useAuth((auth) => auth.status))],
    ['useReauthPrompt', () => renderHook(() => useReauthPrompt())],
    ['<RequireAuth>', () => render(<RequireAuth>page</RequireAuth>)],
  ])('makes %s outside a provider throw an error that says how to fix it', (name, use) => {
    expect(use).toThrow(
      `[reauth] ${name} must be used inside <AuthProvider session={...}>: wrap your app in <AuthProvider session={session}> with a session from createSession().`,
    );
  });

  it('throws a TypeError saying what it expected when given no session', () => {
    const noSession = undefined as unknown as Session;
    expect(() => render(<AuthProvider session={noSession}>page</AuthProvider>)).toThrow(
      new TypeError('[reauth] <AuthProvider session>: expected a session from createSession().'),
    );
  });

  it('follows a new session given on a re-render', () => {
    const [first, second] = [createHarness(), createHarness()];
    first.session.signIn(first.tokens('alice'));
    second.session.signIn(second.tokens('bob'));
    const view = render(
      <AuthProvider session={first.session}>
        <Name />
      </AuthProvider>,
    );
    expect(screen.getByText('alice')).toBeTruthy();

    view.rerender(
      <AuthProvider session={second.session}>
        <Name />
      </AuthProvider>,
    );
    expect(screen.getByText('bob')).toBeTruthy();
  });
});
