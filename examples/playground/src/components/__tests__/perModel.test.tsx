import { createSession, type Session } from '@reauth/core';
import { AuthProvider } from '@reauth/react';
import { QueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ControlName } from '../../mock/protocol';
import type { SessionModel } from '../../model';
import type { Playground } from '../../setup';
import { PlaygroundProvider } from '../../usePlayground';
import { Controls } from '../Controls';
import { RestoringCard } from '../RestoringCard';
import { SessionHeader } from '../SessionHeader';

let root: Root | undefined;
let container: HTMLDivElement | undefined;

afterEach(() => {
  root?.unmount();
  container?.remove();
  root = undefined;
});

// Rendered as in a browser, without act(): the tests wait for the DOM.
function render(session: Session, playground: Partial<Playground>, element: ReactNode) {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  root.render(
    <AuthProvider session={session}>
      <PlaygroundProvider value={{ session, queryClient: new QueryClient(), ...playground } as Playground}>
        {element}
      </PlaygroundProvider>
    </AuthProvider>,
  );
  return container;
}

const byTestId = (view: HTMLElement, testId: string) => view.querySelector(`[data-testid="${testId}"]`);
const leverLabels = (view: HTMLElement) =>
  [...view.querySelectorAll('.levers li button')].map((button) => button.textContent);

describe('the session header in each model', () => {
  it('says "session cookie" with a cookie session, where no token expires in JavaScript', async () => {
    const session = createSession({ cookies: 'session', crossTab: false, autoRefresh: false });
    const view = render(session, { model: 'session' }, <SessionHeader />);
    await vi.waitFor(() => expect(byTestId(view, 'session-status')?.textContent).toBe('signed out'));
    expect(byTestId(view, 'session-cookie')).toBeNull();

    session.signIn({ user: { sub: 'alice', roles: ['user'] } });
    await vi.waitFor(() => expect(byTestId(view, 'session-cookie')?.textContent).toBe('session cookie'));
    expect(byTestId(view, 'user')?.textContent).toBe('alice (user)');
    expect(byTestId(view, 'expires-in')).toBeNull();
  });

  it("shows the access token's expiry with a refresh cookie, as with tokens in JS", async () => {
    const session = createSession({
      cookies: 'refresh',
      crossTab: false,
      autoRefresh: false,
      refresh: async () => ({ accessToken: 'access-2', expiresIn: 300 }),
    });
    await session.ready();
    const view = render(session, { model: 'refresh' }, <SessionHeader />);
    session.signIn({ accessToken: 'access-1', expiresIn: 300 });
    await vi.waitFor(() =>
      expect(byTestId(view, 'expires-in')?.textContent).toMatch(/^token expires in [45]:\d\d$/),
    );
    expect(byTestId(view, 'session-cookie')).toBeNull();
  });

  it("signs out through the playground: with a cookie, the server's logout ends the session there first", async () => {
    const session = createSession({ cookies: 'session', crossTab: false, autoRefresh: false });
    session.signIn({ user: { sub: 'bob', roles: ['user', 'admin'] } });
    const signOut = vi.fn(async () => session.signOut());
    const view = render(session, { model: 'session', signOut }, <SessionHeader />);
    const button = await vi.waitFor(() => {
      const found = [...view.querySelectorAll('button')].find(
        (element) => element.textContent === 'Sign out',
      );
      expect(found).toBeDefined();
      return found as HTMLButtonElement;
    });
    button.click();
    await vi.waitFor(() => expect(byTestId(view, 'session-status')?.textContent).toBe('signed out'));
    expect(signOut).toHaveBeenCalledTimes(1);
  });
});

describe('the levers in each model', () => {
  function renderControls(model: SessionModel) {
    const pulled: ControlName[] = [];
    const mockApi = {
      control: async (name: ControlName) => {
        pulled.push(name);
      },
    } as unknown as Playground['mockApi'];
    const session = createSession({ crossTab: false, autoRefresh: false });
    return { view: render(session, { model, mockApi }, <Controls />), pulled };
  }

  it('names the same faults in each model’s words', async () => {
    const labels: Record<SessionModel, (string | null)[]> = { tokens: [], refresh: [], session: [] };
    for (const model of ['tokens', 'refresh', 'session'] as const) {
      const { view } = renderControls(model);
      await vi.waitFor(() => expect(leverLabels(view)).toHaveLength(4));
      labels[model] = leverLabels(view);
      root?.unmount();
      container?.remove();
    }
    expect(labels).toEqual({
      tokens: [
        'Expire access token',
        'Revoke refresh token',
        'Next refresh fails (500)',
        'Next refresh hangs',
      ],
      refresh: [
        'Expire access token',
        'Revoke refresh cookie',
        'Next refresh fails (500)',
        'Next refresh hangs',
      ],
      session: ['Expire session', 'End session', 'Next refresh fails (500)', 'Next refresh hangs'],
    });
  });

  it('"End session" ends the sessions on the server, which is enough: the cookie stops opening the API at once', async () => {
    const { view, pulled } = renderControls('session');
    const lever = await vi.waitFor(() => {
      const found = [...view.querySelectorAll('.levers li')].find(
        (item) => item.querySelector('button')?.textContent === 'End session',
      );
      expect(found).toBeDefined();
      return found as Element;
    });
    expect(lever.textContent).toMatch(/login modal takes over/);
    lever.querySelector('button')?.click();
    await vi.waitFor(() =>
      expect(view.querySelector('[data-testid="lever-done"]')?.textContent).toBe('Done: end session.'),
    );
    expect(pulled).toEqual(['revokeRefreshTokens']);
  });

  it('"Revoke refresh cookie" refuses the cookie and expires the access token, as its token twin does', async () => {
    const { view, pulled } = renderControls('refresh');
    await vi.waitFor(() => expect(leverLabels(view)).toContain('Revoke refresh cookie'));
    [...view.querySelectorAll('.levers li button')]
      .find((button) => button.textContent === 'Revoke refresh cookie')
      ?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await vi.waitFor(() =>
      expect(view.querySelector('[data-testid="lever-done"]')?.textContent).toBe(
        'Done: revoke refresh cookie.',
      ),
    );
    expect(pulled).toEqual(['revokeRefreshTokens', 'expireAccessTokens']);
  });
});

describe('<RestoringCard>', () => {
  it('says what restoring is in the model: a silent refresh with the cookie, or a read of storage', async () => {
    const session = createSession({ crossTab: false, autoRefresh: false });
    const refresh = render(session, { model: 'refresh' }, <RestoringCard />);
    await vi.waitFor(() => expect(refresh.textContent).toContain('httpOnly refresh cookie'));
    root?.unmount();
    container?.remove();
    const tokens = render(session, { model: 'tokens' }, <RestoringCard />);
    await vi.waitFor(() => expect(tokens.textContent).toContain('Reading the stored session.'));
  });
});
