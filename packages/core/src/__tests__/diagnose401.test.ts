import {
  type AuthorizerOptions,
  type AuthRequest,
  createAuthorizer,
  type Diagnosis,
  diagnose401,
  isRefreshableResponse,
  type Session,
  type Ticket,
  type UnauthorizedCause,
} from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, httpError, settle, setup, T0, track } from './support/harness';
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

/** A request sent through an authorizer, and the diagnosis its 401 is emitted with. */
function exchange(session: Session, options: AuthorizerOptions = { baseURL: 'https://api.example.test' }) {
  const authorizer = createAuthorizer(session, options);
  const diagnoses: Diagnosis[] = [];
  session.on('unauthorized', (event) => diagnoses.push(event.diagnosis));
  return {
    diagnoses,
    send(request: AuthRequest = { url: '/items' }) {
      const ticket = authorizer.authorize(request) as Ticket;
      const value = authorizer.credentials(ticket);
      return { ticket, requestHeaders: value === null ? {} : { [authorizer.header]: value } };
    },
    refuse(sent: { ticket: Ticket; requestHeaders: Record<string, string> }, challenge?: string) {
      const headers = challenge === undefined ? {} : { 'WWW-Authenticate': challenge };
      return track(
        authorizer.handleUnauthorized(sent.ticket, {
          status: 401,
          headers,
          requestHeaders: sent.requestHeaders,
          shouldRefresh: true,
        }),
      );
    },
  };
}

