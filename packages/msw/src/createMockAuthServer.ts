import { createControls, createServerState } from './controls';
import { isCookieName } from './cookies';
import { createModel, DEFAULT_COOKIE_NAMES } from './models';
import { createGuard, createProtect } from './protect';
import { createRoutes } from './routes';
import { createTokenStore } from './tokens';
import type { CookieModel, MockAuthServer, MockAuthServerOptions, MockUser } from './types';

const DEFAULT_USERS: MockUser[] = [
  { username: 'alice', password: 'wonderland', roles: ['user'] },
  { username: 'bob', password: 'builder', roles: ['user', 'admin'] },
];

const DEFAULT_PATHS = {
  login: '/auth/login',
  refresh: '/auth/refresh',
  logout: '/auth/logout',
  me: '/auth/me',
  stepUp: '/auth/step-up',
};

function positiveMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new TypeError(`[reauth/msw] ${name} expects a number of milliseconds > 0, got ${String(value)}`);
  }
  return value;
}

const isUser = (user: MockUser | undefined) =>
  typeof user?.username === 'string' &&
  typeof user.password === 'string' &&
  (user.roles === undefined ||
    (Array.isArray(user.roles) && user.roles.every((role) => typeof role === 'string'))) &&
  (user.otp === undefined || (typeof user.otp === 'string' && user.otp !== ''));

function checkUsersAndPaths(users: unknown, paths: Record<string, unknown>): void {
  if (!Array.isArray(users) || users.length === 0 || !users.every(isUser)) {
    throw new TypeError(
      "[reauth/msw] users expects at least one [{ username: string, password: string, roles?: string[], otp?: string }] (otp not empty), e.g. [{ username: 'alice', password: 'wonderland', roles: ['user'] }]",
    );
  }
  const seen = new Set<string>();
  for (const { username } of users as MockUser[]) {
    // A Map would keep the last silently, and the first user's password would stop working.
    if (seen.has(username)) {
      throw new TypeError(`[reauth/msw] users has "${username}" twice; give each user its own username`);
    }
    seen.add(username);
  }
  const taken = new Map<unknown, string>();
  for (const [name, path] of Object.entries(paths)) {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new TypeError(`[reauth/msw] paths.${name} expects a path starting with "/", got ${String(path)}`);
    }
    // Two routes on one path: the second would never be reached.
    if (taken.has(path)) {
      throw new TypeError(
        `[reauth/msw] paths.${name} and paths.${taken.get(path)} are both "${path}"; give each route its own path`,
      );
    }
    taken.set(path, name);
  }
}

// `"` and `\` are escaped as quoted-pairs; what no header can carry at all is refused up front.
const HEADER_TEXT = /^[\t\x20-\x7e\x80-\xff]*$/;

function checkRealm(realm: unknown): string {
  if (typeof realm !== 'string' || !HEADER_TEXT.test(realm)) {
    throw new TypeError(
      '[reauth/msw] realm expects text a header can carry: no line breaks or control characters, Latin-1 only',
    );
  }
  return realm;
}

const MODELS: readonly unknown[] = ['refresh', 'session'] satisfies CookieModel[];

/** The `cookies` and `cookieName` options, checked: the cookie model (if any) and its cookie's name. */
function checkCookies(cookies: unknown, cookieName: unknown): { model?: CookieModel; name: string } {
  if (cookies === undefined) {
    if (cookieName !== undefined) {
      throw new TypeError("[reauth/msw] cookieName needs the cookies option ('refresh' or 'session')");
    }
    return { name: '' };
  }
  if (!MODELS.includes(cookies)) {
    throw new TypeError(
      `[reauth/msw] cookies expects 'refresh' or 'session' (or no cookies option), got ${String(cookies)}`,
    );
  }
  const model = cookies as CookieModel;
  const name = cookieName ?? DEFAULT_COOKIE_NAMES[model];
  if (!isCookieName(name)) {
    throw new TypeError(
      "[reauth/msw] cookieName expects a cookie name: letters, digits and !#$%&'*+-.^_`|~, e.g. 'session_id'",
    );
  }
  return { model, name };
}

