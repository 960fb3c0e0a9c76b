import { createAuthorizer, createSession, type Ticket } from '@reauth/core';
import type { ReauthDevtools as Devtools } from '@reauth/devtools';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

// The panel in development, as a developer leaves it open: what it shows of requests whose URLs carry the
// session's tokens, and how it holds up under an app's throwing listeners and many events.

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
let serial = 0;
const jwtFor = (sub: string) => {
  serial += 1;
  const iat = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'HS256' })}.${encode({ sub, iat, exp: iat + 600, jti: `j${serial}` })}.sig${serial}`;
};

/** The public entry as a development build sees it (the choice is made when the module loads). */
async function loadDevtools(): Promise<typeof Devtools> {
  vi.stubEnv('NODE_ENV', 'development');
  vi.resetModules();
  return (await import('@reauth/devtools')).ReauthDevtools;
}

afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the devtools panel', () => {
  it("shows no token of the session in its DOM, whatever part of a 401's URL carries it, plain or percent-encoded", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ReauthDevtools = await loadDevtools();
    // Opaque tokens with characters a URL encodes: only the session's knowledge of them can cut them out.
    const accessToken = 'opaque+at/7f3c=';
    const refreshToken = 'rt-5e1d9a+b/';
    const session = createSession({ crossTab: false, autoRefresh: false });
    session.signIn({ accessToken, refreshToken, expiresIn: 600 });
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    render(<ReauthDevtools session={session} initialIsOpen />);
    const urls = [
      `/files/${encodeURIComponent(accessToken)}`,
      `/download?t=${encodeURIComponent(accessToken)}`,
      `/download?t=${accessToken}`,
      `/hook?r=${encodeURIComponent(refreshToken)}`,
      `/x?access_token=${accessToken}`,
      `/jwt/${jwtFor('alice')}`,
    ];
    await act(async () => {
      for (const url of urls) {
        const ticket = authorizer.authorize({ url }) as Ticket;
        await authorizer.handleUnauthorized(ticket, {
          status: 401,
          headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
          requestHeaders: { Authorization: authorizer.credentials(ticket) },
          shouldRefresh: false,
        });
      }
    });
    const html = document.documentElement.outerHTML;
    expect(screen.getAllByText('unauthorized')).toHaveLength(urls.length);
    for (const secret of [accessToken, refreshToken]) {
      expect(html.includes(secret)).toBe(false);
      expect(html.includes(encodeURIComponent(secret))).toBe(false);
    }
    expect(html).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });

  it('keeps updating when an app listener throws, and keeps its timeline bounded under many events', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const ReauthDevtools = await loadDevtools();
    const session = createSession({ crossTab: false, autoRefresh: false });
    session.on('signedIn', () => {
      throw new Error('app listener bug');
    });
    session.subscribe(() => {
      throw new Error('app subscriber bug');
    });
    render(<ReauthDevtools session={session} initialIsOpen size={20} />);
    act(() => {
      for (let i = 0; i < 500; i += 1) {
        session.signIn({ accessToken: jwtFor(`user${i}`), refreshToken: `r${i}`, expiresIn: 600 });
        session.signOut();
      }
      session.signIn({ accessToken: jwtFor('last'), expiresIn: 600 });
    });
    expect(screen.getByRole('button', { name: /close reauth devtools/i }).textContent).toContain('signedIn');
    expect(screen.getAllByRole('listitem').length).toBeLessThanOrEqual(20);
    expect(screen.getByRole('list', { name: 'events' }).textContent).toContain('last');
  });
});
