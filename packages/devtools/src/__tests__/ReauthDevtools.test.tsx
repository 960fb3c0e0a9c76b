import {
  type AuthEvent,
  createAuthorizer,
  createSession,
  type RefreshContext,
  type Ticket,
  type TokensInput,
} from '@reauth/core';
import type { ReauthDevtools as Devtools } from '@reauth/devtools';
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const T0 = Date.UTC(2030, 0, 1);
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (sub: string, lifetimeSec: number) =>
  `${encode({ alg: 'HS256' })}.${encode({ sub, exp: Math.floor(Date.now() / 1000) + lifetimeSec })}.sig`;

/** The public entry as a build with this NODE_ENV sees it (the choice is made when the module loads). */
async function loadDevtools(nodeEnv: string): Promise<typeof Devtools> {
  vi.stubEnv('NODE_ENV', nodeEnv);
  vi.resetModules();
  return (await import('@reauth/devtools')).ReauthDevtools;
}

function setup() {
  const calls: { resolve(tokens: TokensInput): void; reject(error: unknown): void }[] = [];
  const refresh = (_: RefreshContext) =>
    new Promise<TokensInput>((resolve, reject) => calls.push({ resolve, reject }));
  // One tab, no background refresh: the test decides when a refresh starts (a request inside the leeway).
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
    return ticket;
  };
  return { session, calls, send, authorizer };
}

const fact = (term: string) => screen.getByText(term, { selector: 'dt' }).nextElementSibling?.textContent;
const timeline = () =>
  within(screen.getByRole('list', { name: 'events' }))
    .getAllByRole('listitem')
    .map((row) => row.textContent);
const flush = () => act(() => vi.advanceTimersByTimeAsync(0));

