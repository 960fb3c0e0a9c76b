import { vi } from 'vitest';
import { createFakeAuth, type TokenCheck } from '#test-support/model/fakeAuth';

export * from '#test-support/model/fakeAuth';

/** One send as the fake API received it. */
export interface Send {
  method: string;
  /** Origin and path, without the query string. */
  url: string;
  authorization: string | null;
  contentType: string | null;
  /** Every header but Authorization, names lower-cased. */
  headers: Record<string, string>;
  /** The body's bytes, read when the send arrives (await it). */
  bytes: Promise<Uint8Array | null>;
  /** What the fake fetch was called with: a Request, or a URL and an init. */
  args: unknown[];
  /** The status answered, 0 for a network error; undefined while in flight or when aborted. */
  status?: number;
}

export interface Reply {
  status: number;
  json?: unknown;
  headers?: Record<string, string>;
}

export type Route = (request: { send: Send; token: TokenCheck; sendNo: number }) => Reply | 'network';
export const API = 'https://api.test';

/** Rejects as Node's fetch does on an aborted signal: with its reason. */
const aborted = (signal: AbortSignal) =>
  signal.reason ?? new DOMException('This operation was aborted', 'AbortError');

/**
 * An API behind a fake `fetch`: it builds a Request from its arguments as fetch does, records every send,
 * answers after a delay (setTimeout, so fake timers drive it), rejects on abort with the signal's reason and
 * with a TypeError on a network error, as Node's fetch does.
 */
export function createFakeFetch({ latencyMs = 10, accessTtlS = 3600 } = {}) {
  const sends: Send[] = [];
  const routes = new Map<string, Route>();
  const delays = new Map<string, number>();
  const auth = createFakeAuth(
    { accessTtlS },
    {
      network: () => new TypeError('fetch failed'),
      server: () => Object.assign(new Error('503'), { status: 503 }),
      rejected: () => Object.assign(new Error('400 invalid_grant'), { status: 400 }),
    },
  );

  const protectedResource: Route = ({ send, token, sendNo }) => {
    const { status, body, headers } = auth.protectedAnswer(token, {
      url: send.url,
      method: send.method,
      sendNo,
    });
    return { status, json: body, ...(headers && { headers }) };
  };

  const fetch = vi.fn(async (...args: [RequestInfo | URL, RequestInit?]): Promise<Response> => {
    const request = new Request(...args);
    const url = request.url.split('?')[0] ?? '';
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      if (name !== 'authorization') headers[name] = value;
    });
    const send: Send = {
      method: request.method,
      url,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      headers,
      bytes: request.body
        ? request.arrayBuffer().then((buffer) => new Uint8Array(buffer))
        : Promise.resolve(null),
      args,
    };
    sends.push(send);
    const sendNo = sends.filter((s) => s.url === url && s.method === send.method).length;
    const { signal } = request;
    if (signal.aborted) throw aborted(signal);
    await send.bytes;
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(aborted(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () => {
          signal.removeEventListener('abort', onAbort);
          const route = routes.get(url) ?? routes.get(new URL(url).pathname) ?? protectedResource;
          const token = send.authorization?.replace(/^Bearer /, '') ?? null;
          const reply = route({ send, token: auth.check(token), sendNo });
          if (reply === 'network') {
            send.status = 0;
            return reject(new TypeError('fetch failed'));
          }
          send.status = reply.status;
          const body = reply.json === undefined ? null : JSON.stringify(reply.json);
          resolve(new Response(body, { status: reply.status, headers: reply.headers ?? {} }));
        },
        delays.get(new URL(url).pathname) ?? latencyMs,
      );
    });
  });

  return {
    ...auth,
    fetch,
    sends,
    sendsOf: (path: string) => sends.filter((s) => new URL(s.url).pathname === path),
    /** Answers `path` (a pathname, or a full URL for another origin) with `handler`. */
    route(path: string, handler: Route) {
      routes.set(path, handler);
    },
    /** Answers `path` after `ms` instead of the default latency. */
    delay(path: string, ms: number) {
      delays.set(path, ms);
    },
  };
}

export type FakeFetch = ReturnType<typeof createFakeFetch>;