/**
 * A believable auth API as msw handlers: login, rotating refresh with reuse detection, logout and me,
 * real HS256 JWT access tokens, `protect()` for the app's own handlers, controls to force expiry and
 * failures, and stats to assert on. Step-up (RFC 9470): access tokens carry `acr` and `auth_time`,
 * `protect({ acr, maxAge })` asks for a stronger or fresher sign-in, and users with an `otp` step up at
 * `paths.stepUp`. Runs wherever msw does (`msw/node`, the browser's service worker).
 *
 * With `cookies: 'refresh'` the refresh token lives in an httpOnly cookie; with `cookies: 'session'`
 * there are no tokens, only an httpOnly session cookie (see {@link CookieModel} and the README). The kit
 * keeps no cookie jar: in Node a test carries the cookies (e.g. tough-cookie), and a service worker
 * cannot set cookies at all, so a browser needs the kit behind a real server for them.
 *
 * @param options `baseUrl` (required), users, token lifetimes, rotation, paths, realm, clock, bodies,
 *   cookie model and cookie name.
 * @returns `{ handlers, protect, userOf, controls, stats }`.
 * @example
 * const auth = createMockAuthServer({ baseUrl: 'https://api.example.test' });
 * const server = setupServer(
 *   ...auth.handlers,
 *   auth.protect(http.get('https://api.example.test/items', () => HttpResponse.json([]))),
 * );
 * auth.controls.expireAccessTokens(); // the next request with an old token gets 401 invalid_token
 */
export function createMockAuthServer<Model extends CookieModel | undefined = undefined>(
  options: MockAuthServerOptions<Model>,
): MockAuthServer<Model> {
  // http or https only: URL takes 'localhost:3000' as a URL of the scheme "localhost:", which no request matches.
  if (
    typeof options?.baseUrl !== 'string' ||
    !/^https?:\/\/[^/]/i.test(options.baseUrl) ||
    !URL.canParse(options.baseUrl)
  ) {
    throw new TypeError(
      '[reauth/msw] createMockAuthServer expects an absolute http(s) baseUrl, e.g. https://api.test',
    );
  }
  // Routes are baseUrl + path: after a "?" or "#" no request URL could ever match them.
  if (/[?#]/.test(options.baseUrl)) {
    throw new TypeError(
      '[reauth/msw] baseUrl must not have a query or a fragment: pass the origin and an optional path prefix, e.g. https://api.test/v2',
    );
  }
  // As request URLs are read: a default port (https://api.test:443) or an upper-case host would match nothing.
  const parsed = new URL(options.baseUrl);
  const baseUrl = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
  const paths = { ...DEFAULT_PATHS, ...options.paths };
  const urls = {
    login: `${baseUrl}${paths.login}`,
    refresh: `${baseUrl}${paths.refresh}`,
    logout: `${baseUrl}${paths.logout}`,
    me: `${baseUrl}${paths.me}`,
    stepUp: `${baseUrl}${paths.stepUp}`,
  };
  checkUsersAndPaths(options.users ?? DEFAULT_USERS, paths);
  const users = new Map((options.users ?? DEFAULT_USERS).map((user) => [user.username, user]));
  const realm = checkRealm(options.realm ?? 'reauth-msw');
  const cookies = checkCookies(options.cookies, options.cookieName);
  const baseNow = options.now ?? (() => Date.now());
  const state = createServerState(baseNow);
  const store = createTokenStore({
    users,
    accessTtlMs: positiveMs('accessTokenTtlMs', options.accessTokenTtlMs, 60_000),
    refreshTtlMs: positiveMs('refreshTokenTtlMs', options.refreshTokenTtlMs, 86_400_000),
    isRotating: options.rotateRefreshTokens ?? true,
    now: state.now,
  });
  const model = createModel(cookies.model, { store, realm, urls, cookieName: cookies.name });
  const guard = createGuard({ model, state, store, recordBodies: options.recordBodies === true });

  const server: MockAuthServer<CookieModel | undefined> = {
    handlers: createRoutes({ urls, users, model, state, store, guard }),
    protect: createProtect(guard),
    async userOf(request) {
      const check = await model.verifyAccess(model.accessOf(request));
      return 'claims' in check ? { sub: check.claims.sub, roles: [...check.claims.roles] } : null;
    },
    controls: createControls(state, store, model),
    stats: state.stats,
  };
  // issueTokens's shape follows the `cookies` option, which is what `Model` is.
  return server as MockAuthServer<Model>;
}