let ReauthDevtools: typeof Devtools;
beforeEach(async () => {
  vi.useFakeTimers({ now: T0 });
  ReauthDevtools = await loadDevtools('development');
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('ReauthDevtools in development', () => {
  it('shows only the toggle until it is opened, and closes again', () => {
    const { session } = setup();
    render(<ReauthDevtools session={session} />);
    expect(screen.queryByRole('region', { name: 'reauth devtools' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Open reauth devtools' }));
    expect(screen.getByRole('region', { name: 'reauth devtools' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Close reauth devtools' }));

    expect(screen.queryByRole('region', { name: 'reauth devtools' })).toBeNull();
  });

  it('shows a signed-out session: no user, no expiry, nothing waiting, no events', () => {
    const { session } = setup();
    render(<ReauthDevtools session={session} initialIsOpen />);

    expect([fact('Status'), fact('User'), fact('Expires'), fact('Waiting')]).toEqual([
      'signedOut',
      '—',
      '—',
      '0 requests',
    ]);
    expect(screen.getByText('No events yet.')).toBeTruthy();
  });

  it('shows who signed in and a time to expiry that ticks, and no token', async () => {
    const { session } = setup();
    const { container } = render(<ReauthDevtools session={session} initialIsOpen />);
    await flush();
    const accessToken = jwt('alice', 600);

    act(() => session.signIn({ accessToken, refreshToken: 'refresh-1' }));
    expect([fact('Status'), fact('User'), fact('Expires')]).toEqual(['signedIn', 'alice', 'in 10m 00s']);
    await act(() => vi.advanceTimersByTimeAsync(5_000));

    expect(fact('Expires')).toBe('in 9m 55s');
    expect(timeline()).toEqual([expect.stringMatching(/^00:00:00signedInalice$/)]);
    for (const secret of [accessToken, 'refresh-1']) {
      expect(container.innerHTML).not.toContain(secret);
    }
  });

  it('shows a token past its expiry as expired', async () => {
    const { session } = setup();
    session.signIn({ accessToken: jwt('alice', 30) });
    render(<ReauthDevtools session={session} initialIsOpen />);
    await flush();

    await act(() => vi.advanceTimersByTimeAsync(35_000));

    expect([fact('Status'), fact('Expires')]).toEqual(['signedIn', 'expired 5s ago']);
  });

  it('shows a refresh with its queue of waiting requests, then the queue released', async () => {
    const { session, calls, send } = setup();
    session.signIn({ accessToken: jwt('alice', 30), refreshToken: 'refresh-1' });
    render(<ReauthDevtools session={session} initialIsOpen />);
    await flush();

    act(() => {
      send('/a');
      send('/b');
      send('/c');
    });
    expect([fact('Status'), fact('Waiting')]).toEqual(['refreshing', '3 requests']);
    expect(timeline()[0]).toContain('requestQueuedGET https://api.example.test/c · 3 waiting');
    await flush();
    await act(async () => calls[0]?.resolve({ accessToken: jwt('alice', 600), refreshToken: 'refresh-2' }));

    expect([fact('Status'), fact('Waiting')]).toEqual(['signedIn', '0 requests']);
    expect(timeline()[0]).toMatch(/refreshSuccess/);
  });

  it('shows a session waiting for re-authentication after a refused refresh', async () => {
    const { session, calls, send } = setup();
    session.onReauth(() => new Promise(() => {}));
    session.signIn({ accessToken: jwt('alice', 30), refreshToken: 'refresh-1' });
    render(<ReauthDevtools session={session} initialIsOpen />);
    await flush();

    act(() => void send('/a'));
    await flush();
    await act(async () => calls[0]?.reject(Object.assign(new Error('refused'), { status: 400 })));

    expect([fact('Status'), fact('Waiting'), fact('Last error')]).toEqual([
      'reauthRequired',
      '1 request',
      'SESSION_EXPIRED',
    ]);
    expect(timeline().slice(0, 2)).toEqual([
      expect.stringContaining('reauthRequiredrefresh_rejected · 1 waiting'),
      expect.stringContaining('refreshFailureSESSION_EXPIRED (terminal)'),
    ]);
  });

  it('shows a 401 in the timeline with its diagnosis: cause and hint', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { session, authorizer } = setup();
    session.signIn({ accessToken: jwt('alice', 600), refreshToken: 'refresh-1' });
    render(<ReauthDevtools session={session} initialIsOpen />);
    await flush();

    await act(async () => {
      const ticket = authorizer.authorize({ url: '/admin' }) as Ticket;
      await authorizer.handleUnauthorized(ticket, {
        status: 401,
        headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
        requestHeaders: { Authorization: authorizer.credentials(ticket) },
        shouldRefresh: false,
      });
    });

    const [row] = timeline();
    expect(row).toContain('unauthorized401 GET https://api.example.test/admin · passed on');
    expect(row).toMatch(/insufficient_scope — The token lacks a permission/);
  });

  it('empties the timeline with "Clear events" and goes on logging', async () => {
    const { session } = setup();
    render(<ReauthDevtools session={session} initialIsOpen />);
    await flush();
    act(() => session.signIn({ accessToken: jwt('alice', 600) }));

    fireEvent.click(screen.getByRole('button', { name: 'Clear events' }));
    expect(screen.getByText('No events yet.')).toBeTruthy();
    act(() => session.signOut());

    expect(timeline()).toEqual([expect.stringContaining('signedOut')]);
  });

  it('logs each event once under StrictMode (one log, not one per mount)', async () => {
    const { session } = setup();
    render(
      <StrictMode>
        <ReauthDevtools session={session} initialIsOpen />
      </StrictMode>,
    );
    await flush();

    act(() => session.signIn({ accessToken: jwt('alice', 600) }));

    expect(timeline()).toHaveLength(1);
  });

  it('sits in the corner it is given', () => {
    const { session } = setup();
    const { container } = render(<ReauthDevtools session={session} position="top-left" />);
    const root = container.querySelector<HTMLElement>('[data-reauth-devtools]');

    expect(root?.style.position).toBe('fixed');
    expect([root?.style.top, root?.style.left, root?.style.bottom]).toEqual(['12px', '12px', '']);
  });
});

describe('ReauthDevtools outside development', () => {
  it.each(['production', 'test'])('renders nothing when NODE_ENV is %s', async (nodeEnv) => {
    const Nothing = await loadDevtools(nodeEnv);
    const { session } = setup();

    const { container } = render(<Nothing session={session} initialIsOpen />);

    expect(container.innerHTML).toBe('');
  });
});

describe('ReauthDevtools never shows a token', () => {
  // Signed download links carry tokens under names that say nothing (`?t=`, `?rt=`): hidden all the same.
  it('hides the session’s own opaque tokens inside the URLs of queued requests', async () => {
    const { session, send } = setup();
    const accessToken = 'opaque-access-8c1f2e';
    const refreshToken = 'opaque-refresh-77d0a1';
    session.signIn({ accessToken, refreshToken, expiresIn: 30 }); // inside the leeway: requests queue
    const { container } = render(<ReauthDevtools session={session} initialIsOpen />);
    await flush();

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
    await flush();

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
    await flush();
    expect([listening, vi.getTimerCount()]).toEqual([1, 1]); // the event log, and the ticking expiry

    view.unmount();

    expect([listening, vi.getTimerCount()]).toEqual([0, 0]);
  });
});
