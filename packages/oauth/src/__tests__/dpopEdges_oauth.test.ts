import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dpop, oauthRefresh } from '@reauth/oauth';
import { afterEach, describe, expect, it, vi } from 'vitest';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** An IDBRequest that never fires (Safari 14.1's indexedDB.open on a first load; a wedged profile). */
const hangingFactory = { open: () => ({}) } as unknown as IDBFactory;

/** An IDBFactory whose database `name` exists and is the app's own: no 'keys' store. */
function foreignDatabase() {
  const closed = vi.fn();
  const db = {
    transaction() {
      throw new DOMException('One of the specified object stores was not found.', 'NotFoundError');
    },
    close: closed,
  };
  const factory = {
    open() {
      const request: { result?: unknown; onsuccess?: () => void; onupgradeneeded?: () => void } = {};
      queueMicrotask(() => {
        request.result = db;
        request.onsuccess?.();
      });
      return request;
    },
  } as unknown as IDBFactory;
  return { factory, closed };
}

describe('dpop() and IndexedDB failures', () => {
  // Fails by the test timeout when dpop() never settles: fake time is moved far past any sensible open timeout.
  it('an indexedDB.open that never answers: dpop() still settles (memory key, a warning)', {
    timeout: 2_000,
  }, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const made = dpop({ storage: hangingFactory, name: 'hang' });
    await vi.advanceTimersByTimeAsync(60_000);
    const signer = await made;
    expect(signer.scheme).toBe('DPoP');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("a database of that name that is the app's own: memory key, one warning, the connection closed", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { factory, closed } = foreignDatabase();
    const signer = await dpop({ storage: factory, name: 'app-db' });
    expect(signer.scheme).toBe('DPoP');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/IndexedDB "app-db" \(NotFoundError\)/);
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('a keyPair with an extractable private key is accepted as given (documented: used as is)', async () => {
    const keyPair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const signer = await dpop({ keyPair });
    expect(signer.scheme).toBe('DPoP');
  });
});

describe('oauthRefresh({ dpop }) nonce retry', () => {
  async function endpoint(handle: (n: number, res: ServerResponse) => void) {
    let n = 0;
    const server = createServer((_req, res) => handle(++n, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
      count: () => n,
    };
  }

  it('an abort during the nonce retry rejects the refresh with the abort (not left waiting on the retry)', async () => {
    const controller = new AbortController();
    const ep = await endpoint((n, res) => {
      if (n === 1) {
        res
          .writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': 'nx' })
          .end(JSON.stringify({ error: 'use_dpop_nonce' }));
        return;
      }
      setTimeout(() => controller.abort(new DOMException('stop', 'AbortError')), 20);
      // never answers the retry
    });
    const refresh = oauthRefresh({
      tokenEndpoint: ep.url,
      clientId: 'web',
      allowInsecureRequests: true,
      dpop: await dpop({ storage: false }),
    });
    const outcome = await refresh({ refreshToken: 'rt-secret-1', signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    expect(ep.count()).toBe(2);
    expect((outcome as Error).name).toBe('AbortError');
  });

  it('an abort before the first answer: no nonce retry is sent', async () => {
    const controller = new AbortController();
    const ep = await endpoint((_n, res) => {
      controller.abort();
      setTimeout(
        () =>
          res
            .writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': 'nx' })
            .end(JSON.stringify({ error: 'use_dpop_nonce' })),
        20,
      );
    });
    const refresh = oauthRefresh({
      tokenEndpoint: ep.url,
      clientId: 'web',
      allowInsecureRequests: true,
      dpop: await dpop({ storage: false }),
    });
    const outcome = await refresh({ refreshToken: 'rt', signal: controller.signal }).catch((e: unknown) => e);
    expect((outcome as Error).name).toBe('AbortError');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ep.count()).toBe(1);
  });

  it('its errors carry no refresh token, no proof', async () => {
    const proofs: string[] = [];
    const server = createServer((req, res) => {
      proofs.push(String(req.headers.dpop ?? ''));
      res
        .writeHead(400, { 'content-type': 'application/json', 'dpop-nonce': `n${proofs.length}` })
        .end(JSON.stringify({ error: 'use_dpop_nonce' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const refresh = oauthRefresh({
      tokenEndpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`,
      clientId: 'web',
      allowInsecureRequests: true,
      dpop: await dpop({ storage: false }),
    });
    const error = await refresh({
      refreshToken: 'rt-secret-xyz',
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    const seen = new WeakSet<object>();
    const dump = JSON.stringify(error, (_k, v: unknown) => {
      if (v && typeof v === 'object') {
        if (seen.has(v)) return undefined;
        seen.add(v);
        if (v instanceof Error)
          return { ...v, message: v.message, stack: v.stack, cause: (v as Error).cause };
      }
      return v;
    });
    expect(dump).not.toContain('rt-secret-xyz');
    for (const proof of proofs) expect(dump).not.toContain(proof);
  });
});
