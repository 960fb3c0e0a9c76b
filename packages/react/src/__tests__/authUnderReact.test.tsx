// biome-ignore-all lint/correctness/noComponentHookFactories: each test defines the components it drives, closing over its own session
import { createSession, type TokensInput } from '@reauth/core';
import { AuthProvider, RequireAuth, useAuth, useReauthPrompt } from '@reauth/react';
import { act, render, screen } from '@testing-library/react';
import { StrictMode, startTransition, useDeferredValue } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from './support/harness';

// useAuth and <RequireAuth> under real React behaviour.

afterEach(() => void vi.restoreAllMocks());

/** Signs in, starts a refresh and answers it with `tokens`. */
async function refreshWith(harness: ReturnType<typeof createHarness>, tokens: TokensInput) {
  const call = harness.refreshes.length;
  const done = harness.session.refresh().catch(() => {});
  await act(async () => {
    (await harness.refreshCall(call)).resolve(tokens);
    await done;
  });
}

describe('useAuth(selector)', () => {
  it('an inline selector returning a new object each time renders a bounded number of times, with no React warning', async () => {
    const errors = vi.spyOn(console, 'error');
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice'));
    let renders = 0;
    function Header() {
      renders += 1;
      const { name, admin } = useAuth((auth) => ({
        name: String(auth.user?.sub),
        admin: auth.hasRole('admin'),
      }));
      return (
        <p>
          {name} {String(admin)}
        </p>
      );
    }
    render(
      <StrictMode>
        <AuthProvider session={harness.session}>
          <Header />
        </AuthProvider>
      </StrictMode>,
    );
    expect(screen.getByText('alice false')).toBeTruthy();
    await refreshWith(harness, harness.tokens('alice', ['user', 'admin']));
    expect(screen.getByText('alice true')).toBeTruthy();
    // StrictMode renders twice; two session states since mount (refreshing, signed in): a handful, not a loop.
    expect(renders).toBeLessThanOrEqual(8);
    expect(errors).not.toHaveBeenCalled();
  });

  it('a selector of the user’s sub does not re-render through refreshes that keep the user', async () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice'));
    let renders = 0;
    function Name() {
      renders += 1;
      return <p>{String(useAuth((auth) => auth.user?.sub))}</p>;
    }
    render(
      <AuthProvider session={harness.session}>
        <Name />
      </AuthProvider>,
    );
    expect(renders).toBe(1);
    await refreshWith(harness, harness.tokens('alice'));
    await refreshWith(harness, harness.tokens('alice'));
    expect(renders).toBe(1);
    await refreshWith(harness, harness.tokens('bob'));
    expect(renders).toBe(2);
    expect(screen.getByText('bob')).toBeTruthy();
  });

  it('hasRole inside a selector follows a refresh that adds and then removes the role', async () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice', ['user']));
    function Admin() {
      return <p>admin: {String(useAuth((auth) => auth.hasRole('admin')))}</p>;
    }
    render(
      <AuthProvider session={harness.session}>
        <Admin />
      </AuthProvider>,
    );
    expect(screen.getByText('admin: false')).toBeTruthy();
    await refreshWith(harness, harness.tokens('alice', ['user', 'admin']));
    expect(screen.getByText('admin: true')).toBeTruthy();
    await refreshWith(harness, harness.tokens('alice', ['user']));
    expect(screen.getByText('admin: false')).toBeTruthy();
  });

  it('no tearing: components reading the session in a transition and through useDeferredValue never commit two users at once', async () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice'));
    const commits: string[] = [];
    function Name({ id }: { id: string }) {
      const sub = useAuth((auth) => String(auth.user?.sub));
      const deferred = useDeferredValue(sub);
      return (
        <span data-testid={id}>
          {sub}/{deferred}
        </span>
      );
    }
    function Probe() {
      commits.push(
        [...document.querySelectorAll('[data-testid^=n]')].map((node) => node.textContent).join(' '),
      );
      return null;
    }
    render(
      <AuthProvider session={harness.session}>
        <Name id="n1" />
        <Name id="n2" />
        <Probe />
      </AuthProvider>,
    );
    await act(async () => {
      startTransition(() => harness.session.signIn(harness.tokens('bob')));
    });
    const texts = [screen.getByTestId('n1').textContent, screen.getByTestId('n2').textContent];
    expect(texts).toEqual(['bob/bob', 'bob/bob']);
  });
});

