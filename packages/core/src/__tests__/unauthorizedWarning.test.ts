import { createAuthorizer, type Session, type Ticket } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { setup, T0, track } from './support/harness';
import { jwtExpiringIn } from './support/jwt';

// warnOnce remembers what it said for the life of the module: each test uses causes no other test here uses
// first, or asserts on the order within one test.
let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const lines = () => warn.mock.calls.map((args) => args.join(' '));

function client(session: Session) {
  const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
  return (url: string, challenge: string, method = 'GET') => {
    const ticket = authorizer.authorize({ url, method }) as Ticket;
    const value = authorizer.credentials(ticket);
    track(
      authorizer.handleUnauthorized(ticket, {
        status: 401,
        headers: { 'WWW-Authenticate': challenge },
        requestHeaders: value === null ? {} : { Authorization: value },
        shouldRefresh: false,
      }),
    );
  };
}

describe('the development console line for a 401', () => {
  it('is not written in production builds', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const { session } = setup();
    session.signIn({ accessToken: jwtExpiringIn(600, T0), refreshToken: 'refresh-1' });

    client(session)('/scoped', 'Bearer error="insufficient_scope"');

    expect(lines()).toEqual([]);
  });

  it('says the method, the redacted URL, the cause and its hint, once per cause however many 401s', () => {
    const token = jwtExpiringIn(600, T0);
    const { session } = setup();
    session.signIn({ accessToken: token, refreshToken: 'refresh-1' });
    const send = client(session);

    send(
      `https://user:pw@api.example.test/admin?access_token=${token}#frag`,
      'Bearer error="insufficient_scope"',
    );
    send('/admin/2', 'Bearer error="insufficient_scope"', 'post');
    send('/admin/3', 'Bearer error="insufficient_scope"');

    expect(lines()).toEqual([
      expect.stringMatching(
        /^\[reauth\] 401 on GET https:\/\/api\.example\.test\/admin\?access_token=\[redacted\]: insufficient_scope — \S.+\.$/,
      ),
    ]);
    expect(lines().join('\n')).not.toContain(token.split('.')[1]);
    expect(lines().join('\n')).not.toContain('pw@');
  });

  it('writes a new line for each new cause', () => {
    const { session } = setup();
    session.signIn({ accessToken: jwtExpiringIn(600, T0), refreshToken: 'refresh-1' });
    const send = client(session);

    send('/a', 'Bearer error="invalid_token"');
    send('https://elsewhere.example.test/b', 'Bearer realm="elsewhere"');
    send('/c', 'Bearer error="invalid_token"');
    send('/d', 'Bearer realm="api"');

    const causes = lines()
      .filter((line) => line.includes(' 401 on '))
      .map((line) => /: (\w+) — /.exec(line)?.[1]);
    expect(causes).toEqual(['invalid_token', 'origin_not_allowed', 'unknown']);
  });

  it('says nothing for a skipAuth request (a wrong password at login), while its event still carries the diagnosis', () => {
    const { session } = setup();
    const events: string[] = [];
    session.on('unauthorized', ({ diagnosis }) => void events.push(diagnosis.cause));
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const ticket = authorizer.authorize({ url: '/auth/login', method: 'POST', skipAuth: true }) as Ticket;

    track(authorizer.handleUnauthorized(ticket, { status: 401, headers: {}, shouldRefresh: true }));

    expect(events).toEqual(['missing_authorization']);
    expect(lines()).toEqual([]);
  });
});
