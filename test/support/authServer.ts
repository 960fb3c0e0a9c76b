import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CookieModel,
  createMockAuthServer,
  type ProtectedRequestRecord as KitRequestRecord,
  type MockAuthControls,
  type MockAuthServer,
  type MockUser,
  type RefreshFailureKind,
  type TokenResponse,
} from '@reauth/msw';
import { delay, getResponse, HttpResponse, http } from 'msw';

export type { RefreshFailureKind, TokenResponse };
/** A user the server accepts at `POST /auth/login`. */
export type TestUser = MockUser;

/** Options for {@link startAuthServer}; every field has a default (the kit's). */
export interface AuthServerOptions<Model extends CookieModel | undefined = undefined> {
  /**
   * Where the credentials live (the kit's `cookies`): an httpOnly refresh cookie, or a session cookie the API
   * checks instead of a bearer token. Default: both tokens in the JSON bodies.
   */
  cookies?: Model;
  /** Default: alice/wonderland `['user']` and bob/builder `['user', 'admin']`. */
  users?: TestUser[];
  /** Lifetime of an access token. Default 60 000 ms. */
  accessTokenTtlMs?: number;
  /** Lifetime of a refresh token. Default 86 400 000 ms (a day). */
  refreshTokenTtlMs?: number;
  /** Issue a new refresh token on every refresh and treat a reused one as theft. Default true. */
  rotateRefreshTokens?: boolean;
  /** Files served as they are on GET (browser tests: the pages and scripts, same origin as the API). */
  files?: Record<string, { type: string; body: string }>;
  /**
   * Serve only the test API, on this server's own origin, guarded by that server's kit: it accepts that
   * server's tokens (one sign-in, two origins). The counters are the other server's; `requests`, its own.
   */
  acceptTokensOf?: AuthServer<Model>;
}

/** The kit's record of a protected request (`/auth/me`, `/api/*` but `/api/public`), with its path and body. */
export interface ProtectedRequestRecord extends KitRequestRecord {
  /** Pathname only, without the query string. */
  path: string;
  /** The raw request body, or null when it was empty. */
  body: string | null;
}

/** The kit's record of one call to `POST /auth/refresh`, its outcome named as these tests name it. */
export interface RefreshRecord {
  /** Server id of the refresh token presented, never the token string; null if unknown or absent. */
  tokenId: string | null;
  /** `rejected`: revoked or a forced 400; `failed`: a forced 500 or network error; `hung`: a forced hang. */
  outcome: 'ok' | 'reused' | 'rejected' | 'expired' | 'unknown' | 'failed' | 'hung' | 'malformed';
  /** Server clock (ms, including `advanceClock`) when the outcome was decided. */
  at: number;
}

/** A running server: the msw kit served over node:http; see {@link startAuthServer}. */
export interface AuthServer<Model extends CookieModel | undefined = undefined> {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Same as `url`. */
  origin: string;
  /** The kit behind the server. */
  kit: MockAuthServer<Model>;
  /** The kit's controls (`reset()` forgets every token; `clearStats()` keeps them). */
  controls: MockAuthControls<Model>;
  /** Live views of the kit's stats; never hold a token string. */
  stats: {
    logins: number;
    failedLogins: number;
    /** Refresh calls received, whatever their outcome. */
    refreshes: number;
    reuseDetected: number;
    logouts: number;
    requests: ProtectedRequestRecord[];
    refreshCalls: RefreshRecord[];
  };
  /** Stop listening and destroy every open socket, hung ones included. Safe to call twice. */
  close(): Promise<void>;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, x-custom',
  'access-control-expose-headers': 'www-authenticate',
};
const ITEMS = [
  { id: '1', name: 'Teapot' },
  { id: '2', name: 'Pocket watch' },
  { id: '3', name: 'Looking glass' },
];
const FORCED_OUTCOMES = { rejected: 'rejected', server: 'failed', network: 'failed', hang: 'hung' } as const;

/** The test API behind the kit's guard: what the integration tests call besides the auth routes. */
function apiRoutes<Model extends CookieModel | undefined>(url: string, auth: MockAuthServer<Model>) {
  // Who a protected route was let through as: its bearer token's claims, or its session cookie's user.
  const claimsOf = async (request: Request) =>
    (await auth.userOf(request)) ?? { sub: undefined, roles: [] as string[] };
  const user = async (request: Request) => (await claimsOf(request)).sub;
  const echo = async ({ request }: { request: Request }) =>
    HttpResponse.json({
      method: request.method,
      body: await request.text(),
      contentType: request.headers.get('content-type'),
      custom: request.headers.get('x-custom'),
      user: await user(request),
    });
  return [
    http.get(`${url}/api/public`, () => HttpResponse.json({ message: 'Hello from a public route' })),
    // Falls through to the guarded route after the wait: a token expired meanwhile gets a late 401.
    http.get(`${url}/api/slow`, async ({ request }) => {
      await delay(Math.max(0, Number(new URL(request.url).searchParams.get('ms')) || 0));
    }),
    ...[
      http.get(`${url}/api/items`, async ({ request }) =>
        HttpResponse.json({ items: ITEMS, user: await user(request) }),
      ),
      http.get(`${url}/api/items/:id`, async ({ request, params }) =>
        HttpResponse.json({ id: params.id, user: await user(request) }),
      ),
      http.get(`${url}/api/slow`, async ({ request }) => HttpResponse.json({ user: await user(request) })),
      http.get(`${url}/api/admin`, async ({ request }) =>
        (await claimsOf(request)).roles.includes('admin')
          ? HttpResponse.json({ user: await user(request), admin: true })
          : HttpResponse.json({ error: 'forbidden' }, { status: 403 }),
      ),
      http.post(`${url}/api/echo`, echo),
      http.put(`${url}/api/echo`, echo),
      http.patch(`${url}/api/echo`, echo),
    ].map((handler) => auth.protect(handler)),
    auth.protect(
      http.get(`${url}/api/scoped`, async ({ request }) =>
        HttpResponse.json({ user: await user(request), admin: true }),
      ),
      { roles: ['admin'], insufficientScopeAs401: true },
    ),
  ];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The fetch `Request` msw resolves; its signal aborts when the client goes away (a hung refresh ends). */
function toRequest(req: IncomingMessage, origin: string, body: Buffer, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'connection' || name === 'transfer-encoding') continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const init: RequestInit = { method: req.method ?? 'GET', headers, signal };
  if (init.method !== 'GET' && init.method !== 'HEAD') init.body = new Uint8Array(body);
  return new Request(new URL(req.url ?? '/', origin), init);
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  if (res.headersSent || res.destroyed) return;
  // Every Set-Cookie kept (a Headers object folds the others into one line, or keeps the last).
  const cookies = response.headers.getSetCookie();
  res.writeHead(response.status, {
    ...CORS_HEADERS,
    ...Object.fromEntries(response.headers),
    ...(cookies.length ? { 'set-cookie': cookies } : {}),
  });
  res.end(body);
}

