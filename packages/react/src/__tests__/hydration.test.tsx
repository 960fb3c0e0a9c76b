import { createSession, type Session } from '@reauth/core';
import { AuthProvider, RequireAuth, useAuth, useReauthPrompt } from '@reauth/react';
import { act } from '@testing-library/react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Server rendering on a server session, then hydration in the browser.

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwtFor = (sub: string) => {
  const iat = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'HS256' })}.${encode({ sub, roles: ['user'], iat, exp: iat + 600 })}.sig`;
};

const seen: string[] = [];
function Login() {
  seen.push('login form');
  return <form aria-label="login">login form</form>;
}
function Greeting() {
  const { user, isAuthenticated } = useAuth();
  const status = useAuth((auth) => auth.status);
  return (
    <p>
      {isAuthenticated ? `hello ${String(user?.sub)}` : 'hello stranger'} ({status})
    </p>
  );
}
function Modal() {
  const { isOpen } = useReauthPrompt();
  return isOpen ? <div role="dialog">sign in again</div> : null;
}
const App = ({ session }: { session: Session }) => (
  <AuthProvider session={session}>
    <RequireAuth fallback={<Login />} loading={<p>loading</p>}>
      <Greeting />
    </RequireAuth>
    <Modal />
  </AuthProvider>
);

afterEach(() => {
  localStorage.clear();
  document.body.innerHTML = '';
  seen.length = 0;
  vi.restoreAllMocks();
});

describe('server rendering then hydration', () => {
  it('hydrates the page of a server session over a browser session of the same user: no mismatch, no warning, no login form', async () => {
    const token = jwtFor('bob');
    // The server: a session per request, signed in from the request's cookie.
    const server = createSession({ crossTab: false, autoRefresh: false });
    server.signIn({ accessToken: token, expiresIn: 600 });
    const html = renderToString(<App session={server} />);
    expect(html).toContain('hello bob');
    expect(seen).toEqual([]);

    // The browser: the same user, restored synchronously from localStorage.
    createSession({ storage: localStorage, crossTab: false, autoRefresh: false }).signIn({
      accessToken: token,
      expiresIn: 600,
    });
    const client = createSession({ storage: localStorage, crossTab: false, autoRefresh: false });
    expect(client.getState().status).toBe('signedIn');
    const errors = vi.spyOn(console, 'error');
    const recoverable: unknown[] = [];
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    await act(async () => {
      hydrateRoot(container, <App session={client} />, {
        onRecoverableError: (error) => void recoverable.push(error),
      });
    });
    expect(recoverable).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    expect(container.textContent).toContain('hello bob (signedIn)');
    expect(seen).toEqual([]);
  });

  it('hydrates over a browser session still restoring from async storage without a login form flash', async () => {
    const token = jwtFor('bob');
    const server = createSession({ crossTab: false, autoRefresh: false });
    server.signIn({ accessToken: token, expiresIn: 600 });
    const html = renderToString(<App session={server} />);
    let read: (value: string | null) => void = () => {};
    const storage = {
      getItem: () => new Promise<string | null>((resolve) => (read = resolve)),
      setItem: async () => {},
      removeItem: async () => {},
    };
    const client = createSession({ storage, crossTab: false, autoRefresh: false });
    expect(client.getState().status).toBe('restoring');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    await act(async () => {
      hydrateRoot(container, <App session={client} />, { onRecoverableError: () => {} });
    });
    const now = Date.now();
    await act(async () =>
      read(JSON.stringify({ v: 1, accessToken: token, expiresAt: now + 600_000, receivedAt: now })),
    );
    expect(container.textContent).toContain('hello bob (signedIn)');
    expect(seen).toEqual([]);
  });
});
