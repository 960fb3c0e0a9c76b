import { createControls, createServerState } from './controls';
import { createGuard, createProtect } from './protect';
import { createRoutes } from './routes';
import { createTokenStore } from './tokens';
import type { MockAuthServer, MockAuthServerOptions, MockUser } from './types';

const DEFAULT_USERS: MockUser[] = [
  { username: 'alice', password: 'wonderland', roles: ['user'] },
  { username: 'bob', password: 'builder', roles: ['user', 'admin'] },
];

const DEFAULT_PATHS = {
  login: '/auth/login',
  refresh: '/auth/refresh',
  logout: '/auth/logout',
  me: '/auth/me',
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
    (Array.isArray(user.roles) && user.roles.every((role) => typeof role === 'string')));

function checkUsersAndPaths(users: unknown, paths: Record<string, unknown>): void {
  if (!Array.isArray(users) || !users.every(isUser)) {
    throw new TypeError(
      "[reauth/msw] users expects [{ username: string, password: string, roles?: string[] }], e.g. [{ username: 'alice', password: 'wonderland', roles: ['user'] }]",
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
  for (const [name, path] of Object.entries(paths)) {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new TypeError(`[reauth/msw] paths.${name} expects a path starting with "/", got ${String(path)}`);
    }
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

/**
 * A believable auth API as msw handlers: login, rotating refresh with reuse detection, logout and me,
 * real HS256 JWT access tokens, `protect()` for the app's own handlers, controls to force expiry and
 * failures, and stats to assert on. Runs wherever msw does (`msw/node`, the browser's service worker).
 *
 * @param options `baseUrl` (required), users, token lifetimes, rotation, paths, realm, clock, bodies.
 * @returns `{ handlers, protect, controls, stats }`.
 * @example
 * const auth = createMockAuthServer({ baseUrl: 'https://api.example.test' });
 * const server = setupServer(
 *   ...auth.handlers,
 *   auth.protect(http.get('https://api.example.test/items', () => HttpResponse.json([]))),
 * );
 * auth.controls.expireAccessTokens(); // the next request with an old token gets 401 invalid_token
 */
export function createMockAuthServer(options: MockAuthServerOptions): MockAuthServer {
  if (typeof options?.baseUrl !== 'string' || !URL.canParse(options.baseUrl)) {
    throw new TypeError(
      '[reauth/msw] createMockAuthServer expects an absolute baseUrl, e.g. https://api.test',
    );
  }
  // Routes are baseUrl + path: after a "?" or "#" no request URL could ever match them.
  if (/[?#]/.test(options.baseUrl)) {
    throw new TypeError(
      '[reauth/msw] baseUrl must not have a query or a fragment: pass the origin and an optional path prefix, e.g. https://api.test/v2',
    );
  }
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const paths = { ...DEFAULT_PATHS, ...options.paths };
  const urls = {
    login: `${baseUrl}${paths.login}`,
    refresh: `${baseUrl}${paths.refresh}`,
    logout: `${baseUrl}${paths.logout}`,
    me: `${baseUrl}${paths.me}`,
  };
  checkUsersAndPaths(options.users ?? DEFAULT_USERS, paths);
  const users = new Map((options.users ?? DEFAULT_USERS).map((user) => [user.username, user]));
  const realm = checkRealm(options.realm ?? 'reauth-msw');
  const baseNow = options.now ?? (() => Date.now());
  const state = createServerState(baseNow);
  const store = createTokenStore({
    users,
    accessTtlMs: positiveMs('accessTokenTtlMs', options.accessTokenTtlMs, 60_000),
    refreshTtlMs: positiveMs('refreshTokenTtlMs', options.refreshTokenTtlMs, 86_400_000),
    isRotating: options.rotateRefreshTokens ?? true,
    now: state.now,
  });
  const guard = createGuard({ realm, state, store, recordBodies: options.recordBodies === true });

  return {
    handlers: createRoutes({ urls, users, realm, state, store, guard }),
    protect: createProtect(guard),
    controls: createControls(state, store),
    stats: state.stats,
  };
}
