import { AuthError, type AuthErrorCode, isAuthError } from '@reauth/core';
import { describe, expect, it } from 'vitest';

const CODES: AuthErrorCode[] = [
  'SESSION_EXPIRED',
  'REAUTH_CANCELLED',
  'SIGNED_OUT',
  'REFRESH_TIMEOUT',
  'REFRESH_UNAVAILABLE',
];

describe('AuthError', () => {
  it.each(CODES)(
    '%s: carries its code, name AuthError and a "[reauth]" message saying what to do',
    (code) => {
      const error = new AuthError(code);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe('AuthError');
      expect(error.message).toMatch(/^\[reauth\] \S.*[.;]/);
      expect(error.message.length).toBeGreaterThan(20);
    },
  );

  it('keeps the cause it is given', () => {
    const cause = new TypeError('Failed to fetch');
    expect(new AuthError('REFRESH_UNAVAILABLE', { cause }).cause).toBe(cause);
  });

  it('has no cause when none is given', () => {
    expect('cause' in new AuthError('SIGNED_OUT')).toBe(false);
  });

  it('accepts a custom message, still prefixed "[reauth]"', () => {
    const error = new AuthError('SIGNED_OUT', { message: 'refresh() needs a signed-in session.' });
    expect(error.message).toBe('[reauth] refresh() needs a signed-in session.');
  });

  it('gives every code its own message', () => {
    const messages = new Set(CODES.map((code) => new AuthError(code).message));
    expect(messages.size).toBe(CODES.length);
  });
});

describe('isAuthError', () => {
  it('is true for an AuthError', () => {
    expect(isAuthError(new AuthError('SESSION_EXPIRED'))).toBe(true);
  });

  it('is true for an error from another copy of @reauth/core (the shared Symbol.for brand)', () => {
    const fromAnotherCopy = Object.assign(new Error('[reauth] expired'), {
      code: 'SESSION_EXPIRED',
      [Symbol.for('reauth.AuthError')]: true,
    });
    expect(fromAnotherCopy).not.toBeInstanceOf(AuthError);
    expect(isAuthError(fromAnotherCopy)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a plain Error', new Error('[reauth] looks alike')],
    [
      'an Error with an AuthError-like code and name',
      Object.assign(new Error('x'), { name: 'AuthError', code: 'SIGNED_OUT' }),
    ],
    ['a TypeError', new TypeError('Failed to fetch')],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'AuthError'],
    ['an object with the brand set to something else than true', { [Symbol.for('reauth.AuthError')]: 'yes' }],
  ])('is false for %s', (_, value) => {
    expect(isAuthError(value)).toBe(false);
  });
});
