import { createMockAuthServer, type TokenResponse } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createCookieClient, onlySetCookie } from './cookieSupport';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('cookies and cookieName options', () => {
  it.each([['banana'], ['Refresh'], [true], [1]])(
    'refuses cookies: %s with a TypeError naming the option',
    (cookies) => {
      const create = () => createMockAuthServer({ baseUrl: 'https://x.test', cookies: cookies as never });

      expect(create).toThrow(TypeError);
      expect(create).toThrow("[reauth/msw] cookies expects 'refresh' or 'session'");
    },
  );

  it.each([['my cookie'], ['a;b'], [''], ['é'], [42]])(
    'refuses cookieName: %s with a TypeError',
    (cookieName) => {
      const create = () =>
        createMockAuthServer({
          baseUrl: 'https://x.test',
          cookies: 'session',
          cookieName: cookieName as never,
        });

      expect(create).toThrow(TypeError);
      expect(create).toThrow('[reauth/msw] cookieName expects a cookie name');
    },
  );

  it('refuses cookieName without cookies: it would be ignored', () => {
    // @ts-expect-error cookieName is typed only with a cookies option
    const create = () => createMockAuthServer({ baseUrl: 'https://x.test', cookieName: 'sid' });

    expect(create).toThrow(
      new TypeError("[reauth/msw] cookieName needs the cookies option ('refresh' or 'session')"),
    );
  });

  it('keeps the tokens in the bodies with cookies: undefined, as without the option', async () => {
    const auth = createMockAuthServer({ baseUrl: 'https://plain.test', cookies: undefined });
    server.use(...auth.handlers);

    const response = await createCookieClient('https://plain.test').login();

    expectTypeOf(await auth.controls.issueTokens('alice')).toEqualTypeOf<TokenResponse>();
    expect(Object.keys(await response.json()).sort()).toEqual([
      'accessToken',
      'expiresIn',
      'refreshToken',
      'tokenType',
    ]);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('names the cookie after cookieName, in the Set-Cookie and in the challenge', async () => {
    const auth = createMockAuthServer({
      baseUrl: 'https://named.test',
      cookies: 'session',
      cookieName: '__sid',
    });
    server.use(...auth.handlers);
    const client = createCookieClient('https://named.test');

    const login = await client.login();
    const me = await client.get('/auth/me');
    const anonymous = await fetch('https://named.test/auth/me');

    expect(onlySetCookie(login)).toMatch(/^__sid=[0-9a-f]{64}; HttpOnly; Path=\/; SameSite=Strict; Secure$/);
    expect(me.status).toBe(200);
    expect(anonymous.headers.get('www-authenticate')).toBe(
      'Cookie realm="reauth-msw", form-action="https://named.test/auth/login", cookie-name="__sid"',
    );
  });

  it('leaves Secure out on an http baseUrl', async () => {
    const auth = createMockAuthServer({ baseUrl: 'http://localhost:8080', cookies: 'refresh' });
    server.use(...auth.handlers);

    const login = await createCookieClient('http://localhost:8080').login();

    expect(onlySetCookie(login)).toMatch(
      /^reauth_refresh=[0-9a-f]{64}; HttpOnly; Path=\/auth; SameSite=Strict$/,
    );
  });

  it('sets the refresh cookie on the folder the refresh and logout routes share, under a baseUrl prefix', async () => {
    const auth = createMockAuthServer({
      baseUrl: 'https://idp.test/v2',
      cookies: 'refresh',
      paths: { login: '/token', refresh: '/token/refresh', logout: '/revoke' },
      realm: 'idp',
    });
    server.use(
      ...auth.handlers,
      auth.protect(http.get('https://idp.test/v2/items', () => HttpResponse.json([]))),
    );
    const client = createCookieClient('https://idp.test/v2');

    const login = await client.post('/token', { username: 'alice', password: 'wonderland' });
    const { accessToken } = await login.json();
    const refreshed = await client.post('/token/refresh');
    const loggedOut = await client.post('/revoke');

    expect(onlySetCookie(login)).toMatch(
      /^reauth_refresh=[0-9a-f]{64}; HttpOnly; Path=\/v2; SameSite=Strict; Secure$/,
    );
    expect(refreshed.status).toBe(200);
    expect(loggedOut.status).toBe(204);
    expect(onlySetCookie(loggedOut)).toBe(
      'reauth_refresh=; HttpOnly; Path=/v2; SameSite=Strict; Secure; Max-Age=0',
    );
    expect(await client.cookieFor('/token/refresh')).toBe('');
    expect((await client.get('/items', accessToken)).status).toBe(200);
  });

  it('quotes the realm in the cookie challenge as in the bearer one', async () => {
    const auth = createMockAuthServer({
      baseUrl: 'https://quoted.test',
      cookies: 'session',
      realm: 'my "app"',
    });
    server.use(...auth.handlers);

    const response = await fetch('https://quoted.test/auth/me');

    expect(response.headers.get('www-authenticate')).toBe(
      'Cookie realm="my \\"app\\"", form-action="https://quoted.test/auth/login", cookie-name="reauth_session"',
    );
  });
});
