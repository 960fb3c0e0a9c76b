import { createMockAuthServer, type MockAuthServer, type TokenResponse } from '@reauth/msw';
import { type AxiosAdapter, AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { getResponse } from 'msw';

export const BASE_URL = 'https://api.example.test';

/** An unsigned JWT for the overhead suites: the client only decodes it, no server reads it. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.bench`;
}

const nowInSeconds = () => Math.floor(Date.now() / 1000);

/** A token whose own `exp` claim is `seconds` from now (negative: already past). */
export const tokenValidFor = (seconds: number, id: string) =>
  fakeJwt({ sub: 'alice', jti: id, exp: nowInSeconds() + seconds });

/** Settles like axios's own adapters do: `validateStatus` decides between answer and AxiosError. */
function respond(config: InternalAxiosRequestConfig, status: number, data: unknown, headers = {}) {
  const response: AxiosResponse = { data, status, statusText: String(status), headers, config, request: {} };
  if (config.validateStatus?.(status) ?? true) return Promise.resolve(response);
  const code = status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
  return Promise.reject(
    new AxiosError(`Request failed with status code ${status}`, code, config, {}, response),
  );
}

const OK = { ok: true };

/** Answers 200 at once, so that a run measures the client's own work and nothing else. */
export const answerOkAtOnce: AxiosAdapter = (config) => respond(config, 200, OK);

/** The same for fetch: a `Response` at once, no network. */
export const fetchOkAtOnce = (_input: RequestInfo | URL, _init?: RequestInit): Promise<Response> =>
  Promise.resolve(new Response('{"ok":true}', { status: 200 }));

export interface MockApiStats {
  /** Refresh calls, counted on arrival (a held one included); the kit counts the same once they reach it. */
  refreshCalls: number;
  /** Sends to the API routes not answered yet. */
  inFlight: number;
  /** `performance.now()` when each refresh answered. */
  refreshEndedAt: number[];
  /** This process's CPU time (user + system, µs) when each refresh answered. */
  refreshEndedCpuUs: number[];
  /** Sends to the API routes (first sends and replays). */
  apiRequests: number;
  unauthorized: number;
}

/** Whether the client holds a token it can read as expired (`exp` past) or one that only the API refuses. */
export type StaleToken = 'exp-ahead' | 'exp-past';

export interface MockApi {
  adapter: AxiosAdapter;
  stats: MockApiStats;
  /** The pair the client signs in with: issued by the kit, its access token already refused by the API. */
  stale: TokenResponse;
  /** Answers a held refresh (`refreshDelayMs: 'held'`) now. */
  release(): void;
}

const HOUR_MS = 3_600_000;

/** CPU time this process has spent so far (user + system), in µs. */
export function cpuNowUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Sends an axios request to the kit's handlers in-process (msw's `getResponse`) and settles it as axios would. */
async function throughKit(auth: MockAuthServer, config: InternalAxiosRequestConfig) {
  const url = new URL(config.url ?? '', config.baseURL ?? BASE_URL);
  const request = new Request(url, {
    method: (config.method ?? 'get').toUpperCase(),
    headers: { 'content-type': 'application/json' },
    body: typeof config.data === 'string' ? config.data : null,
  });
  const response = await getResponse(auth.handlers, request);
  if (!response) throw new Error(`[bench] the kit has no handler for ${request.method} ${url.pathname}`);
  return { status: response.status, data: (await response.json()) as unknown };
}

/**
 * The storm's and the memory probe's auth API. `/auth/refresh` is `@reauth/msw`'s kit (`createMockAuthServer`,
 * rotating refresh tokens, signed JWTs), answered in-process through msw's `getResponse`, after
 * `refreshDelayMs` (the kit's `delayRefresh`). With `'held'`, the refresh reaches the kit only when
 * `release()` is called (the memory probe holds the queue full): the kit's `'hang'` can only end in a
 * failure, so this gate is the one local piece on the refresh path. Every other route answers on the next
 * macrotask (`setImmediate`), 200 to the access token of the kit's latest refresh and 401 to any other. That
 * check is local on purpose: the kit's `protect()` through `getResponse` costs about 500 µs per 200 and 260
 * µs per 401 on this machine, several times the client's own work per replay, and would swamp the drain.
 */
export async function createMockApi(refreshDelayMs: number | 'held', token: StaleToken): Promise<MockApi> {
  // The kit's clock two hours back while it issues the stale pair: its `exp` (one hour) is then past.
  let clockOffsetMs = token === 'exp-past' ? -2 * HOUR_MS : 0;
  const auth = createMockAuthServer({
    baseUrl: BASE_URL,
    accessTokenTtlMs: HOUR_MS,
    now: () => Date.now() + clockOffsetMs,
  });
  const stale = await auth.controls.issueTokens('alice');
  clockOffsetMs = 0;
  // The API refuses every access token issued so far (their `exp` may still be ahead).
  auth.controls.expireAccessTokens();
  if (typeof refreshDelayMs === 'number') auth.controls.delayRefresh(refreshDelayMs);

  const stats: MockApiStats = {
    refreshCalls: 0,
    inFlight: 0,
    refreshEndedAt: [],
    refreshEndedCpuUs: [],
    apiRequests: 0,
    unauthorized: 0,
  };
  let validToken: string | null = null;
  const held: (() => void)[] = [];
  const release = () => {
    for (const open of held.splice(0)) open();
  };

  const refresh = async (config: InternalAxiosRequestConfig) => {
    stats.refreshCalls += 1;
    if (refreshDelayMs === 'held') await new Promise<void>((open) => held.push(open));
    const { status, data } = await throughKit(auth, config);
    if (status === 200) validToken = (data as TokenResponse).accessToken;
    stats.refreshEndedAt.push(performance.now());
    stats.refreshEndedCpuUs.push(cpuNowUs());
    return respond(config, status, data);
  };

  const api = (config: InternalAxiosRequestConfig) =>
    new Promise<AxiosResponse>((resolve, reject) => {
      stats.inFlight += 1;
      setImmediate(() => {
        stats.inFlight -= 1;
        stats.apiRequests += 1;
        if (validToken !== null && config.headers.get('Authorization') === `Bearer ${validToken}`) {
          respond(config, 200, OK).then(resolve, reject);
          return;
        }
        stats.unauthorized += 1;
        const challenge = { 'www-authenticate': 'Bearer error="invalid_token"' };
        respond(config, 401, { error: 'invalid_token' }, challenge).then(resolve, reject);
      });
    });

  const adapter: AxiosAdapter = (config) =>
    config.url?.endsWith('/auth/refresh') ? refresh(config) : api(config);
  return { adapter, stats, stale, release };
}
