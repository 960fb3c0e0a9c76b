import { type AxiosAdapter, AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

export const BASE_URL = 'https://api.example.test';

/** An unsigned JWT: the client only decodes it, and the mock API compares whole strings. */
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
  refreshCalls: number;
  /** Sends to the API routes not answered yet. */
  inFlight: number;
  /** `performance.now()` when each refresh answered. */
  refreshEndedAt: number[];
  /** Sends to the API routes (first sends and replays). */
  apiRequests: number;
  unauthorized: number;
}

export interface MockApi {
  adapter: AxiosAdapter;
  stats: MockApiStats;
  /** Answers a held refresh (`refreshDelayMs: 'held'`) now. */
  release(): void;
}

/**
 * An auth API where every token handed out before the run has expired: `/auth/refresh` answers new tokens
 * after `refreshDelayMs`; every other route answers 200 to the latest access token and 401 to any other.
 * API answers come on the next macrotask (`setImmediate`), as a network answer would. With `'held'`, the
 * refresh answers only when `release()` is called (the memory probe holds the queue full).
 */
export function createMockApi(refreshDelayMs: number | 'held'): MockApi {
  const stats: MockApiStats = {
    refreshCalls: 0,
    inFlight: 0,
    refreshEndedAt: [],
    apiRequests: 0,
    unauthorized: 0,
  };
  let validToken: string | null = null;
  const held: (() => void)[] = [];
  const release = () => {
    for (const answer of held.splice(0)) answer();
  };

  const refresh = (config: InternalAxiosRequestConfig) => {
    stats.refreshCalls += 1;
    const generation = stats.refreshCalls;
    return new Promise<AxiosResponse>((resolve, reject) => {
      const answer = () => {
        validToken = tokenValidFor(3600, `access-${generation}`);
        stats.refreshEndedAt.push(performance.now());
        const tokens = { accessToken: validToken, refreshToken: `refresh-${generation}`, expiresIn: 3600 };
        respond(config, 200, tokens).then(resolve, reject);
      };
      if (refreshDelayMs === 'held') held.push(answer);
      else setTimeout(answer, refreshDelayMs);
    });
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
  return { adapter, stats, release };
}
