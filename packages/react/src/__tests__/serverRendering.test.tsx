// @vitest-environment node
import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import { createMockAuthServer } from '@reauth/msw';
import axios from 'axios';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('server rendering', () => {
  afterEach(() => void vi.unstubAllGlobals());

  it('imports the package and renders a tree using every export with no window', async () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
    // Node has a BroadcastChannel: count what opens one while the package (and the modal on it) load.
    const opened = { channels: 0 };
    vi.stubGlobal(
      'BroadcastChannel',
      class extends BroadcastChannel {
        constructor(name: string) {
          super(name);
          opened.channels += 1;
        }
      },
    );
    vi.resetModules();
    const { AuthProvider, RequireAuth, useAuth, useReauthPrompt } = await import('@reauth/react');
    const { LoginModal } = await import('./support/LoginModal');
    expect(opened.channels).toBe(0);
    // Nothing is sent while rendering: the kit only issues bob's tokens, no server listens.
    const auth = createMockAuthServer({ baseUrl: 'https://api.example.test' });
    const api = axios.create({ baseURL: 'https://api.example.test' });
    const session = createSession();
    attachAuth(api, session);
    session.signIn(await auth.controls.issueTokens('bob'));
    // biome-ignore lint/correctness/noComponentHookFactories: its hooks are the package imported just above
    function Page() {
      const { user, isAuthenticated } = useAuth();
      const status = useAuth((auth) => auth.status);
      const { isOpen } = useReauthPrompt();
      return (
        <p>
          {String(user?.sub)} {String(isAuthenticated)} {status} prompt {isOpen ? 'open' : 'closed'}
        </p>
      );
    }

    const html = renderToString(
      <AuthProvider session={session}>
        <RequireAuth fallback={<p>sign in</p>}>
          <Page />
        </RequireAuth>
        {/* biome-ignore lint/a11y/useValidAriaRole: the user's role, not an ARIA one */}
        <RequireAuth role="admin">
          <p>admin area</p>
        </RequireAuth>
        {/* biome-ignore lint/a11y/useValidAriaRole: the user's role, not an ARIA one */}
        <RequireAuth role="root" fallback={<p>no root area</p>}>
          <p>root area</p>
        </RequireAuth>
        <LoginModal api={api} />
      </AuthProvider>,
    );

    expect(html.replace(/<!-- -->/g, '')).toBe(
      '<p>bob true signedIn prompt closed</p><p>admin area</p><p>no root area</p>',
    );
  });
});
