import { createSession, type Session } from '@reauth/core';
import { AuthProvider } from '@reauth/react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Playground } from '../../setup';
import { setup } from '../../timeline/__tests__/support';
import { PlaygroundProvider } from '../../usePlayground';
import { SessionHeader, useRefreshOverdue } from '../SessionHeader';

let root: Root | undefined;
let container: HTMLDivElement | undefined;

afterEach(() => {
  root?.unmount();
  container?.remove();
  root = undefined;
  vi.useRealTimers();
});

// Rendered as in a browser, without act(): the tests wait for the DOM.
function render(session: Session, element: React.ReactNode) {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  root.render(
    <AuthProvider session={session}>
      <PlaygroundProvider value={{ session } as Playground}>{element}</PlaygroundProvider>
    </AuthProvider>,
  );
  return container;
}

const byTestId = (view: HTMLElement, testId: string) => view.querySelector(`[data-testid="${testId}"]`);
const signOutButton = (view: HTMLElement) =>
  [...view.querySelectorAll('button')].find((button) => button.textContent === 'Sign out');

describe('<SessionHeader>', () => {
  it("shows a new token's expiry against the clock of the sign-in, not of the last tick", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    const session = createSession({ crossTab: false, autoRefresh: false });
    const view = render(session, <SessionHeader />);
    await vi.waitFor(() => expect(byTestId(view, 'session-status')?.textContent).toBe('signed out'));

    // Seven seconds on the sign-in page (no token: nothing ticks), then a 5-minute token.
    vi.setSystemTime(new Date('2026-01-01T10:00:07Z'));
    session.signIn({ accessToken: 'access', refreshToken: 'refresh', expiresIn: 300 });
    await vi.waitFor(() => expect(byTestId(view, 'expires-in')).not.toBeNull());
    expect(byTestId(view, 'expires-in')?.textContent).toBe('token expires in 5:00');
  });

  it('offers "Sign out" only when there is a session to end, not for a signed-out burst that opened the prompt', async () => {
    const { session, http, signIn } = setup();
    session.onReauth(() => new Promise(() => {}));
    const view = render(session, <SessionHeader />);
    await vi.waitFor(() => expect(byTestId(view, 'session-status')?.textContent).toBe('signed out'));
    expect(signOutButton(view)).toBeUndefined();

    // Signed out, a request is refused and waits for a sign-in: the prompt is open, but nobody signed in.
    const request = http.get('/pulse').catch(() => 'failed');
    await vi.waitFor(() =>
      expect(byTestId(view, 'session-status')?.getAttribute('data-status')).toBe('reauthRequired'),
    );
    expect(signOutButton(view)).toBeUndefined();

    signIn();
    await vi.waitFor(() => expect(signOutButton(view)).toBeDefined());
    await request;
  });
});

function OverdueProbe({ session, timeoutMs }: { session: Session; timeoutMs: number }) {
  return <output>{useRefreshOverdue(session, timeoutMs) ? 'overdue' : 'in time'}</output>;
}

describe('useRefreshOverdue', () => {
  it('turns on once the refresh outlives the timeout (the grace period), off when the refresh ends', async () => {
    let answer: (() => void) | undefined;
    // The session's own timeout is far off: the refresh stays in flight until the test answers it.
    const session = createSession({
      crossTab: false,
      autoRefresh: false,
      refreshTimeoutMs: 60_000,
      refresh: () =>
        new Promise((resolve) => {
          answer = () => resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 300 });
        }),
    });
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 300 });
    const view = render(session, <OverdueProbe session={session} timeoutMs={50} />);
    const output = () => view.querySelector('output')?.textContent;
    await vi.waitFor(() => expect(output()).toBe('in time'));

    const refreshed = session.refresh();
    expect(session.getState().status).toBe('refreshing');
    await vi.waitFor(() => expect(output()).toBe('overdue'));

    answer?.();
    await refreshed;
    await vi.waitFor(() => expect(output()).toBe('in time'));
  });

  it('stays off for a refresh that answers in time', async () => {
    const session = createSession({
      crossTab: false,
      autoRefresh: false,
      refresh: async () => ({ accessToken: 'access-2', refreshToken: 'refresh-2', expiresIn: 300 }),
    });
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 300 });
    const view = render(session, <OverdueProbe session={session} timeoutMs={20} />);
    await session.refresh();
    // Past the timeout, after the refresh: its timer must not flag the session.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(view.querySelector('output')?.textContent).toBe('in time');
  });
});
