import { createSession } from '@reauth/core';
import { AuthProvider, RequireAuth, useAuth } from '@reauth/react';
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

/** An asynchronous storage (AsyncStorage's shape) whose read answers when the test says. */
function heldStorage(value: string | null) {
  let answer: (() => void) | undefined;
  return {
    release: () => answer?.(),
    getItem: () => new Promise<string | null>((resolve) => (answer = () => resolve(value))),
    setItem: async () => {},
    removeItem: async () => {},
  };
}
const stored = JSON.stringify({
  v: 1,
  accessToken: 'opaque-token',
  refreshToken: 'r1',
  expiresAt: Date.now() + 3_600_000,
  receivedAt: Date.now(),
});

/** What each guard rendered, in order. */
const seen: string[] = [];
function Probe({ text }: { text: string }) {
  seen.push(text);
  return <p>{text}</p>;
}

function Status() {
  return <output>{useAuth((auth) => auth.status)}</output>;
}

function renderApp(storage: ReturnType<typeof heldStorage>) {
  const session = createSession({ storage, crossTab: false, autoRefresh: false });
  seen.length = 0;
  render(
    <AuthProvider session={session}>
      <Status />
      <RequireAuth fallback={<Probe text="the login form" />} loading={<Probe text="loading" />}>
        <Probe text="the page" />
      </RequireAuth>
    </AuthProvider>,
  );
  return { session };
}

describe('<RequireAuth loading> while the session restores', () => {
  it('shows loading, never the login form, then the page of the restored session', async () => {
    const storage = heldStorage(stored);
    const { session } = renderApp(storage);
    expect(screen.getByRole('status').textContent).toBe('restoring');
    expect(screen.getByText('loading')).toBeTruthy();
    await act(async () => {
      storage.release();
      await session.ready();
    });
    expect(screen.getByRole('status').textContent).toBe('signedIn');
    expect(screen.getByText('the page')).toBeTruthy();
    expect(seen).not.toContain('the login form');
  });

  it('shows the fallback once restoring finds no session', async () => {
    const storage = heldStorage(null);
    const { session } = renderApp(storage);
    await act(async () => {
      storage.release();
      await session.ready();
    });
    expect(screen.getByText('the login form')).toBeTruthy();
    expect(seen[0]).toBe('loading');
    expect(seen).not.toContain('the page');
  });
});