/**
 * Start a real auth API on 127.0.0.1 (a free port): the `@reauth/msw` kit (HS256 JWT access tokens,
 * rotating refresh tokens with reuse detection, controls, stats) answering over node:http through msw's
 * `getResponse`, with the test API's routes guarded by `kit.protect`: `GET /api/items`, `/api/items/:id`,
 * `/api/slow?ms=` (checks the token after the wait), `/api/admin` (403 without the admin role),
 * `/api/scoped` (401 insufficient_scope), `POST|PUT|PATCH /api/echo`; `GET /api/public` needs no token.
 * A forced `'network'` failure destroys the socket; `'hang'` lasts until the client aborts or `close()`.
 *
 * @param options users, token lifetimes, rotation, files, another server's tokens; all optional.
 * @returns the running server; call `close()` when done.
 * @example
 * const auth = await startAuthServer({ accessTokenTtlMs: 1_000 });
 * const { accessToken } = await auth.controls.issueTokens('alice');
 * await fetch(`${auth.url}/api/items`, { headers: { authorization: `Bearer ${accessToken}` } });
 * auth.controls.expireAccessTokens(); // the same request now answers 401 invalid_token
 * await auth.close();
 */
export async function startAuthServer<Model extends CookieModel | undefined = undefined>(
  options: AuthServerOptions<Model> = {},
): Promise<AuthServer<Model>> {
  const server = createServer((req, res) => {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    answer(req, res, abort.signal).catch(() => {
      send(res, HttpResponse.json({ error: 'server_error' }, { status: 500 })).catch(() => {});
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { files, acceptTokensOf, ...kitOptions } = options;
  const auth =
    acceptTokensOf?.kit ??
    createMockAuthServer<Model>({
      baseUrl: url,
      realm: 'reauth-test',
      recordBodies: true,
      ...(kitOptions as Omit<AuthServerOptions<Model>, 'files' | 'acceptTokensOf'>),
    });
  const handlers = [...(acceptTokensOf ? [] : auth.handlers), ...apiRoutes(url, auth)];

  async function answer(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    if (req.method === 'OPTIONS') return send(res, new Response(null, { status: 204 }));
    const file = req.method === 'GET' ? files?.[new URL(req.url ?? '/', url).pathname] : undefined;
    if (file) return send(res, new Response(file.body, { headers: { 'content-type': file.type } }));
    const response = await getResponse(handlers, toRequest(req, url, await readBody(req), signal));
    if (response?.type === 'error') req.socket.destroy();
    else await send(res, response ?? HttpResponse.json({ error: 'not_found' }, { status: 404 }));
  }

  // The kit records a forced failure as 'forced', in the order the calls claimed them: the kinds queued.
  const forcedKinds: RefreshFailureKind[] = [];
  const kitStats = auth.stats;
  const refreshCalls = () => {
    let forced = 0;
    return kitStats.refreshCalls.map(({ tokenId, outcome, at }): RefreshRecord => {
      if (outcome === 'revoked') return { tokenId, outcome: 'rejected', at };
      if (outcome !== 'forced') return { tokenId, outcome, at };
      return { tokenId, outcome: FORCED_OUTCOMES[forcedKinds[forced++] ?? 'rejected'], at };
    });
  };
  let closing: Promise<void> | undefined;

  return {
    url,
    origin: url,
    kit: auth,
    controls: {
      ...auth.controls,
      failNextRefresh(count = 1, kind = 'rejected') {
        auth.controls.failNextRefresh(count, kind);
        for (let i = 0; i < count; i++) forcedKinds.push(kind);
      },
      reset() {
        auth.controls.reset();
        forcedKinds.length = 0;
      },
      clearStats() {
        forcedKinds.splice(0, kitStats.refreshCalls.filter((call) => call.outcome === 'forced').length);
        auth.controls.clearStats();
      },
    },
    stats: {
      get logins() {
        return kitStats.logins;
      },
      get failedLogins() {
        return kitStats.failedLogins;
      },
      get refreshes() {
        return kitStats.refreshes;
      },
      get reuseDetected() {
        return kitStats.reuseDetected;
      },
      get logouts() {
        return kitStats.logouts;
      },
      get requests() {
        const own = kitStats.requests.filter((record) => record.url.startsWith(`${url}/`));
        return own.map((record) => ({
          ...record,
          path: new URL(record.url).pathname,
          body: record.body ?? null,
        }));
      },
      get refreshCalls() {
        return refreshCalls();
      },
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