describe('diagnose401 on realistic exchanges', () => {
  beforeEach(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('says expired_token for an opaque token past the expiry the session was given, when the server gives no reason', async () => {
    const { session } = setup({ refreshLeewayMs: 0 });
    session.signIn({ accessToken: 'opaque-access-1', refreshToken: 'refresh-1', expiresIn: 60 });
    const { diagnoses, send, refuse } = exchange(session);
    const sent = send();
    await vi.advanceTimersByTimeAsync(61_000);

    refuse(sent, 'Bearer realm="api"');

    expect(diagnoses).toEqual([expect.objectContaining({ cause: 'expired_token' })]);
  });

  it("says unknown for an opaque token the session no longer holds (its expiry isn't the session's)", async () => {
    const { session } = setup({ refreshLeewayMs: 0 });
    session.signIn({ accessToken: 'opaque-access-1', refreshToken: 'refresh-1', expiresIn: 60 });
    const { diagnoses, send, refuse } = exchange(session);
    const sent = send();
    session.signIn({ accessToken: 'opaque-access-2', refreshToken: 'refresh-2', expiresIn: 1 });
    await vi.advanceTimersByTimeAsync(2_000);

    refuse(sent, 'Bearer realm="api"');

    expect(diagnoses).toEqual([expect.objectContaining({ cause: 'unknown' })]);
  });

  it('reads the token from a custom header with no scheme, as the authorizer sent it', async () => {
    const { session } = setup({ refreshLeewayMs: 0 });
    session.signIn({ accessToken: 'opaque-access-1', refreshToken: 'refresh-1', expiresIn: 60 });
    const { diagnoses, send, refuse } = exchange(session, {
      baseURL: 'https://api.example.test',
      header: 'X-Access-Token',
      scheme: '',
    });
    const sent = send();
    expect(sent.requestHeaders).toEqual({ 'X-Access-Token': 'opaque-access-1' });
    await vi.advanceTimersByTimeAsync(61_000);

    refuse(sent, 'Bearer realm="api"');

    expect(diagnoses).toEqual([expect.objectContaining({ cause: 'expired_token' })]);
  });

  it.each(['Bearer undefined', 'Bearer null', 'Bearer ', 'Bearer', ''])(
    'says missing_authorization when the app sent %j (a token it had not loaded)',
    (authorization) => {
      const diagnosis = diagnose401({
        status: 401,
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        requestHeaders: { Authorization: authorization },
        url: API,
        allowedOrigins: ['https://api.example.test'],
      });
      expectCause(diagnosis, 'missing_authorization');
    },
  );

  it("says origin_not_allowed for a foreign origin's 401, with no token sent to it", () => {
    const { session } = setup();
    session.signIn({ accessToken: jwtExpiringIn(600, T0), refreshToken: 'refresh-1' });
    const { diagnoses, send, refuse } = exchange(session);

    refuse(send({ url: 'https://other.example.test/items' }), 'Bearer realm="other"');

    expect(diagnoses).toEqual([expect.objectContaining({ cause: 'origin_not_allowed' })]);
  });

  it('does not say origin_not_allowed when the app sent its own credentials to a foreign origin', () => {
    const diagnosis = diagnose401({
      status: 401,
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      requestHeaders: { Authorization: 'Bearer their-api-key' },
      url: 'https://maps.example.test/tiles',
      allowedOrigins: ['https://api.example.test'],
    });
    expectCause(diagnosis, 'invalid_token', 'their-api-key');
  });

  it('says missing_authorization for a skipAuth request refused by an allowed origin', () => {
    const { session } = setup();
    session.signIn({ accessToken: jwtExpiringIn(600, T0), refreshToken: 'refresh-1' });
    const { diagnoses, send, refuse } = exchange(session);

    refuse(send({ url: '/items', skipAuth: true }), 'Bearer realm="api"');

    expect(diagnoses).toEqual([expect.objectContaining({ cause: 'missing_authorization' })]);
  });

  it('says refresh_rejected for a late 401 that lands while re-authentication waits after a refused refresh', async () => {
    const { session, call } = setup();
    session.signIn({ accessToken: jwtExpiringIn(600, T0), refreshToken: 'refresh-1' });
    session.onReauth(() => new Promise(() => {}));
    const { diagnoses, send, refuse } = exchange(session);
    const [first, late] = [send(), send()];

    refuse(first, 'Bearer error="invalid_token"');
    await settle();
    call(0).reject(httpError(400));
    await settle();
    expect(session.getState().status).toBe('reauthRequired');
    refuse(late, 'Bearer error="invalid_token"');

    expect(diagnoses.map((d) => d.cause)).toEqual(['invalid_token', 'refresh_rejected']);
  });

  it('does not say refresh_rejected when there was no refresh token to refuse', async () => {
    const { session, refresh } = setup();
    session.signIn({ accessToken: jwtExpiringIn(600, T0) });
    session.onReauth(() => new Promise(() => {}));
    const { diagnoses, send, refuse } = exchange(session);
    const [first, late] = [send(), send()];

    refuse(first, 'Bearer error="invalid_token"');
    await settle();
    expect(session.getState().status).toBe('reauthRequired');
    refuse(late, 'Bearer error="invalid_token"');

    expect(refresh).not.toHaveBeenCalled();
    expect(diagnoses.map((d) => d.cause)).toEqual(['invalid_token', 'invalid_token']);
  });

  it('says expired_token with the CORS hint for a network error hiding a 401 (interceptNetworkError)', async () => {
    const { session } = setup();
    const token = jwtExpiringIn(60, T0);
    session.signIn({ accessToken: token, refreshToken: 'refresh-1' });
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const diagnoses: Diagnosis[] = [];
    session.on('unauthorized', (event) => diagnoses.push(event.diagnosis));
    const ticket = authorizer.authorize({ url: '/items' }) as Ticket;
    await vi.advanceTimersByTimeAsync(61_000);

    track(authorizer.handleUnauthorized(ticket, { status: 0, shouldRefresh: true }));

    expect(diagnoses).toEqual([
      expect.objectContaining({ cause: 'expired_token', hint: expect.stringMatching(/CORS/) }),
    ]);
  });

  it('gives every cause a one-line hint that says what to do and holds no token', () => {
    const token = jwtExpiringIn(600, T0);
    const sent = { Authorization: bearer(token) };
    const challenge = (value: string) => ({ 'www-authenticate': value });
    const diagnoses = [
      diagnose401({
        status: 401,
        headers: challenge('Bearer error="insufficient_scope"'),
        requestHeaders: sent,
      }),
      diagnose401({ status: 401, url: 'https://x.test/', allowedOrigins: ['https://api.example.test'] }),
      diagnose401({ status: 401 }),
      diagnose401({ status: 401, headers: challenge('Bearer error="invalid_token"'), requestHeaders: sent }),
      diagnose401({
        status: 401,
        requestHeaders: { Authorization: bearer(jwtExpiringIn(60, T0 - 120_000)) },
      }),
      diagnose401({ status: 401, requestHeaders: sent }),
    ];
    const causes = diagnoses.map((d) => d.cause);
    expect(causes).toEqual([
      'insufficient_scope',
      'origin_not_allowed',
      'missing_authorization',
      'invalid_token',
      'expired_token',
      'unknown',
    ]);
    for (const { hint } of diagnoses) {
      expect(hint).toMatch(/^[^\n]+: [^\n]+\.$/);
      expect(hint).not.toContain(token);
    }
    expect(new Set(diagnoses.map((d) => d.hint)).size).toBe(diagnoses.length);
  });
});

describe('diagnose401: step-up and DPoP challenges', () => {
  it.each([
    [
      'insufficient_user_authentication',
      'Bearer error="insufficient_user_authentication", acr_values="mfa"',
      /step up/,
    ],
    [
      'use_dpop_nonce',
      'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce"',
      /DPoP-Nonce/,
    ],
    ['invalid_dpop_proof', 'DPoP error="invalid_dpop_proof"', /new proof for every send/],
  ] as const)(
    'says %s, with what to do, and the adapters do not refresh for it',
    (cause, challenge, hint) => {
      const headers = { 'WWW-Authenticate': challenge };
      const diagnosis = diagnose401({
        status: 401,
        headers,
        requestHeaders: { Authorization: 'DPoP abc.def.ghi' },
      });
      expect(diagnosis.cause).toBe(cause);
      expect(diagnosis.hint).toMatch(hint);
      expect(isRefreshableResponse({ status: 401, headers })).toBe(false);
    },
  );
});
