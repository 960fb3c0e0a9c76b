import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, vi } from 'vitest';

/** One request as the API received it. */
export interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The running API of the current test (see `useRecordingApi`). */
export interface RecordingApi {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Every request, in order, once its body has arrived. */
  seen: Seen[];
  /** Called with each request once its body has arrived; may hold the answer back. Reset before each test. */
  onRequest: (req: Seen, answer: () => void) => void;
}

/**
 * Around each test of the file that calls it: a real node:http API on 127.0.0.1 that answers 401 to any token but
 * `Bearer new` (200), and records every request's method, path, headers and body bytes; development warnings
 * silenced.
 */
export function useRecordingApi(): RecordingApi {
  const api = { seen: [] } as unknown as RecordingApi;
  beforeEach(async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    api.seen = [];
    api.onRequest = (_req, answer) => answer();
    api.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const record: Seen = {
          method: req.method ?? '',
          path: new URL(req.url ?? '/', 'http://x').pathname,
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        api.seen.push(record);
        api.onRequest(record, () => {
          const ok = req.headers.authorization === 'Bearer new';
          res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok }));
        });
      });
    });
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    api.base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    api.server.closeAllConnections();
    await new Promise<void>((resolve) => api.server.close(() => resolve()));
  });
  return api;
}

/** The two sends of one path: first (old token) and replay (new token), same method, headers and bytes. */
export function expectReplayedSame(seen: readonly Seen[], path: string): Seen {
  const sends = seen.filter((s) => s.path === path);
  expect(sends.map((s) => s.headers.authorization)).toEqual(['Bearer old', 'Bearer new']);
  const [a, b] = sends as [Seen, Seen];
  expect(b.method).toBe(a.method);
  expect(b.headers['content-type']).toBe(a.headers['content-type']);
  expect(b.headers['content-length']).toBe(a.headers['content-length']);
  expect(b.body.equals(a.body)).toBe(true);
  return a;
}
