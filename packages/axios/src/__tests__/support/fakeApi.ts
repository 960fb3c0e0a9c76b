import {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
} from 'axios';
import { createFakeAuth, type TokenCheck } from '#test-support/model/fakeAuth';

export * from '#test-support/model/fakeAuth';

/** One send as the fake API received it. */
export interface Send {
  method: string;
  /** `config.url` as the caller wrote it, without the query string. */
  url: string;
  authorization: string | null;
  /** `config.params`, as given. */
  params: unknown;
  /** The body after axios's `transformRequest`: what goes on the wire. */
  body: unknown;
  /** Every header but Authorization, names lower-cased. */
  headers: Record<string, string>;
  /** The status answered, 0 for a network error, undefined while in flight or when cancelled. */
  status?: number;
}

export interface Reply {
  status: number;
  data?: unknown;
  headers?: Record<string, string>;
}

/** A route answers a reply, `'network'` (no answer), or throws what the adapter should reject with. */
export type Route = (request: { send: Send; token: TokenCheck; sendNo: number }) => Reply | 'network';

/**
 * An API behind an axios adapter: it knows which access tokens are valid, records every send, answers
 * after a delay (setTimeout, so fake timers drive it) and fails the way axios's own adapters do.
 */
export function createFakeApi({ latencyMs = 10, accessTtlS = 3600 } = {}) {
  const sends: Send[] = [];
  const thrown: unknown[] = [];
  const routes = new Map<string, Route>();
  const delays = new Map<string, number>();
  let hide401BehindCors = false;

  const refreshConfig = () =>
    ({ url: '/auth/refresh', method: 'post', headers: new AxiosHeaders() }) as InternalAxiosRequestConfig;
  const auth = createFakeAuth(
    { accessTtlS },
    {
      network: () => new AxiosError('Network Error', AxiosError.ERR_NETWORK, refreshConfig(), {}),
      server: () => httpError(refreshConfig(), {}, { status: 503, data: { error: 'unavailable' } }),
      rejected: () => httpError(refreshConfig(), {}, { status: 400, data: { error: 'invalid_grant' } }),
    },
  );

  const protectedResource: Route = ({ send, token, sendNo }) => {
    const { status, body, headers } = auth.protectedAnswer(token, {
      url: send.url,
      method: send.method,
      sendNo,
    });
    return { status, data: body, ...(headers && { headers }) };
  };

  routes.set('/auth/login', ({ send }) => {
    const { username, password } = JSON.parse(String(send.body)) as Record<string, string>;
    if (username === 'alice' && password === 'wonderland') return { status: 200, data: auth.issueTokens() };
    return { status: 401, data: { error: 'invalid_credentials' } };
  });

  function fail<T extends Error>(error: T): T {
    thrown.push(error);
    return error;
  }

  function toResponse(config: InternalAxiosRequestConfig, request: object, reply: Reply): AxiosResponse {
    return {
      data: JSON.stringify(reply.data ?? null),
      status: reply.status,
      statusText: String(reply.status),
      headers: new AxiosHeaders(reply.headers),
      config,
      request,
    };
  }

  /** As axios's `settle` builds it. */
  function httpError(config: InternalAxiosRequestConfig, request: object, reply: Reply): AxiosError {
    const code = reply.status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
    const response = toResponse(config, request, reply);
    return new AxiosError(`Request failed with status code ${reply.status}`, code, config, request, response);
  }

  const adapter: AxiosAdapter = (config) =>
    new Promise((resolve, reject) => {
      const headers = AxiosHeaders.from(config.headers).toJSON(true) as Record<string, unknown>;
      let authorization: string | null = null;
      const rest: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (name.toLowerCase() === 'authorization') authorization = String(value);
        else rest[name.toLowerCase()] = String(value);
      }
      const url = (config.url ?? '').split('?')[0] ?? '';
      const method = (config.method ?? 'get').toUpperCase();
      const send: Send = {
        method,
        url,
        authorization,
        params: config.params,
        body: config.data,
        headers: rest,
      };
      sends.push(send);
      const sendNo = sends.filter((s) => s.url === url && s.method === method).length;
      const request = { fakeRequest: sendNo };
      const signal = config.signal as AbortSignal | undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(fail(new CanceledError(undefined, config, request)));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        try {
          const route = routes.get(url) ?? protectedResource;
          const token = authorization?.replace(/^Bearer /, '') ?? null;
          const reply = route({ send, token: auth.check(token), sendNo });
          if (reply === 'network' || (reply.status === 401 && hide401BehindCors)) {
            send.status = 0;
            return reject(fail(new AxiosError('Network Error', AxiosError.ERR_NETWORK, config, request)));
          }
          send.status = reply.status;
          if (reply.status >= 400) reject(fail(httpError(config, request, reply)));
          else resolve(toResponse(config, request, reply));
        } catch (error) {
          reject(fail(error as Error));
        }
      }, delays.get(url) ?? latencyMs);
    });

  return {
    ...auth,
    adapter,
    /** Every send, in order. */
    sends,
    /** Every error the adapter rejected with, in order. */
    thrown,
    sendsOf: (url: string) => sends.filter((s) => s.url === url),
    route(url: string, handler: Route) {
      routes.set(url, handler);
    },
    delay(url: string, ms: number) {
      delays.set(url, ms);
    },
    /** Like an API that sends no CORS headers on its 401s: the browser reports a network error. */
    hide401BehindCors(on = true) {
      hide401BehindCors = on;
    },
  };
}

export type FakeApi = ReturnType<typeof createFakeApi>;
