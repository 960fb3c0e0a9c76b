import { type AuthEvent, type CookieRefreshContext, createSession } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0 } from './support/harness';
import { unauthorized } from './support/unauthorized';

beforeEach(() => vi.useFakeTimers({ now: T0 }));
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const refused = vi.fn(async (_context: CookieRefreshContext) => {
  throw Object.assign(new Error('invalid_grant'), { status: 400 });
});

describe('a visitor who never signed in (no prompt registered)', () => {
  it("cookies: 'refresh' — a refused silent refresh hands the plain 401 back, not SESSION_EXPIRED", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = createSession({ cookies: 'refresh', refresh: refused, now: () => Date.now() });
    const seen: AuthEvent[] = [];
    session.on('*', (event) => seen.push(event));
    const outcome = await unauthorized(session).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    // DESIGN: "A 401 on a request sent with no token while signed out is the login-modal trigger (prompt if a
    // handler exists, else the plain 401)"; a refusal means no session: nothing expired.
    expect(outcome).toEqual({ value: null });
    expect(session.getState().error).toBeNull();
    expect(seen.filter((event) => event.type === 'signedOut')).toEqual([]);
  });

  it("cookies: 'session' with a sliding refresh — same: the plain 401, no SESSION_EXPIRED", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const session = createSession({ cookies: 'session', refresh: refused, now: () => Date.now() });
    const outcome = await unauthorized(session).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    expect(outcome).toEqual({ value: null });
    expect(session.getState().error).toBeNull();
  });

  it("cookies: 'refresh' — status does not claim a session while the silent refresh of a visitor runs", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    let answer: () => void = () => {};
    const refresh = vi.fn(
      (_context: CookieRefreshContext) =>
        new Promise<never>((_resolve, reject) => {
          answer = () => reject(Object.assign(new Error('invalid_grant'), { status: 400 }));
        }),
    );
    const session = createSession({ cookies: 'refresh', refresh, now: () => Date.now() });
    session.onReauth(async () => null);
    const statuses: string[] = [];
    session.subscribe((state) => statuses.push(`${state.status}:${state.user ? 'user' : 'nobody'}`));
    const pending = unauthorized(session).catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    answer();
    await pending;
    // @reauth/react: isAuthenticated = status === 'signedIn' || status === 'refreshing' || ... — so <RequireAuth>
    // swaps the login fallback for the protected page while a signed-out visitor's cookie is tried.
    expect(statuses).not.toContain('refreshing:nobody');
  });
});

describe('an explicit sign-out sticks', () => {
  it("cookies: 'refresh' — a request made right after signOut() (the logout call still on its way) does not sign the user back in", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    let cookie: string | null = 'c1'; // the server clears it when /auth/logout lands
    const refresh = vi.fn(async (_context: CookieRefreshContext) => {
      if (!cookie) throw Object.assign(new Error('invalid_grant'), { status: 400 });
      return { accessToken: 'a2', expiresIn: 300 };
    });
    const session = createSession({ cookies: 'refresh', refresh, now: () => Date.now() });
    session.signIn({ accessToken: 'a1', expiresIn: 300 });
    session.signOut();
    const logout = new Promise<void>((resolve) =>
      setTimeout(() => {
        cookie = null;
        resolve();
      }, 50),
    );
    // The page is still mounted for a moment: a query refetches (react-query refetches on clear) and gets a 401.
    const replay = unauthorized(session).catch(() => null);
    await vi.advanceTimersByTimeAsync(100);
    await logout;
    await replay;
    expect(refresh).not.toHaveBeenCalled();
    expect(session.getState().status).toBe('signedOut');
  });
});
