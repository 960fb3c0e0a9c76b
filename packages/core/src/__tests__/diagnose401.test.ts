import { type Diagnosis, diagnose401, type UnauthorizedCause } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, httpError, setup, T0, track } from './support/harness';
import { jwtExpiringIn } from './support/jwt';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const API = 'https://api.example.test/items';
const bearer = (token: string) => `Bearer ${token}`;

function expectCause(diagnosis: Diagnosis, cause: UnauthorizedCause, ...tokens: string[]) {
  expect(diagnosis.cause).toBe(cause);
  expect(diagnosis.hint.length).toBeGreaterThan(20);
  for (const token of tokens) expect(diagnosis.hint).not.toContain(token);
}

describe('diagnose401', () => {
  it('says insufficient_scope for error="insufficient_scope" (Headers)', () => {
    const token = jwtExpiringIn(600, T0);
    const diagnosis = diagnose401({
      status: 401,
      headers: new Headers({
        'WWW-Authenticate': 'Bearer realm="api", error="insufficient_scope", scope="admin"',
      }),
      requestHeaders: new Headers({ Authorization: bearer(token) }),
      url: API,
    });
    expectCause(diagnosis, 'insufficient_scope', token);
  });

  it('says origin_not_allowed when the URL is outside allowedOrigins (no token was sent)', () => {
    const diagnosis = diagnose401({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="other"' },
      requestHeaders: {},
      url: 'https://other.example.test/items',
      allowedOrigins: ['https://api.example.test'],
    });
    expectCause(diagnosis, 'origin_not_allowed');
  });

  it('says missing_authorization when the request carried no Authorization header', () => {
    const diagnosis = diagnose401({
      status: 401,
      headers: { 'WWW-AUTHENTICATE': 'Bearer realm="api"' },
      requestHeaders: { Accept: 'application/json' },
      url: API,
      allowedOrigins: ['https://api.example.test'],
    });
    expectCause(diagnosis, 'missing_authorization');
  });

  it('says refresh_rejected while the session waits for re-authentication after a refused refresh', async () => {
    const { session, call } = setup();
    const token = jwtExpiringIn(600, T0);
    session.signIn({ accessToken: token, refreshToken: 'refresh-1' });
    session.onReauth(() => new Promise(() => {}));
    void track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(400));
    await flushMicrotasks();
    expect(session.getState().status).toBe('reauthRequired');

    const diagnosis = diagnose401({
      status: 401,
      headers: new Headers({ 'www-authenticate': 'Bearer error="invalid_token"' }),
      requestHeaders: { authorization: bearer(token) },
      url: API,
      session,
    });
    expectCause(diagnosis, 'refresh_rejected', token, 'refresh-1');
  });

  it('says refresh_rejected after a refused refresh signed the session out (SESSION_EXPIRED)', async () => {
    const { session, call } = setup();
    const token = jwtExpiringIn(600, T0);
    session.signIn({ accessToken: token, refreshToken: 'refresh-1' });
    void track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(401));
    await flushMicrotasks();
    const diagnosis = diagnose401({ status: 401, requestHeaders: { Authorization: bearer(token) }, session });
    expectCause(diagnosis, 'refresh_rejected', token);
  });

  it('says expired_token when error_description says the token expired', () => {
    const token = 'opaque-token-value';
    const diagnosis = diagnose401({
      status: 401,
      headers: {
        'Www-Authenticate':
          'Bearer realm="api", error="invalid_token", error_description="The access token expired"',
      },
      requestHeaders: { AUTHORIZATION: bearer(token) },
      url: API,
    });
    expectCause(diagnosis, 'expired_token', token);
  });

  it("says expired_token when the sent JWT's exp has passed by the session's clock", () => {
    // The session's clock runs 2 minutes ahead of Date.now(): only it says the token expired.
    const { session } = setup({ now: () => Date.now() + 120_000 });
    const token = jwtExpiringIn(60, T0);
    session.signIn({ accessToken: token, refreshToken: 'refresh-1' });
    const diagnosis = diagnose401({
      status: 401,
      headers: new Headers({ 'WWW-Authenticate': 'Bearer error="invalid_token"' }),
      requestHeaders: new Headers({ authorization: bearer(token) }),
      url: API,
      session,
    });
    expectCause(diagnosis, 'expired_token', token);
  });

  it("says expired_token without a session when the sent JWT's exp has passed", () => {
    const token = jwtExpiringIn(60, T0 - 120_000);
    const diagnosis = diagnose401({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      requestHeaders: { Authorization: bearer(token) },
    });
    expectCause(diagnosis, 'expired_token', token);
  });

  it('says invalid_token for error="invalid_token" on a token that is not expired', () => {
    const token = jwtExpiringIn(600, Date.now());
    const diagnosis = diagnose401({
      status: 401,
      headers: { 'wWw-AuThEnTiCaTe': 'Bearer realm="api", error=invalid_token' },
      requestHeaders: { AuThOrIzAtIoN: bearer(token) },
      url: API,
    });
    expectCause(diagnosis, 'invalid_token', token);
  });

  it('says unknown when the server gives no reason (no WWW-Authenticate)', () => {
    const token = 'opaque-token-value';
    const diagnosis = diagnose401({
      status: 401,
      headers: new Headers({ 'Content-Type': 'application/json' }),
      requestHeaders: { Authorization: bearer(token) },
      url: API,
    });
    expectCause(diagnosis, 'unknown', token);
  });

  it('gives each cause its own hint', () => {
    const causes = [
      diagnose401({ status: 401, headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' } }),
      diagnose401({ status: 401 }),
      diagnose401({ status: 401, requestHeaders: { authorization: 'Bearer x' } }),
    ];
    expect(new Set(causes.map((d) => d.hint)).size).toBe(3);
  });
});
