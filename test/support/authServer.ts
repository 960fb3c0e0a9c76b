import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A user the server accepts at `POST /auth/login`. */
export interface TestUser {
  username: string;
  password: string;
  roles: string[];
}

/** Options for {@link startAuthServer}; every field has a default. */
export interface AuthServerOptions {
  /** Default: alice/wonderland `['user']` and bob/builder `['user', 'admin']`. */
  users?: TestUser[];
  /** Lifetime of an access token. Default 60 000 ms. */
  accessTokenTtlMs?: number;
  /** Lifetime of a refresh token. Default 86 400 000 ms (a day). */
  refreshTokenTtlMs?: number;
  /** Issue a new refresh token on every refresh and treat a reused one as theft. Default true. */
  rotateRefreshTokens?: boolean;
  /** HMAC secret for the HS256 access tokens. Default: random per server. */
  secret?: string;
  /** Files served as they are on GET (browser tests: the pages and scripts, same origin as the API). */
  files?: Record<string, { type: string; body: string }>;
}

/**
 * How a forced refresh failure looks: `rejected` = 400 `invalid_grant`, `server` = 503,
 * `network` = the socket is destroyed without an answer, `hang` = no answer until `close()`.
 */
export type RefreshFailureKind = 'rejected' | 'server' | 'network' | 'hang';

/** One answered request to a protected route (`/auth/me` and `/api/*` except `/api/public`). */
export interface ProtectedRequestRecord {
  method: string;
  /** Pathname only, without the query string. */
  path: string;
  status: number;
  hadToken: boolean;
  /** The `jti` of a correctly signed token (expired ones too), never the token itself. */
  tokenId: string | null;
  /** The raw request body, or null when it was empty. */
  body: string | null;
}

/** One call to `POST /auth/refresh`. */
export interface RefreshRecord {
  /** Server id of the refresh token presented, never the token string; null if unknown or absent. */
  tokenId: string | null;
  outcome: 'ok' | 'reused' | 'rejected' | 'expired' | 'unknown' | 'failed' | 'hung' | 'malformed';
  /** Server clock (ms, including `advanceClock`) when the outcome was decided. */
  at: number;
}

/** The body of a successful login or refresh. */
export interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  /** Access token lifetime in seconds (fractional if the ttl is not a whole second, as are `iat`/`exp`). */
  expiresIn: number;
  tokenType: 'Bearer';
}

/** A running server; see {@link startAuthServer}. */
export interface AuthServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Same as `url`. */
  origin: string;
  controls: {
    /** Every access token issued so far is refused as expired; its `exp` claim is unchanged. */
    expireAccessTokens(): void;
    /** Every refresh token issued so far is revoked. */
    revokeRefreshTokens(): void;
    /** The next `count` refresh calls (default 1) fail as `kind` (default `'server'`). */
    failNextRefresh(count?: number, kind?: RefreshFailureKind): void;
    /** Every refresh answer waits `ms` first, until `reset()` or `delayRefresh(0)`. */
    delayRefresh(ms: number): void;
    /** Move the server clock ahead; tokens expire by it. */
    advanceClock(ms: number): void;
    /** Clear forced failures, the delay, the clock offset and stats; users and issued tokens stay. */
    reset(): void;
    /**
     * Sign arbitrary claims with the server secret (HS256). Protected routes accept them if they hold
     * `sub` and `exp`; a string `jti` counts as issued, so `expireAccessTokens()` reaches it.
     */
    signToken(claims: Record<string, unknown>): string;
    /** Issue a token pair as a login would, without HTTP. Throws for an unknown user. */
    issueTokens(username: string): TokenResponse;
  };
  /** Live counters; never holds a token string. */
  stats: {
    logins: number;
    failedLogins: number;
    /** Refresh calls received, whatever their outcome. */
    refreshes: number;
    reuseDetected: number;
    requests: ProtectedRequestRecord[];
    refreshCalls: RefreshRecord[];
  };
  /** Stop listening and destroy every open socket, hung ones included. Safe to call twice. */
  close(): Promise<void>;
}

interface AccessClaims {
  sub: string;
  roles: string[];
  exp: number;
  jti: string | null;
}

interface RefreshEntry {
  id: string;
  familyId: string;
  username: string;
  expiresAt: number;
  isUsed: boolean;
  isRevoked: boolean;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as it is, instead of `body` as JSON. */
  raw?: string;
}

type Outcome = RefreshRecord['outcome'];
type AccessProblem = 'missing' | 'invalid' | 'expired';
type AccessCheck = { claims: AccessClaims } | { problem: AccessProblem; tokenId: string | null };
type ProtectedHandler = (claims: AccessClaims, req: IncomingMessage, raw: string) => Answer;

