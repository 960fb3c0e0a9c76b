import { createMockAuthServer } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { claimsOf, getWith, login, postJson, refresh, useMockAuth } from './support';

const { server } = useMockAuth();

afterEach(() => {
  vi.restoreAllMocks();
});

describe('rotateRefreshTokens: false', () => {
  it('answers every refresh with the same refresh token, which keeps working', async () => {
    const auth = createMockAuthServer({ baseUrl: 'https://plain.test', rotateRefreshTokens: false });
    server.use(...auth.handlers);
    const first = await login('alice', 'wonderland', 'https://plain.test');

    const second = await (await refresh(first.refreshToken, 'https://plain.test')).json();
    const third = await (await refresh(first.refreshToken, 'https://plain.test')).json();

    expect([second.refreshToken, third.refreshToken]).toEqual([first.refreshToken, first.refreshToken]);
    expect(third.accessToken).not.toBe(second.accessToken);
    expect(auth.stats.reuseDetected).toBe(0);
  });
});

describe('token lifetimes', () => {
  it('sets exp and expiresIn from accessTokenTtlMs, to the millisecond', async () => {
    const auth = createMockAuthServer({ baseUrl: 'https://ttl.test', accessTokenTtlMs: 1_500 });
    server.use(...auth.handlers);
    const tokens = await login('alice', 'wonderland', 'https://ttl.test');

    const { iat, exp } = claimsOf(tokens.accessToken) as { iat: number; exp: number };
    expect(tokens.expiresIn).toBe(1.5);
    expect(exp - iat).toBeCloseTo(1.5, 6);
  });

  it('refuses a refresh token once refreshTokenTtlMs has passed, not before', async () => {
    const auth = createMockAuthServer({ baseUrl: 'https://ttl.test', refreshTokenTtlMs: 10_000 });
    server.use(...auth.handlers);
    const first = await login('alice', 'wonderland', 'https://ttl.test');
    auth.controls.advanceClock(9_999);
    const second = await (await refresh(first.refreshToken, 'https://ttl.test')).json();

    auth.controls.advanceClock(10_000);

    expect((await refresh(second.refreshToken, 'https://ttl.test')).status).toBe(400);
  });

  it('follows the now option as its clock', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const auth = createMockAuthServer({ baseUrl: 'https://clock.test', now: () => clock });
    server.use(
      ...auth.handlers,
      auth.protect(http.get('https://clock.test/items', () => HttpResponse.json([]))),
    );
    const { accessToken } = await login('alice', 'wonderland', 'https://clock.test');

    expect(claimsOf(accessToken).iat).toBe(clock / 1000);
    expect((await getWith('https://clock.test/items', accessToken)).status).toBe(200);
    clock += 60_000;
    expect((await getWith('https://clock.test/items', accessToken)).status).toBe(401);
  });
});

