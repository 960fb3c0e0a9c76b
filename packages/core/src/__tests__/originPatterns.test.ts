import { createAuthorizer, type Ticket } from '@reauth/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setup } from './support/harness';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const warnings = () => {
  const said: string[] = [];
  vi.spyOn(console, 'warn').mockImplementation((...args) => void said.push(args.join(' ')));
  return said;
};

describe('RegExp entries of allowedOrigins', () => {
  it('warns that an unanchored RegExp also matches a look-alike origin, which then gets the token', () => {
    const said = warnings();
    const { session } = setup();
    session.signIn({ accessToken: 'access-1' });

    const authorizer = createAuthorizer(session, { allowedOrigins: [/api\.example\.test/] });
    const ticket = authorizer.authorize({ url: 'https://api.example.test.attacker.test/x' }) as Ticket;

    // The warning says why it matters: the look-alike origin matched, and got the token.
    expect(authorizer.credentials(ticket)).toBe('Bearer access-1');
    expect(said).toEqual([
      expect.stringMatching(/^\[reauth\] allowedOrigins: \/api\\.example\\.test\/ is not anchored/),
    ]);
  });

  it('says nothing of an anchored RegExp, which refuses the look-alike', () => {
    const said = warnings();
    const { session } = setup();
    session.signIn({ accessToken: 'access-1' });

    const authorizer = createAuthorizer(session, { allowedOrigins: [/^https:\/\/api\.example\.test$/] });
    const lookAlike = authorizer.authorize({ url: 'https://api.example.test.attacker.test/x' }) as Ticket;
    const own = authorizer.authorize({ url: 'https://api.example.test/x' }) as Ticket;

    expect(authorizer.credentials(lookAlike)).toBeNull();
    expect(authorizer.credentials(own)).toBe('Bearer access-1');
    expect(said.filter((line) => line.includes('anchored'))).toEqual([]);
  });

  it('says nothing in production builds', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const said = warnings();
    const { session } = setup();
    createAuthorizer(session, { allowedOrigins: [/production-only\.example/] });
    expect(said).toEqual([]);
  });
});
