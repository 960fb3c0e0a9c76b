import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the tap saw of one request on the wire: header names and cookie names only, never a value. */
export interface TappedRequest {
  method: string;
  /** Pathname only, without the query string. */
  path: string;
  /** Whether an `Authorization` header arrived, whatever its value. */
  hadAuthorization: boolean;
  /** Names of the cookies in the `Cookie` header, in order (values are never kept). */
  cookieNames: string[];
  /** The status the server behind answered; undefined until it answered (or when it never did). */
  status: number | undefined;
}

/** A recording proxy in front of a server; see {@link startHeaderTap}. */
export interface HeaderTap {
  /** `http://127.0.0.1:PORT`: send to this instead of the server behind. */
  url: string;
  /** Every request received, in arrival order. */
  requests: TappedRequest[];
  /**
   * Hold the answers to requests for `path` (pathname) from now on: each is kept, unsent, until the returned
   * `release` is called — a response delayed on the network, decided by the test instead of a timer.
   */
  hold(path: string): () => void;
  /** Stop listening and destroy every open socket. Safe to call twice. */
  close(): Promise<void>;
}

function cookieNamesOf(request: IncomingMessage): string[] {
  const header = request.headers.cookie ?? '';
  return header
    .split(';')
    .map((pair) => pair.split('=')[0]?.trim() ?? '')
    .filter((name) => name !== '');
}

/**
 * Start a plain node:http proxy on 127.0.0.1 that forwards every request, unchanged, to `target` and its answer,
 * unchanged (every `Set-Cookie` kept), back — recording what arrived on the wire: whether an `Authorization`
 * header came and which cookies. For tests that must prove what a client never sent.
 *
 * @param target the origin of the server behind, e.g. `http://127.0.0.1:4000`
 * @returns the running tap; call `close()` when done (the server behind is not closed)
 * @example
 * const tap = await startHeaderTap(server.url);
 * await fetch(`${tap.url}/api/items`);
 * expect(tap.requests.some((r) => r.hadAuthorization)).toBe(false);
 */
export async function startHeaderTap(target: string): Promise<HeaderTap> {
  const requests: TappedRequest[] = [];
  const holds = new Map<string, (() => void)[]>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target);
    const record: TappedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      hadAuthorization: req.headers.authorization !== undefined,
      cookieNames: cookieNamesOf(req),
      status: undefined,
    };
    requests.push(record);
    const upstream = httpRequest(
      url,
      { method: req.method, headers: req.headers, agent: false },
      (answer) => {
        record.status = answer.statusCode;
        const forward = () => {
          if (res.destroyed) return void answer.destroy();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        };
        const held = holds.get(record.path);
        if (held) held.push(forward);
        else forward();
      },
    );
    upstream.on('error', () => res.destroy());
    // The client went away before its answer: so does the request behind it.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    hold(path) {
      const held: (() => void)[] = [];
      holds.set(path, held);
      return () => {
        if (holds.get(path) === held) holds.delete(path);
        for (const forward of held.splice(0)) forward();
      };
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