const REALM = 'Bearer realm="reauth-test"';
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, x-custom',
  'access-control-expose-headers': 'www-authenticate',
};
const DEFAULT_USERS: TestUser[] = [
  { username: 'alice', password: 'wonderland', roles: ['user'] },
  { username: 'bob', password: 'builder', roles: ['user', 'admin'] },
];
const ITEMS = [
  { id: '1', name: 'Teapot' },
  { id: '2', name: 'Pocket watch' },
  { id: '3', name: 'Looking glass' },
];

const randomId = () => randomBytes(9).toString('base64url');
const toBase64Url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const fromBase64Url = (part: string) => Buffer.from(part, 'base64url').toString('utf8');
const hmac = (data: string, secret: string) => createHmac('sha256', secret).update(data).digest('base64url');
const ok = (body: unknown): Answer => ({ status: 200, body });
const fail = (status: number, error: string, description?: string): Answer => ({
  status,
  body: description === undefined ? { error } : { error, error_description: description },
});
const challenge = (answer: Answer, params = ''): Answer => ({
  ...answer,
  headers: { 'www-authenticate': `${REALM}${params}` },
});
const INVALID_REQUEST = fail(400, 'invalid_request', 'Send a JSON object with the required string fields');

function isSameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function parseJsonObject(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function signJwt(claims: Record<string, unknown>, secret: string): string {
  const unsigned = `${toBase64Url({ alg: 'HS256', typ: 'JWT' })}.${toBase64Url(claims)}`;
  return `${unsigned}.${hmac(unsigned, secret)}`;
}

function verifyJwt(token: string, secret: string): AccessClaims | null {
  const [header = '', payload = '', signature = '', ...rest] = token.split('.');
  if (rest.length > 0 || !isSameString(signature, hmac(`${header}.${payload}`, secret))) return null;
  const claims = parseJsonObject(fromBase64Url(payload));
  if (parseJsonObject(fromBase64Url(header))?.alg !== 'HS256' || claims === null) return null;
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r) => typeof r === 'string') : [];
  return { sub: claims.sub, roles, exp: claims.exp, jti: typeof claims.jti === 'string' ? claims.jti : null };
}

function bearerToken(req: IncomingMessage): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
}

function refreshTokenIn(raw: string): string | null {
  const body = parseJsonObject(raw);
  const token = body?.refreshToken ?? body?.refresh_token;
  return typeof token === 'string' && token !== '' ? token : null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, { status, body, headers = {}, raw }: Answer): void {
  if (res.headersSent) return;
  const json = raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const jsonHeaders: Record<string, string> =
    json === undefined || raw !== undefined ? {} : { 'content-type': 'application/json' };
  res.writeHead(status, { ...CORS_HEADERS, ...headers, ...jsonHeaders });
  res.end(json);
}

function refusal(problem: AccessProblem): Answer {
  if (problem === 'missing') return challenge(fail(401, 'unauthorized'));
  const description = problem === 'expired' ? 'The access token expired' : 'The access token is invalid';
  return challenge(
    fail(401, 'invalid_token', description),
    `, error="invalid_token", error_description="${description}"`,
  );
}

function requireAdmin(claims: AccessClaims, denied: Answer): Answer {
  return claims.roles.includes('admin') ? ok({ user: claims.sub, admin: true }) : denied;
}

function findProtectedRoute(method: string, path: string): ProtectedHandler | null {
  const itemId = /^\/api\/items\/([^/]+)$/.exec(path)?.[1];
  if (method === 'GET' && path === '/auth/me') return (c) => ok({ sub: c.sub, roles: c.roles });
  if (method === 'GET' && path === '/api/items') return (c) => ok({ items: ITEMS, user: c.sub });
  if (method === 'GET' && itemId !== undefined) return (c) => ok({ id: itemId, user: c.sub });
  if (method === 'GET' && path === '/api/slow') return (c) => ok({ user: c.sub });
  if (method === 'GET' && path === '/api/admin') return (c) => requireAdmin(c, fail(403, 'forbidden'));
  if (method === 'GET' && path === '/api/scoped') {
    const denied = challenge(fail(401, 'insufficient_scope'), ', error="insufficient_scope", scope="admin"');
    return (c) => requireAdmin(c, denied);
  }
  if (!['POST', 'PUT', 'PATCH'].includes(method) || path !== '/api/echo') return null;
  return (c, req, raw) => {
    const { 'content-type': contentType = null, 'x-custom': custom = null } = req.headers;
    return ok({ method, body: raw, contentType, custom, user: c.sub });
  };
}

