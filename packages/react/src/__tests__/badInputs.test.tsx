import { createSession } from '@reauth/core';
import { AuthProvider, RequireAuth, useAuth, useReauthPrompt } from '@reauth/react';
import { act, render, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// A demanding user's view of @reauth/react: a hook outside its provider says which provider to add; a bad prop
// is a TypeError naming it; the login modal's complete() refuses bad tokens without quoting them, and the
// requests waiting on the prompt still settle.

const SECRET = 'at-SECRET-react-5eed';

let consoleCalls: unknown[][] = [];
beforeEach(() => {
  consoleCalls = [];
  for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleCalls.push(args);
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
});
const consoleText = () =>
  consoleCalls
    .map((args) =>
      args
        .map((a) => (a instanceof Error ? `${a.message}\n${a.stack}\n${String(a.cause)}` : String(a)))
        .join(' '),
    )
    .join('\n');

function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('hooks outside <AuthProvider>: an error that names the hook and the provider to add', () => {
  it.each([
    ['useAuth', () => useAuth()],
    ['useReauthPrompt', () => useReauthPrompt()],
  ] as const)('%s', (name, hook) => {
    const error = thrownBy(() => renderHook(hook as () => unknown));
    expect(error.message).toMatch(/^\[reauth\]/);
    expect(error.message).toContain(name);
    expect(error.message).toMatch(/AuthProvider/);
  });
  it('<RequireAuth> outside a provider names RequireAuth and AuthProvider', () => {
    const error = thrownBy(() => render(<RequireAuth fallback={null}>x</RequireAuth>));
    expect(error.message).toMatch(/^\[reauth\]/);
    expect(error.message).toMatch(/RequireAuth/);
    expect(error.message).toMatch(/AuthProvider/);
  });
});

describe('bad props and arguments', () => {
  it('<AuthProvider session={{}}> is a TypeError naming session', () => {
    const error = thrownBy(() => render(<AuthProvider session={{} as never}>x</AuthProvider>));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^\[reauth\].*session/);
  });
  it("useAuth('status') (a string, not a selector) is a TypeError naming the selector", () => {
    const session = createSession({ crossTab: false, autoRefresh: false });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <AuthProvider session={session}>{children}</AuthProvider>
    );
    const error = thrownBy(() => renderHook(() => useAuth('status' as never), { wrapper }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^\[reauth\].*useAuth/);
  });
});

describe('the login modal: complete() with bad tokens', () => {
  it('throws a TypeError without the token, keeps the prompt open, and the waiting request still settles', async () => {
    const session = createSession({
      crossTab: false,
      autoRefresh: false,
      refresh: async () => {
        throw Object.assign(new Error('invalid_grant'), { status: 400 });
      },
    });
    session.signIn({ accessToken: 'at-old', refreshToken: 'rt-old', expiresIn: 0 });
    const wrapper = ({ children }: { children: ReactNode }) => (
      <AuthProvider session={session}>{children}</AuthProvider>
    );
    const { result } = renderHook(() => useReauthPrompt(), { wrapper });
    let outcome: unknown = 'pending';
    const waiting = session.getAccessToken().then(
      (value) => {
        outcome = { value };
      },
      (error) => {
        outcome = { error };
      },
    );
    await act(async () => {});
    expect(result.current.isOpen).toBe(true);

    const error = thrownBy(() => result.current.complete(SECRET as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(`${error.message}\n${String(error)}`).not.toContain(SECRET);
    expect(result.current.isOpen).toBe(true);

    await act(async () => result.current.dismiss());
    await waiting;
    expect((outcome as { error?: { code?: string } }).error?.code).toBe('REAUTH_CANCELLED');
    expect(consoleText()).not.toContain(SECRET);
  });
});
