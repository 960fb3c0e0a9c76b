import { type AxiosAdapter, AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';

/** One request as the fake API received it: never a token, only whose it was. */
export interface Received {
  method: string;
  path: string;
  status: number;
  /** The user the token was issued to (expired or not), null when none was sent or the server forgot it. */
  sub: string | null;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const USERS: Record<string, { password: string; roles: string[] }> = {
  alice: { password: 'wonderland', roles: ['user'] },
  bob: { password: 'builder', roles: ['user', 'admin'] },
};

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A clock the session and the fake API share (`createSession({ now: clock.now })`). */
export function createClock(start = 1_700_000_000_000) {
  let time = start;
  const advance = (ms: number) => {
    time += ms;
  };
  return { now: () => time, advance };
}

/**
 * A tiny auth API behind an axios adapter: JWTs with an expiry, rotating refresh tokens, a refresh that can
 * be refused, and protected `GET /api/:name` routes answering `{ resource, owner }`. Answers in a microtask.
 */
export function createFakeApi({ now, accessTtlS = 600 }: { now: () => number; accessTtlS?: number }) {
  const accessTokens = new Map<string, { sub: string; exp: number }>();
  const refreshTokens = new Map<string, string>();
  const received: Received[] = [];
  const issued: string[] = [];
  const stats = { logins: 0, refreshes: 0, refused: 0, received };
  let refusing = false;
  let serial = 0;

  function issue(sub: string): IssuedTokens {
    serial += 1;
    const iat = Math.floor(now() / 1000);
    const claims = { sub, roles: USERS[sub]?.roles ?? [], iat, exp: iat + accessTtlS, jti: String(serial) };
    const accessToken = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.sig${serial}`;
    const refreshToken = `refresh-${serial}`;
    accessTokens.set(accessToken, { sub, exp: claims.exp });
    issued.push(accessToken, refreshToken);
    refreshTokens.set(refreshToken, sub);
    return { accessToken, refreshToken, expiresIn: accessTtlS };
  }

  function route(method: string, path: string, body: Record<string, string>, token: string | null) {
    if (method === 'POST' && path === '/auth/login') {
      const user = USERS[body.username ?? ''];
      if (!user || user.password !== body.password)
        return { status: 401, data: { error: 'invalid_credentials' } };
      stats.logins += 1;
      return { status: 200, data: issue(body.username as string) };
    }
    if (method === 'POST' && path === '/auth/refresh') {
      stats.refreshes += 1;
      const sub = refreshTokens.get(body.refreshToken ?? '');
      refreshTokens.delete(body.refreshToken ?? '');
      if (refusing || !sub) {
        stats.refused += 1;
        return { status: 400, data: { error: 'invalid_grant' } };
      }
      return { status: 200, data: issue(sub) };
    }
    const access = token === null ? undefined : accessTokens.get(token);
    if (!access || access.exp * 1000 <= now()) return { status: 401, data: { error: 'invalid_token' } };
    return { status: 200, data: { resource: path.replace('/api/', ''), owner: access.sub } };
  }

  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    await Promise.resolve();
    const method = (config.method ?? 'get').toUpperCase();
    const path = config.url ?? '';
    const authorization = AxiosHeaders.from(config.headers).get('Authorization');
    const token = typeof authorization === 'string' ? authorization.replace(/^Bearer /, '') : null;
    const body = typeof config.data === 'string' ? JSON.parse(config.data) : {};
    const reply = route(method, path, body, token);
    if (path.startsWith('/api/')) {
      received.push({ method, path, status: reply.status, sub: accessTokens.get(token ?? '')?.sub ?? null });
    }
    const response = {
      data: reply.data,
      status: reply.status,
      statusText: '',
      headers: {},
      config,
      request: {},
    };
    if (reply.status < 400) return response;
    throw new AxiosError(
      `Request failed with status code ${reply.status}`,
      'ERR_BAD_REQUEST',
      config,
      {},
      response,
    );
  };

  return {
    adapter,
    stats,
    /** Every token issued, to check that none leaks into an event, an error or a log. */
    issued,
    /** Tokens for `session.signIn`, as the login route answers them. */
    issue,
    controls: {
      /** The server stops accepting every access token issued so far (the client does not know). */
      revokeAccessTokens: () => accessTokens.clear(),
      /** Every refresh from now on answers 400 invalid_grant (`false` to stop). */
      refuseRefresh: (refuse = true) => {
        refusing = refuse;
      },
    },
  };
}
