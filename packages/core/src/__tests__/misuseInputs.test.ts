import { createAuthorizer, createSession, type TokensInput } from '@reauth/core';
import { describe, expect, it } from 'vitest';

describe('misuse is a TypeError at the call that made it', () => {
  // Else every refused refresh would count as transient, and the user would never be asked to sign in again.
  it('createSession: an isRefreshRejected that is not a function', () => {
    expect(() => createSession({ crossTab: false, isRefreshRejected: true as never })).toThrow(
      /\[reauth\] createSession: `isRefreshRejected` must be a function/,
    );
  });

  // `*` is a valid host code point: kept as a literal origin it would match nothing, silently.
  it('createAuthorizer: a wildcard allowedOrigins string', () => {
    const session = createSession({ crossTab: false });
    expect(() => createAuthorizer(session, { allowedOrigins: ['https://*.api.review.test'] })).toThrow(
      /\[reauth\].*RegExp/,
    );
  });

  // Seconds taken for ms count as expired since 1970: every request would wait for a refresh of its own.
  it.each<[string, TokensInput]>([
    ['expiresAt in seconds', { accessToken: 'a', refreshToken: 'r', expiresAt: 2_000_000_000 }],
    ['a negative expiresIn', { accessToken: 'a', refreshToken: 'r', expiresIn: -60 }],
    ['a non-numeric expiresIn', { accessToken: 'a', refreshToken: 'r', expiresIn: 'soon' as never }],
  ])('signIn: %s', (_, tokens) => {
    const session = createSession({ crossTab: false, autoRefresh: false, refresh: async () => tokens });
    expect(() => session.signIn(tokens)).toThrow(TypeError);
  });
});

describe('what the TypeErrors say', () => {
  const session = () => createSession({ crossTab: false, autoRefresh: false });

  it('an expiresAt in seconds says to multiply by 1000', () => {
    expect(() => session().signIn({ accessToken: 'a', expiresAt: 2_000_000_000 })).toThrow(
      /multiply by 1000/,
    );
  });

  it('an access token with a line break names the character, never the token', () => {
    const secret = 'first-half\r\nsecret-second-half';
    let message = '';
    try {
      session().signIn({ accessToken: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/`accessToken` must be printable ASCII \(a header value\); character 11 is not/);
    expect(message).not.toContain('secret-second-half');
  });

  it('a wildcard origin points to an anchored RegExp', () => {
    expect(() => createAuthorizer(session(), { allowedOrigins: ['https://*.example.com'] })).toThrow(
      /wildcard.*RegExp anchored at both ends/,
    );
  });

  it('an expiresAt in ms and an expiresIn of 0 are taken as they are', () => {
    const s = session();
    s.signIn({ accessToken: 'a', expiresAt: Date.now() + 60_000 });
    expect(s.getState().expiresAt).toBeGreaterThan(Date.now());
    s.signIn({ accessToken: 'b', expiresIn: 0 });
    expect(s.getState().expiresAt).toBeLessThanOrEqual(Date.now());
  });
});
