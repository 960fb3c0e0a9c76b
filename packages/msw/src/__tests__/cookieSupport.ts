import { type CookieModel, createMockAuthServer, type MockAuthServerOptions } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { CookieJar } from 'tough-cookie';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { BASE_URL } from './support';

export { BASE_URL };

/**
 * The kit in a cookie model on msw/node, with `/items`, `/admin` (role admin) and `/whoami` (the user
 * `userOf` finds) behind `protect()`; every test starts from a reset kit.
 */
export function useCookieAuth<Model extends CookieModel>(
  options: Omit<MockAuthServerOptions<Model>, 'baseUrl'> & { cookies: Model },
) {
  const auth = createMockAuthServer<Model>({ baseUrl: BASE_URL, ...options });
  const server = setupServer(
    ...auth.handlers,
    auth.protect(http.get(`${BASE_URL}/items`, () => HttpResponse.json({ items: ['teapot'] }))),
    auth.protect(
      http.get(`${BASE_URL}/admin`, () => HttpResponse.json({ admin: true })),
      { roles: ['admin'] },
    ),
    auth.protect(
      http.get(`${BASE_URL}/whoami`, async ({ request }) => HttpResponse.json(await auth.userOf(request))),
    ),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    auth.controls.reset();
  });
  afterAll(() => server.close());
  return { auth, server };
}

/**
 * A client that keeps cookies as a browser does (msw/node keeps none for the kit): each request carries
 * the jar's cookies for its URL (path, Secure and HttpOnly rules applied by tough-cookie), and each
 * `Set-Cookie` answered is stored, a `Max-Age=0` one removing the cookie.
 */
export function createCookieClient(baseUrl = BASE_URL) {
  const jar = new CookieJar();
  async function send(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = await jar.getCookieString(url);
    if (cookie !== '') headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers });
    for (const header of response.headers.getSetCookie()) await jar.setCookie(header, url);
    return response;
  }
  /** POST `path` (under `baseUrl`), with a JSON body when given. */
  const post = (path: string, body?: unknown) =>
    send(`${baseUrl}${path}`, {
      method: 'POST',
      ...(body !== undefined && {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    });
  return {
    jar,
    send,
    post,
    /** GET `path` (under `baseUrl`), with a bearer token when given. */
    get: (path: string, accessToken?: string) =>
      send(
        `${baseUrl}${path}`,
        accessToken === undefined ? {} : { headers: { authorization: `Bearer ${accessToken}` } },
      ),
    /** The `Cookie` header the jar would send to `path` ('' for none). */
    cookieFor: (path: string) => jar.getCookieString(`${baseUrl}${path}`),
    login: (username = 'alice', password = 'wonderland') => post('/auth/login', { username, password }),
  };
}

/** A request sent with exactly this `Cookie` header (e.g. an old copy), bypassing any jar. */
export const sendWithCookie = (path: string, cookie: string, method = 'POST', baseUrl = BASE_URL) =>
  fetch(`${baseUrl}${path}`, { method, headers: cookie === '' ? {} : { cookie } });

/** The value of the one `Set-Cookie` of `response` (a kit's answer never carries two). */
export function onlySetCookie(response: Response): string {
  const headers = response.headers.getSetCookie();
  if (headers.length !== 1) throw new Error(`expected one Set-Cookie, got ${headers.length}`);
  return headers[0] ?? '';
}