describe('<RequireAuth>', () => {
  it('a refresh that drops the role swaps to the fallback; one that adds it back shows the children', async () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice', ['admin']));
    render(
      <AuthProvider session={harness.session}>
        {/* biome-ignore lint/a11y/useValidAriaRole: the user's role, not an ARIA one */}
        <RequireAuth role="admin" fallback={<p>no admin</p>}>
          <p>admin area</p>
        </RequireAuth>
      </AuthProvider>,
    );
    expect(screen.getByText('admin area')).toBeTruthy();
    await refreshWith(harness, harness.tokens('alice', ['user']));
    expect(screen.getByText('no admin')).toBeTruthy();
    await refreshWith(harness, harness.tokens('alice', ['admin']));
    expect(screen.getByText('admin area')).toBeTruthy();
  });

  it('opaque (non-JWT) tokens: the page stays mounted behind the login modal after a refused refresh', async () => {
    const harness = createHarness();
    harness.session.signIn({ accessToken: 'opaque-access', refreshToken: 'opaque-refresh', expiresIn: 600 });
    const seen: string[] = [];
    function Page() {
      seen.push('page');
      return <p>page</p>;
    }
    function Login() {
      seen.push('login page');
      return <p>login page</p>;
    }
    function Modal() {
      const { isOpen } = useReauthPrompt();
      return isOpen ? <p>modal</p> : null;
    }
    render(
      <AuthProvider session={harness.session}>
        <RequireAuth fallback={<Login />}>
          <Page />
        </RequireAuth>
        <Modal />
      </AuthProvider>,
    );
    const call = harness.refreshes.length;
    harness.session.refresh().catch(() => {});
    const waiting = harness.request();
    await act(async () => (await harness.refreshCall(call)).refuse());
    expect(screen.getByText('modal')).toBeTruthy();
    expect(seen).not.toContain('login page');
    act(() => harness.session.signIn({ accessToken: 'opaque-2', refreshToken: 'r2', expiresIn: 600 }));
    await expect(waiting).resolves.toEqual({ token: 'opaque-2' });
    expect(seen).not.toContain('login page');
  });

  it('restoring an expired token from async storage and refreshing it at start-up never flashes the login form', async () => {
    const now = Date.now();
    let readStored: (value: string | null) => void = () => {};
    const storage = {
      getItem: () => new Promise<string | null>((resolve) => (readStored = resolve)),
      setItem: async () => {},
      removeItem: async () => {},
    };
    let answerRefresh: (tokens: TokensInput) => void = () => {};
    const session = createSession({
      storage,
      refresh: () => new Promise<TokensInput>((resolve) => (answerRefresh = resolve)),
      crossTab: false,
      autoRefresh: false,
    });
    const seen: string[] = [];
    function Probe({ text }: { text: string }) {
      seen.push(text);
      return <p>{text}</p>;
    }
    render(
      <AuthProvider session={session}>
        <RequireAuth fallback={<Probe text="login form" />} loading={<Probe text="loading" />}>
          <Probe text="page" />
        </RequireAuth>
      </AuthProvider>,
    );
    const stored = {
      v: 1,
      accessToken: 'old',
      refreshToken: 'r1',
      expiresAt: now - 1_000,
      receivedAt: now - 601_000,
    };
    await act(async () => readStored(JSON.stringify(stored)));
    // The app's first request after start-up asks for a token: the expired one is refreshed first.
    const token = session.getAccessToken().catch(() => null);
    await act(async () => {
      for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
      answerRefresh({ accessToken: 'fresh', refreshToken: 'r2', expiresIn: 600 });
      await token;
    });
    expect(await token).toBe('fresh');
    expect(seen).not.toContain('login form');
    expect(seen.at(-1)).toBe('page');
  });
});