describe('baseUrl, paths, users and realm', () => {
  it('serves the routes under a baseUrl with a path prefix and custom paths', async () => {
    const auth = createMockAuthServer({
      baseUrl: 'https://idp.test/v2/',
      paths: { login: '/token', refresh: '/token/refresh', logout: '/revoke', me: '/userinfo' },
      users: [{ username: 'carol', password: 'secret', roles: ['ops'] }],
      realm: 'idp',
    });
    server.use(...auth.handlers);

    const login = await postJson('https://idp.test/v2/token', { username: 'carol', password: 'secret' });
    const tokens = await login.json();
    const me = await getWith('https://idp.test/v2/userinfo', tokens.accessToken);
    const refreshed = await postJson('https://idp.test/v2/token/refresh', {
      refreshToken: tokens.refreshToken,
    });
    const revoked = await postJson('https://idp.test/v2/revoke', { refreshToken: tokens.refreshToken });
    const anonymous = await getWith('https://idp.test/v2/userinfo');

    expect(login.status).toBe(200);
    expect(await me.json()).toEqual({ sub: 'carol', roles: ['ops'] });
    expect([refreshed.status, revoked.status]).toEqual([200, 204]);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="idp"');
  });

  it('gives a user without roles an empty roles claim', async () => {
    const auth = createMockAuthServer({
      baseUrl: 'https://roles.test',
      users: [{ username: 'dave', password: 'pw' }],
    });
    server.use(...auth.handlers);

    const tokens = await (
      await postJson('https://roles.test/auth/login', { username: 'dave', password: 'pw' })
    ).json();

    expect(claimsOf(tokens.accessToken).roles).toEqual([]);
  });

  it.each([
    ['no baseUrl', {}],
    ['a relative baseUrl', { baseUrl: '/api' }],
    ['a zero access token ttl', { baseUrl: 'https://x.test', accessTokenTtlMs: 0 }],
    ['a negative refresh token ttl', { baseUrl: 'https://x.test', refreshTokenTtlMs: -1 }],
  ])('throws a TypeError for %s', (_, options) => {
    expect(() => createMockAuthServer(options as never)).toThrow(TypeError);
  });

  it.each([
    ['a user without a password', { users: [{ username: 'eve' }] }, /users expects/],
    [
      'roles that are not an array',
      { users: [{ username: 'eve', password: 'pw', roles: 'admin' }] },
      /users expects/,
    ],
    ['a path without its leading slash', { paths: { login: 'auth/login' } }, /paths\.login expects/],
  ])('throws a TypeError that says what it expects for %s', (_, options, message) => {
    const create = () => createMockAuthServer({ baseUrl: 'https://x.test', ...(options as object) });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(message);
  });

  // Two users under one name made a Map keep the last: the first one's password silently stopped working.
  it('throws a TypeError naming the username given to two users', () => {
    const users = [
      { username: 'alice', password: 'wonderland' },
      { username: 'alice', password: 'looking-glass' },
    ];
    const create = () => createMockAuthServer({ baseUrl: 'https://dup.test', users });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(/^\[reauth\/msw\] users has "alice" twice/);
  });

  // Routes are baseUrl + path, so after a "?" or "#" ("https://x.test?v=1/auth/login") none could match.
  it.each([
    ['a query', 'https://x.test/api?v=1'],
    ['an empty query', 'https://x.test/api?'],
    ['a fragment', 'https://x.test/#/'],
  ])('throws a TypeError for a baseUrl with %s', (_, baseUrl) => {
    vi.spyOn(console, 'warn').mockImplementation(() => {}); // msw's own warning about a query
    const create = () => createMockAuthServer({ baseUrl });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(/^\[reauth\/msw\] baseUrl must not have a query or a fragment/);
  });

  // Pasted as is, `realm="my "app""` is no quoted-string (RFC 9110 §5.6.4): a parser read `my ` then garbage.
  it('escapes " and \\ in the realm of every challenge, so it stays one quoted-string', async () => {
    const auth = createMockAuthServer({ baseUrl: 'https://quoted.test', realm: 'my "app" \\ co' });
    server.use(
      ...auth.handlers,
      auth.protect(
        http.get('https://quoted.test/admin', () => HttpResponse.json({})),
        { roles: ['admin'] },
      ),
    );
    const { accessToken } = await login('alice', 'wonderland', 'https://quoted.test');
    const challenges = await Promise.all(
      [undefined, 'garbage', accessToken].map(async (token) =>
        (await getWith('https://quoted.test/admin', token)).headers.get('www-authenticate'),
      ),
    );
    const wrongPassword = await postJson('https://quoted.test/auth/login', {
      username: 'alice',
      password: 'x',
    });
    challenges.push(wrongPassword.headers.get('www-authenticate'));

    for (const challenge of challenges) {
      expect(challenge).toMatch(/^Bearer realm="(?:[^"\\]|\\.)*"(?:,|$)/);
      expect(challenge?.startsWith('Bearer realm="my \\"app\\" \\\\ co"')).toBe(true);
    }
  });

  // Escaping cannot help a line break or a control character: no header may carry one.
  it('throws a TypeError for a realm a header cannot carry', () => {
    const create = () => createMockAuthServer({ baseUrl: 'https://x.test', realm: 'my\r\napp' });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(/^\[reauth\/msw\] realm expects text a header can carry/);
  });
});