/**
 * Start a real auth API on 127.0.0.1 (a free port): HS256 JWT access tokens, opaque rotating refresh
 * tokens with reuse detection, protected `/api/*` routes and controls to force expiry and failures.
 * `GET /api/public` needs no token and is not recorded in `stats.requests`; `GET /auth/me` is.
 *
 * @param options users, token lifetimes, rotation and secret; all optional.
 * @returns the running server; call `close()` when done.
 * @example
 * const auth = await startAuthServer({ accessTokenTtlMs: 1_000 });
 * const { accessToken } = auth.controls.issueTokens('alice');
 * await fetch(`${auth.url}/api/items`, { headers: { authorization: `Bearer ${accessToken}` } });
 * auth.controls.expireAccessTokens(); // the same request now answers 401 invalid_token
 * await auth.close();
 */
export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const users = new Map((options.users ?? DEFAULT_USERS).map((user) => [user.username, user]));
  const accessTtlMs = options.accessTokenTtlMs ?? 60_000;
  const refreshTtlMs = options.refreshTokenTtlMs ?? 86_400_000;
  const isRotating = options.rotateRefreshTokens ?? true;
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const refreshTokens = new Map<string, RefreshEntry>();
  const issuedAccessIds = new Set<string>();
  const expiredAccessIds = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const failures: RefreshFailureKind[] = [];
  let clockOffsetMs = 0;
  let refreshDelayMs = 0;
  const counters = () => ({ logins: 0, failedLogins: 0, refreshes: 0, reuseDetected: 0 });
  const stats: AuthServer['stats'] = { ...counters(), requests: [], refreshCalls: [] };

  const now = () => Date.now() + clockOffsetMs;
  // Timers are tracked so close() can drop them: a closed server must not answer later or hold the process.
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function signToken(claims: Record<string, unknown>): string {
    if (typeof claims.jti === 'string') issuedAccessIds.add(claims.jti);
    return signJwt(claims, secret);
  }

  function tokenResponse(username: string, refreshToken: string): TokenResponse {
    const user = users.get(username);
    if (!user) throw new Error(`[reauth-test] Unknown user "${username}"; add it to options.users`);
    // Seconds with millisecond precision, so a short ttl expires when it says, not up to a second early.
    const issuedAt = now();
    const claims = {
      sub: username,
      roles: user.roles,
      iat: issuedAt / 1000,
      exp: (issuedAt + accessTtlMs) / 1000,
    };
    const accessToken = signToken({ ...claims, jti: randomId() });
    return { accessToken, refreshToken, expiresIn: accessTtlMs / 1000, tokenType: 'Bearer' };
  }

  function issueTokens(username: string, familyId = randomId()): TokenResponse {
    const refreshToken = randomBytes(24).toString('base64url');
    const tokens = tokenResponse(username, refreshToken);
    const entry = { id: randomId(), familyId, username, expiresAt: now() + refreshTtlMs };
    refreshTokens.set(refreshToken, { ...entry, isUsed: false, isRevoked: false });
    return tokens;
  }

  function revokeFamily(familyId: string): void {
    for (const entry of refreshTokens.values()) if (entry.familyId === familyId) entry.isRevoked = true;
  }

  function checkAccess(req: IncomingMessage): AccessCheck {
    const token = bearerToken(req);
    if (token === null) return { problem: 'missing', tokenId: null };
    const claims = verifyJwt(token, secret);
    if (claims === null) return { problem: 'invalid', tokenId: null };
    const isExpired = Math.round(claims.exp * 1000) <= now() || expiredAccessIds.has(claims.jti ?? '');
    return isExpired ? { problem: 'expired', tokenId: claims.jti } : { claims };
  }

  function redeem(presented: string): [Outcome, Answer] {
    const entry = refreshTokens.get(presented);
    const refuse = (outcome: Outcome, why: string): [Outcome, Answer] => [
      outcome,
      fail(400, 'invalid_grant', why),
    ];
    if (!entry) return refuse('unknown', 'The refresh token is unknown');
    if (entry.expiresAt <= now()) return refuse('expired', 'The refresh token expired');
    if (entry.isRevoked) return refuse('rejected', 'The refresh token was revoked');
    if (!isRotating) return ['ok', ok(tokenResponse(entry.username, presented))];
    if (entry.isUsed) {
      revokeFamily(entry.familyId);
      stats.reuseDetected++;
      return refuse('reused', 'The refresh token was already used; its whole family is now revoked');
    }
    entry.isUsed = true;
    return ['ok', ok(issueTokens(entry.username, entry.familyId))];
  }

  /** A null answer leaves the request unanswered: dropped (network) or hung until close(). */
  function failRefresh(req: IncomingMessage, kind: RefreshFailureKind): [Outcome, Answer | null] {
    if (kind === 'rejected') return ['rejected', fail(400, 'invalid_grant', 'The refresh token was refused')];
    if (kind === 'server') return ['failed', fail(503, 'temporarily_unavailable')];
    if (kind === 'network') req.socket.destroy();
    return [kind === 'hang' ? 'hung' : 'failed', null];
  }

  async function handleRefresh(req: IncomingMessage, raw: string): Promise<Answer | null> {
    stats.refreshes++;
    const presented = refreshTokenIn(raw);
    const failure = failures.shift();
    if (failure === undefined && refreshDelayMs > 0) await wait(refreshDelayMs);
    const [outcome, answer]: [Outcome, Answer | null] =
      failure !== undefined
        ? failRefresh(req, failure)
        : presented === null
          ? ['malformed', INVALID_REQUEST]
          : redeem(presented);
    const tokenId = refreshTokens.get(presented ?? '')?.id ?? null;
    stats.refreshCalls.push({ tokenId, outcome, at: now() });
    return answer;
  }

  function handleLogin(raw: string): Answer {
    const body = parseJsonObject(raw);
    if (typeof body?.username !== 'string' || typeof body.password !== 'string') return INVALID_REQUEST;
    const user = users.get(body.username);
    if (!user || !isSameString(user.password, body.password)) {
      stats.failedLogins++;
      return challenge(fail(401, 'invalid_credentials', 'The username or password is incorrect'));
    }
    stats.logins++;
    return ok(issueTokens(user.username));
  }

  function handleLogout(raw: string): Answer {
    const presented = refreshTokenIn(raw);
    if (presented === null) return INVALID_REQUEST;
    const entry = refreshTokens.get(presented);
    if (entry) revokeFamily(entry.familyId);
    return { status: 204 };
  }

  async function handleProtected(req: IncomingMessage, url: URL, raw: string): Promise<Answer> {
    const method = req.method ?? 'GET';
    const route = findProtectedRoute(method, url.pathname);
    if (!route) return fail(404, 'not_found');
    // The slow route checks the token only after waiting, so a token expired meanwhile gets a late 401.
    if (url.pathname === '/api/slow') await wait(Math.max(0, Number(url.searchParams.get('ms')) || 0));
    const check = checkAccess(req);
    const answer = 'claims' in check ? route(check.claims, req, raw) : refusal(check.problem);
    const tokenId = 'claims' in check ? check.claims.jti : check.tokenId;
    const record = { method, path: url.pathname, status: answer.status, hadToken: bearerToken(req) !== null };
    stats.requests.push({ ...record, tokenId, body: raw || null });
    return answer;
  }

  async function handleRequest(req: IncomingMessage): Promise<Answer | null> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;
    if (req.method === 'OPTIONS') return { status: 204 };
    const file = req.method === 'GET' ? options.files?.[url.pathname] : undefined;
    if (file) return { status: 200, headers: { 'content-type': file.type }, raw: file.body };
    const raw = await readBody(req);
    if (route === 'POST /auth/login') return handleLogin(raw);
    if (route === 'POST /auth/refresh') return handleRefresh(req, raw);
    if (route === 'POST /auth/logout') return handleLogout(raw);
    if (route === 'GET /api/public') return ok({ message: 'Hello from a public route' });
    return handleProtected(req, url, raw);
  }

  const server = createServer((req, res) => {
    handleRequest(req).then(
      (answer) => answer && send(res, answer),
      () => send(res, fail(500, 'server_error')),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    origin: url,
    stats,
    controls: {
      expireAccessTokens: () => {
        for (const id of issuedAccessIds) expiredAccessIds.add(id);
      },
      revokeRefreshTokens: () => {
        for (const entry of refreshTokens.values()) entry.isRevoked = true;
      },
      failNextRefresh: (count = 1, kind = 'server') => {
        failures.push(...Array.from({ length: count }, () => kind));
      },
      delayRefresh: (ms) => {
        refreshDelayMs = Math.max(0, ms);
      },
      advanceClock: (ms) => {
        clockOffsetMs += ms;
      },
      reset: () => {
        failures.length = 0;
        refreshDelayMs = 0;
        clockOffsetMs = 0;
        Object.assign(stats, counters());
        stats.requests.length = 0;
        stats.refreshCalls.length = 0;
      },
      signToken,
      issueTokens: (username) => issueTokens(username),
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