describe('cookie sessions behind the login modal', () => {
  it('cookies: "session" signed in without user info: a 401 opens the modal and the page stays mounted', async () => {
    const { createAuthFetch } = await import('@reauth/fetch');
    const session = createSession({ cookies: 'session', crossTab: false, autoRefresh: false });
    session.signIn(); // the login form posted, the server set the cookie; the app did not load /me
    let status = 401;
    const authFetch = createAuthFetch(session, {
      fetch: async () => new Response('{}', { status }),
      allowedOrigins: ['https://api.example.test'],
    });
    const seen: string[] = [];
    function Page() {
      seen.push('page');
      return <p>page</p>;
    }
    function Login() {
      seen.push('login page');
      return <p>login page</p>;
    }
    function Modal() {
      const { isOpen, complete } = useReauthPrompt();
      return isOpen ? (
        <button type="button" onClick={() => complete({})}>
          modal
        </button>
      ) : null;
    }
    render(
      <AuthProvider session={session}>
        <RequireAuth fallback={<Login />}>
          <Page />
        </RequireAuth>
        <Modal />
      </AuthProvider>,
    );
    expect(seen).toEqual(['page']);
    let response: Promise<Response> | undefined;
    await act(async () => {
      response = authFetch('https://api.example.test/items');
      for (let turn = 0; turn < 20; turn += 1) await Promise.resolve();
    });
    await screen.findByText('modal');
    expect(session.getState().status).toBe('reauthRequired');
    status = 200;
    act(() => screen.getByText('modal').click());
    expect((await response)?.status).toBe(200);
    expect(seen).not.toContain('login page');
  });
});

describe('cookies: "refresh", signed out, a 401 tries a silent refresh', () => {
  it('<RequireAuth> does not mount the protected page while that silent refresh runs for a signed-out visitor', async () => {
    const { createAuthFetch } = await import('@reauth/fetch');
    let answer: { resolve: (tokens: TokensInput) => void; refuse: () => void } | undefined;
    let refreshes = 0;
    const session = createSession({
      cookies: 'refresh',
      refresh: () => {
        refreshes += 1;
        // Start-up: the network is down for the restore (transient: the next 401 tries the cookie again).
        if (refreshes === 1) return Promise.reject(new TypeError('Failed to fetch'));
        return new Promise<TokensInput>((resolve, reject) => {
          answer = {
            resolve,
            refuse: () => reject(Object.assign(new Error('invalid_grant'), { status: 400 })),
          };
        });
      },
      crossTab: false,
      autoRefresh: false,
    });
    await session.ready();
    expect(session.getState().status).toBe('signedOut');
    const seen: string[] = [];
    function PromptProbe() {
      useReauthPrompt(); // the app's login modal is mounted
      return null;
    }
    function Page() {
      seen.push('protected page');
      return <p>protected page</p>;
    }
    render(
      <AuthProvider session={session}>
        <RequireAuth fallback={<p>login page</p>}>
          <Page />
        </RequireAuth>
        <PromptProbe />
      </AuthProvider>,
    );
    const authFetch = createAuthFetch(session, {
      fetch: async () => new Response('{}', { status: 401 }),
      allowedOrigins: ['https://api.example.test'],
    });
    await act(async () => {
      void authFetch('https://api.example.test/public-ish').catch(() => {});
      for (let turn = 0; turn < 20 && !answer; turn += 1)
        await new Promise((resolve) => setTimeout(resolve, 0));
    });
    // A 401 while signed out tries one silent refresh: the visitor is still nobody while it runs.
    expect(answer, 'the silent refresh was not started').toBeDefined();
    const statusDuringRefresh = session.getState().status;
    // The cookie is refused: the visitor signs in in the modal (opened now), or the request fails.
    await act(async () => answer?.refuse());
    expect(seen, `status during the silent refresh: ${statusDuringRefresh}`).toEqual([]);
  });
});
