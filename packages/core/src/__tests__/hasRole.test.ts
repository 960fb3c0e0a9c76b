import { createSession } from '@reauth/core';
import { describe, expect, it } from 'vitest';

const jwt = (claims: object) =>
  `e30.${Buffer.from(JSON.stringify({ sub: 'alice', ...claims })).toString('base64url')}.sig`;

describe('hasRole', () => {
  it('reads the roles claim as an array', () => {
    const session = createSession();
    session.signIn({ accessToken: jwt({ roles: ['user', 'admin'] }) });
    expect(session.hasRole('admin')).toBe(true);
    expect(session.hasRole('owner')).toBe(false);
  });

  it('reads the roles claim as a space-separated string', () => {
    const session = createSession();
    session.signIn({ accessToken: jwt({ roles: 'user  admin' }) });
    expect(session.hasRole('admin')).toBe(true);
    expect(session.hasRole('')).toBe(false);
  });

  it('uses getRoles when given (e.g. a namespaced claim)', () => {
    const session = createSession({
      getRoles: (claims) => (claims['https://example.test/roles'] as string[] | undefined) ?? [],
    });
    session.signIn({ accessToken: jwt({ roles: ['ignored'], 'https://example.test/roles': ['editor'] }) });
    expect(session.hasRole('editor')).toBe(true);
    expect(session.hasRole('ignored')).toBe(false);
  });

  it('is false when signed out, when the token has no roles, or when the roles claim is malformed', () => {
    const session = createSession();
    expect(session.hasRole('user')).toBe(false);
    session.signIn({ accessToken: jwt({}) });
    expect(session.hasRole('user')).toBe(false);
    session.signIn({ accessToken: jwt({ roles: [1, 'user', null] }) });
    expect(session.hasRole('user')).toBe(true);
    session.signIn({ accessToken: 'opaque-token' });
    expect(session.hasRole('user')).toBe(false);
    session.signOut();
    expect(session.hasRole('user')).toBe(false);
  });

  it('rejects a getRoles that is not a function with a TypeError saying what was expected', () => {
    expect(() => createSession({ getRoles: 'roles' as never })).toThrow(/getRoles.*function/);
  });
});
