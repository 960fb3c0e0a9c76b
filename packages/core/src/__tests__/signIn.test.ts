import { createSession, type TokensInput } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, setup, T0 } from './support/harness';
import { jwtExpiringIn, makeJwt } from './support/jwt';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('signIn', () => {
  it('stores the tokens: status signedIn, getAccessToken hands the access token out', async () => {
    const { session, storage } = setup();
    session.signIn({ accessToken: 'opaque-access', refreshToken: 'opaque-refresh', expiresIn: 3600 });
    expect(session.getState().status).toBe('signedIn');
    expect(await session.getAccessToken()).toBe('opaque-access');
    expect(storage.getItem('reauth')).toContain('opaque-refresh');
  });

  it('exposes the decoded JWT claims as user', () => {
    const { session } = setup();
    const claims = { sub: 'alice', roles: ['user'], exp: T0 / 1000 + 600 };
    session.signIn({ accessToken: makeJwt(claims), refreshToken: 'r1' });
    expect(session.getState().user).toEqual(claims);
  });

  it('has user null for an opaque access token', () => {
    const { session } = setup();
    session.signIn({ accessToken: 'not-a-jwt', refreshToken: 'r1' });
    expect(session.getState().user).toBeNull();
    expect(session.getState().status).toBe('signedIn');
  });

  it('takes expiry from expiresIn over expiresAt and the JWT exp', () => {
    const { session } = setup();
    const accessToken = jwtExpiringIn(900, T0);
    session.signIn({ accessToken, expiresIn: 60, expiresAt: T0 + 120_000 });
    expect(session.getState().expiresAt).toBe(T0 + 60_000);
  });

  it('accepts expiresIn as a numeric string', () => {
    const { session } = setup();
    session.signIn({ accessToken: 'a', expiresIn: '45' });
    expect(session.getState().expiresAt).toBe(T0 + 45_000);
  });

  it('takes expiry from expiresAt over the JWT exp when expiresIn is absent', () => {
    const { session } = setup();
    session.signIn({ accessToken: jwtExpiringIn(900, T0), expiresAt: T0 + 120_000 });
    expect(session.getState().expiresAt).toBe(T0 + 120_000);
  });

  it('takes expiry from the JWT exp claim when neither expiresIn nor expiresAt is given', () => {
    const { session } = setup();
    session.signIn({ accessToken: jwtExpiringIn(900, T0) });
    expect(session.getState().expiresAt).toBe(T0 + 900_000);
  });

  it('leaves expiry unknown (null) for an opaque token without expiresIn or expiresAt', () => {
    const { session } = setup();
    session.signIn({ accessToken: 'opaque' });
    expect(session.getState().expiresAt).toBeNull();
  });

  it('accepts the OAuth 2.0 token-response names access_token, refresh_token and expires_in', async () => {
    const { session, storage, refresh, call } = setup();
    session.signIn({ access_token: 'oauth-access', refresh_token: 'oauth-refresh', expires_in: 120 });
    expect(session.getState().expiresAt).toBe(T0 + 120_000);
    expect(await session.getAccessToken()).toBe('oauth-access');
    expect(JSON.parse(storage.getItem('reauth') ?? '{}').refreshToken).toBe('oauth-refresh');
    void session.refresh().catch(() => {});
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(call(0).refreshToken).toBe('oauth-refresh');
  });

  it.each<[string, unknown, RegExp]>([
    ['a bare token string', 'secret-token-value', /expected an object/],
    ['null', null, /expected an object/],
    ['no accessToken', { refreshToken: 'secret-token-value' }, /`accessToken`/],
    ['an empty accessToken', { accessToken: '', refreshToken: 'secret-token-value' }, /`accessToken`/],
    ['a numeric accessToken', { accessToken: 42, refreshToken: 'secret-token-value' }, /`accessToken`/],
    ['a non-string refreshToken', { accessToken: 'secret-token-value', refreshToken: 7 }, /`refreshToken`/],
  ])('throws a TypeError naming the field, without the token value, for %s', (_, input, field) => {
    const { session } = setup();
    let thrown: unknown;
    try {
      session.signIn(input as TokensInput);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const message = (thrown as TypeError).message;
    expect(message).toMatch(field);
    expect(message).toMatch(/^\[reauth\] /);
    expect(message).not.toContain('secret-token-value');
  });

  it('changes nothing when it throws: tokens, state and storage stay as they were', async () => {
    const { session, storage } = setup();
    session.signIn({ accessToken: 'good-access', refreshToken: 'good-refresh', expiresIn: 600 });
    const stateBefore = session.getState();
    const storedBefore = storage.getItem('reauth');
    const listener = vi.fn();
    session.subscribe(listener);
    expect(() => session.signIn({ accessToken: 'next', refreshToken: 3 as unknown as string })).toThrow(
      TypeError,
    );
    expect(session.getState()).toBe(stateBefore);
    expect(storage.getItem('reauth')).toBe(storedBefore);
    expect(listener).not.toHaveBeenCalled();
    expect(await session.getAccessToken()).toBe('good-access');
  });

  it('from signed out, a failed signIn leaves the session signed out', async () => {
    const session = createSession({ now: () => Date.now() });
    expect(() => session.signIn({} as TokensInput)).toThrow(TypeError);
    expect(session.getState().status).toBe('signedOut');
    expect(await session.getAccessToken()).toBeNull();
  });

  it('replaces the tokens of an earlier signIn', async () => {
    const { session } = setup();
    session.signIn({ accessToken: makeJwt({ sub: 'alice' }), refreshToken: 'r1' });
    session.signIn({ accessToken: makeJwt({ sub: 'bob' }), refreshToken: 'r2' });
    expect(session.getState().user).toEqual({ sub: 'bob' });
    expect(await session.getAccessToken()).toBe(makeJwt({ sub: 'bob' }));
  });
});
