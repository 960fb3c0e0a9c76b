import { createAuthorizer, createEventLog, type Ticket } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setup, T0, track } from './support/harness';
import { jwtExpiringIn } from './support/jwt';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

// The cross-package sweep over every path is test/diagnostics/noSecrets.test.ts (real server, axios); this
// holds what core alone decides.
describe('no token in what core says about a request', () => {
  it("keeps the session's opaque access and refresh tokens out of a queued request's event URL (?t=, ?rt=)", async () => {
    const { session } = setup();
    session.signIn({
      accessToken: 'opaque-access-8c1f2e',
      refreshToken: 'opaque-refresh-77d0a1',
      expiresIn: 1,
    });
    await vi.advanceTimersByTimeAsync(1_000); // expired: requests queue behind the refresh
    const log = createEventLog(session);
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });

    track(authorizer.authorize({ url: '/files/report.pdf?t=opaque-access-8c1f2e' }) as Promise<Ticket>);
    track(authorizer.authorize({ url: '/export?rt=opaque-refresh-77d0a1' }) as Promise<Ticket>);

    const queued = log.entries().filter((entry) => entry.type === 'requestQueued');
    expect(queued.map((entry) => (entry as { url?: string }).url)).toEqual([
      'https://api.example.test/files/report.pdf?t=[redacted]',
      'https://api.example.test/export?rt=[redacted]',
    ]);
  });

  it("keeps the session's own token out of a 401's event, log entry and console line when the URL carries it under any name (?jwt=)", () => {
    const said: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args) => void said.push(args.join(' ')));
    const token = jwtExpiringIn(600, T0);
    const { session } = setup();
    session.signIn({ accessToken: token, refreshToken: 'refresh-1' });
    const log = createEventLog(session);
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    // A websocket-style URL: the token as a query parameter whose name says nothing of credentials.
    const ticket = authorizer.authorize({ url: `/stream?jwt=${token}` }) as Ticket;

    track(
      authorizer.handleUnauthorized(ticket, {
        status: 401,
        headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
        requestHeaders: {},
        shouldRefresh: false,
      }),
    );

    const [payload] = token.split('.').slice(1);
    expect(said.length + log.entries().length).toBeGreaterThan(1);
    expect(JSON.stringify(log.entries())).not.toContain(payload);
    expect(said.join('\n')).not.toContain(payload);
  });

  it('keeps an opaque token out of the event URL when the request carries it in its path or query', () => {
    const token = 'opaque.AbC-123_secret';
    const { session } = setup();
    session.signIn({ accessToken: token, refreshToken: 'refresh-1' });
    const log = createEventLog(session);
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const ticket = authorizer.authorize({ url: `/files/${token}/download?sig=${token}` }) as Ticket;

    track(
      authorizer.handleUnauthorized(ticket, {
        status: 401,
        headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
        requestHeaders: {},
        shouldRefresh: false,
      }),
    );

    const urls = log.entries().flatMap((entry) => ('url' in entry ? [String(entry.url)] : []));
    expect(urls).toEqual(['https://api.example.test/files/[redacted]/download?sig=[redacted]']);
  });
});
