import { AuthError, type AuthErrorCode, decodeJwt, type TokensInput } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, recordEvents, rejection, setup, T0, track } from './support/harness';

// Promises of the contract (DESIGN.md) that no other file in this folder holds.

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('the default leeway cap', () => {
  it('counts the lifetime from the refresh that delivered the token, not from the sign-in', async () => {
    const harness = setup();
    const { session, refresh, call } = harness;
    session.signIn({ accessToken: 'access-1', refreshToken: 'r1', expiresIn: 3600 });
    await vi.advanceTimersByTimeAsync(100_000);
    void track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: 'access-2', expiresIn: 40 }); // received at +100 s, lifetime 40 s: cap 20 s
    await flushMicrotasks();

    // Counted from the sign-in (140 s), the leeway would be the full 30 s: a refresh from +110 s on.
    await vi.advanceTimersByTimeAsync(19_999);
    expect(await session.getAccessToken()).toBe('access-2');
    expect(refresh).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(1);
    const next = track(session.getAccessToken());
    await flushMicrotasks();
    expect(refresh).toHaveBeenCalledTimes(2);
    call(1).resolve({ accessToken: 'access-3', expiresIn: 40 });
    await flushMicrotasks();
    expect(next.value).toBe('access-3');
  });
});

describe('a refresh result without a usable accessToken', () => {
  it.each<[string, unknown]>([
    ['undefined (the refresh function returned nothing)', undefined],
    ['null', null],
    ['the access token as a bare string', 'bare-secret-token'],
    ['an empty accessToken', { accessToken: '', refreshToken: 'refresh-secret-2' }],
    ['a numeric access_token', { access_token: 42, refresh_token: 'refresh-secret-2' }],
    ['a null access_token', { access_token: null, refresh_token: 'refresh-secret-2' }],
  ])('is %s: REFRESH_UNAVAILABLE with a TypeError naming accessToken, the tokens kept', async (_, result) => {
    const { session, storage, call } = setup();
    session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1', expiresIn: 600 });
    const stored = storage.getItem('reauth');
    const events = recordEvents(session);
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).resolve(result as TokensInput);
    await flushMicrotasks();

    const error = rejection(waiter);
    expect(error.code).toBe('REFRESH_UNAVAILABLE');
    expect(error.cause).toBeInstanceOf(TypeError);
    const message = (error.cause as TypeError).message;
    expect(message).toMatch(/accessToken/);
    expect(message).not.toMatch(/secret/);
    expect(session.getState()).toMatchObject({ status: 'signedIn', error: { code: 'REFRESH_UNAVAILABLE' } });
    expect(storage.getItem('reauth')).toBe(stored);
    expect(await session.getAccessToken()).toBe('access-1');
    expect(events.find((e) => e.type === 'refreshFailure')).toMatchObject({ terminal: false });
  });
});

describe('a malformed JWT', () => {
  it.each<[string, string]>([
    ['three segments that are not base64 JSON', 'aaa.bbb.ccc'],
    ['a payload that is not JSON', `${b64('{"alg":"HS256"}')}.${b64('not json')}.sig`],
    ['a payload that is a JSON array', `${b64('{}')}.${b64('["sub"]')}.sig`],
    ['a payload that is JSON null', `${b64('{}')}.${b64('null')}.sig`],
    ['a payload that is a JSON number', `${b64('{}')}.${b64('42')}.sig`],
    ['an empty payload', `${b64('{}')}..sig`],
    ['two segments', `${b64('{}')}.${b64('{"sub":"alice"}')}`],
    ['characters outside base64', 'e30.%%%%.sig'],
  ])('with %s is an opaque token: no user, expiry from expiresIn, no throw', async (_, token) => {
    expect(decodeJwt(token)).toBeNull();
    const { session } = setup();
    expect(() => session.signIn({ accessToken: token, refreshToken: 'r', expiresIn: 60 })).not.toThrow();
    expect(session.getState()).toEqual({
      status: 'signedIn',
      user: null,
      expiresAt: T0 + 60_000,
      error: null,
    });
    expect(await session.getAccessToken()).toBe(token);
  });

  it('without expiresIn or expiresAt leaves the expiry unknown', () => {
    const { session } = setup();
    session.signIn({ accessToken: `${b64('{}')}.${b64('not json')}.sig` });
    expect(session.getState()).toMatchObject({ user: null, expiresAt: null });
  });
});

describe('refreshTimeoutMs bounds the wait of each caller', () => {
  it('a caller that joins a hanging refresh later rejects refreshTimeoutMs after it joined', async () => {
    const { session } = setup({ refreshTimeoutMs: 1_000 });
    session.signIn({ accessToken: 'access-1', refreshToken: 'r1' });
    const first = track(session.refresh());
    await vi.advanceTimersByTimeAsync(400);
    const joined = track(session.refresh());

    await vi.advanceTimersByTimeAsync(600);
    expect(rejection(first).code).toBe('REFRESH_TIMEOUT');
    expect(joined.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(399);
    expect(joined.state).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(rejection(joined).code).toBe('REFRESH_TIMEOUT');
  });
});

describe('AuthError messages', () => {
  const CODES: AuthErrorCode[] = [
    'SESSION_EXPIRED',
    'REAUTH_CANCELLED',
    'SIGNED_OUT',
    'REFRESH_TIMEOUT',
    'REFRESH_UNAVAILABLE',
  ];

  it.each(CODES)('%s: one sentence that says what to do next', (code) => {
    const { message } = new AuthError(code);
    expect(message).toMatch(/^\[reauth\] [A-Z][^.!?]*\.$/);
    expect(message).toMatch(/sign in|retry/i);
  });
});
