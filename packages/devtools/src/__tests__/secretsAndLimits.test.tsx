import {
  type AuthEvent,
  createAuthorizer,
  createSession,
  type RefreshContext,
  type TokensInput,
} from '@reauth/core';
import type { ReauthDevtools as Devtools } from '@reauth/devtools';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Review tests: what the panel may show (never a token), how much it keeps, and what it leaves behind.
const T0 = Date.UTC(2030, 0, 1);

function setup() {
  const calls: { resolve(tokens: TokensInput): void }[] = [];
  const refresh = (_: RefreshContext) => new Promise<TokensInput>((resolve) => calls.push({ resolve }));
  const session = createSession({
    refresh,
    now: () => Date.now(),
    refreshLeewayMs: 60_000,
    autoRefresh: false,
    crossTab: false,
  });
  const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
  /** Starts a request the way an adapter does: it waits while the session refreshes. */
  const send = (url: string) => {
    const ticket = authorizer.authorize({ url });
    if (ticket instanceof Promise) ticket.catch(() => {});
  };
  return { session, calls, send };
}

let ReauthDevtools: typeof Devtools;
beforeEach(async () => {
  vi.useFakeTimers({ now: T0 });
  vi.stubEnv('NODE_ENV', 'development');
  vi.resetModules();
  ReauthDevtools = (await import('@reauth/devtools')).ReauthDevtools;
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('ReauthDevtools never shows a token', () => {
  // Was a bug (review, 2026-11-30): event URLs are redacted by the name of the query parameter (token, key, auth…) and by JWT shape only:
  // the session's own opaque access or refresh token in a parameter with another name (`?t=`, `?rt=`, as
  // signed download links do) reaches the requestQueued event and is rendered in the timeline. The
  // authorizer knows both tokens: redactUrl should also replace their literal values.
  it('hides the session’s own opaque tokens inside the URLs of queued requests', async () => {
    const { session, send } = setup();
    const accessToken = 'opaque-access-8c1f2e';
    const refreshToken = 'opaque-refresh-77d0a1';
    session.signIn({ accessToken, refreshToken, expiresIn: 30 }); // inside the leeway: requests queue
    const { container } = render(<ReauthDevtools session={session} initialIsOpen />);
    await act(() => vi.advanceTimersByTimeAsync(0));

    act(() => {
      send(`/files/report.pdf?t=${accessToken}`);
      send(`/export?rt=${refreshToken}`);
    });

    expect(container.textContent).toContain('requestQueued');
    for (const secret of [accessToken, refreshToken]) expect(container.innerHTML).not.toContain(secret);
  });
});

describe('ReauthDevtools with a busy session', () => {
  it('keeps only the last `size` events of thousands, and renders only those', async () => {
    const { session } = setup();
    render(<ReauthDevtools session={session} initialIsOpen size={50} />);
    await act(() => vi.advanceTimersByTimeAsync(0));

    act(() => {
      for (let i = 0; i < 2_500; i++) {
        session.signIn({ accessToken: `token-${i}` });
        session.signOut();
      }
    });

    const rows = within(screen.getByRole('list', { name: 'events' })).getAllByRole('listitem');
    expect(rows).toHaveLength(50);
  });

  it('leaves no listener and no timer behind once unmounted', async () => {
    const { session } = setup();
    let listening = 0;
    const on = session.on.bind(session);
    session.on = ((type: '*', listener: (event: AuthEvent) => void) => {
      listening += 1;
      const off = on(type, listener);
      return () => {
        listening -= 1;
        off();
      };
    }) as typeof session.on;
    session.signIn({ accessToken: 'token', expiresIn: 600 });
    const view = render(<ReauthDevtools session={session} initialIsOpen />);
    await act(() => vi.advanceTimersByTimeAsync(0));
    expect([listening, vi.getTimerCount()]).toEqual([1, 1]); // the event log, and the ticking expiry

    view.unmount();

    expect([listening, vi.getTimerCount()]).toEqual([0, 0]);
  });
});
