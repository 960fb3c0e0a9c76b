import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { describe, expect, it } from 'vitest';
import { expectReplayedSame, type Seen, useRecordingApi } from '#test-support/recordingApi';

// A real node:http API on 127.0.0.1 (test/support/recordingApi.ts): 401 to the old token, 200 to the new one.
const http = useRecordingApi();

function setup(opts: { maxRetries?: number; refresh?: () => Promise<{ accessToken: string }> } = {}) {
  let refreshes = 0;
  const session = createSession({
    refresh:
      opts.refresh ??
      (async () => {
        refreshes++;
        return { accessToken: 'new', refreshToken: 'r2' };
      }),
  });
  session.signIn({ accessToken: 'old', refreshToken: 'r1' });
  const authFetch = createAuthFetch(session, { allowedOrigins: [http.base], maxRetries: opts.maxRetries });
  return { session, authFetch, refreshes: () => refreshes };
}

describe('bodies on a 401 are replayed with the same bytes over real HTTP', () => {
  const bytes = () => new Uint8Array([0, 1, 2, 250, 255, 10, 13]);
  const cases: [string, () => RequestInit, (body: Buffer, ct: string | undefined) => void][] = [
    ['string', () => ({ body: 'héllo' }), (b) => expect(b.toString()).toBe('héllo')],
    [
      'URLSearchParams',
      () => ({ body: new URLSearchParams({ a: '1', b: 'x y' }) }),
      (b, ct) => {
        expect(b.toString()).toBe('a=1&b=x+y');
        expect(ct).toMatch(/x-www-form-urlencoded/);
      },
    ],
    [
      'FormData with a File part',
      () => {
        const form = new FormData();
        form.set('name', 'v');
        form.set('file', new File([bytes()], 'f.bin', { type: 'application/octet-stream' }));
        return { body: form };
      },
      (b, ct) => {
        expect(ct).toMatch(/multipart\/form-data; boundary=/);
        expect(b.includes(Buffer.from(bytes()))).toBe(true);
      },
    ],
    [
      'Blob with a type',
      () => ({ body: new Blob([bytes()], { type: 'image/png' }) }),
      (b, ct) => {
        expect(b.equals(Buffer.from(bytes()))).toBe(true);
        expect(ct).toBe('image/png');
      },
    ],
    [
      'ArrayBuffer',
      () => ({ body: bytes().buffer }),
      (b) => expect(b.equals(Buffer.from(bytes()))).toBe(true),
    ],
    [
      'a TypedArray view on part of a buffer',
      () => ({ body: new Uint8Array(bytes().buffer, 2, 3) }),
      (b) => expect([...b]).toEqual([2, 250, 255]),
    ],
    [
      'a DataView',
      () => ({ body: new DataView(bytes().buffer, 1, 2) }),
      (b) => expect([...b]).toEqual([1, 2]),
    ],
    [
      'JSON with a content type set by the caller',
      () => ({ body: JSON.stringify({ a: 1 }), headers: { 'Content-Type': 'application/vnd.x+json' } }),
      (b, ct) => {
        expect(b.toString()).toBe('{"a":1}');
        expect(ct).toBe('application/vnd.x+json');
      },
    ],
    ['an empty string on POST', () => ({ body: '' }), (b) => expect(b.length).toBe(0)],
    ['no body on POST', () => ({}), (b) => expect(b.length).toBe(0)],
  ];
  for (const [name, init, check] of cases) {
    it(`${name}: sent twice, the replay byte-identical`, async () => {
      const { authFetch } = setup();
      const res = await authFetch(`${http.base}/b`, { method: 'POST', ...init() });
      expect(res.status).toBe(200);
      const first = expectReplayedSame(http.seen, '/b');
      check(first.body, first.headers['content-type']);
    });
  }

  it('a Request with a FormData body: replayed with the same boundary and bytes', async () => {
    const { authFetch } = setup();
    const form = new FormData();
    form.set('f', new File([new Uint8Array([1, 2])], 'a.bin'));
    expect((await authFetch(new Request(`${http.base}/rf`, { method: 'POST', body: form }))).status).toBe(
      200,
    );
    expectReplayedSame(http.seen, '/rf');
  });

  it('a body of 8 MB: replayed in full', async () => {
    const { authFetch } = setup();
    const big = new Uint8Array(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    expect((await authFetch(`${http.base}/big`, { method: 'POST', body: big })).status).toBe(200);
    const first = expectReplayedSame(http.seen, '/big');
    expect(first.body.length).toBe(big.length);
    expect(first.body.equals(Buffer.from(big))).toBe(true);
  });
});

describe('counting sends', () => {
  it('a 401 on the replay comes back as a 401: two sends, one refresh', async () => {
    const { authFetch, refreshes } = setup();
    http.server.removeAllListeners('request');
    http.server.on('request', (req, res) => {
      http.seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.alloc(0),
      });
      req.resume();
      res.writeHead(401).end();
    });
    const res = await authFetch(`${http.base}/always`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(401);
    expect(http.seen.length).toBe(2);
    expect(refreshes()).toBe(1);
  });

  it('maxRetries: 3 and a server that always says 401: at most 4 sends', async () => {
    let n = 0;
    const { authFetch } = setup({
      maxRetries: 3,
      refresh: async () => ({ accessToken: `t${++n}` }),
    });
    http.server.removeAllListeners('request');
    http.server.on('request', (req, res) => {
      http.seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.alloc(0),
      });
      req.resume();
      res.writeHead(401).end();
    });
    const res = await authFetch(`${http.base}/always`, { method: 'POST', body: new Uint8Array([1]) });
    expect(res.status).toBe(401);
    expect(http.seen.length).toBeLessThanOrEqual(4);
    expect(http.seen.length).toBeGreaterThanOrEqual(2);
  });

  it('20 concurrent requests with different bodies through one refresh: each body exactly twice, identical', async () => {
    const { authFetch, refreshes } = setup();
    const makers: (() => BodyInit)[] = [
      () => 'text',
      () => new URLSearchParams({ q: 'v' }),
      () => new Blob([new Uint8Array([1, 2, 3])]),
      () => new Uint8Array([4, 5, 6]).buffer,
      () => new Uint16Array([7, 8]),
      () => {
        const f = new FormData();
        f.set('k', 'v');
        f.set('f', new Blob([new Uint8Array([0xff])]), 'x.bin');
        return f;
      },
    ];
    const all = Array.from({ length: 20 }, (_, i) =>
      authFetch(`${http.base}/c${i}`, {
        method: 'POST',
        body: (makers[i % makers.length] as () => BodyInit)(),
      }),
    );
    const statuses = (await Promise.all(all)).map((r) => r.status);
    expect(statuses).toEqual(Array(20).fill(200));
    expect(refreshes()).toBe(1);
    for (let i = 0; i < 20; i++) expectReplayedSame(http.seen, `/c${i}`);
    expect(http.seen.length).toBe(40);
  });
});

describe('every request settles', () => {
  it('maxRetries: 0: the 401 comes back, one send, no refresh', async () => {
    const { authFetch, refreshes } = setup({ maxRetries: 0 });
    expect((await authFetch(`${http.base}/z`, { method: 'POST', body: 'z' })).status).toBe(401);
    expect(http.seen.length).toBe(1);
    expect(refreshes()).toBe(0);
  });

  it('a refresh that throws: 10 waiting requests with bodies all reject with REFRESH_UNAVAILABLE, none replayed', async () => {
    const { authFetch } = setup({
      refresh: async () => {
        throw new Error('network down');
      },
    });
    const all = Array.from({ length: 10 }, (_, i) =>
      authFetch(`${http.base}/f${i}`, { method: 'POST', body: new Blob([`b${i}`]) }).then(
        (r) => r.status,
        (e: { code?: string }) => e.code,
      ),
    );
    expect(await Promise.all(all)).toEqual(Array(10).fill('REFRESH_UNAVAILABLE'));
    expect(http.seen.every((s) => s.headers.authorization === 'Bearer old')).toBe(true);
    expect(http.seen.length).toBe(10);
  });

  it('the socket destroyed on the replay: rejects with the transport TypeError, not sent a third time', async () => {
    const { authFetch } = setup();
    http.server.removeAllListeners('request');
    http.server.on('request', (req, res) => {
      http.seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.alloc(0),
      });
      req.resume();
      if (req.headers.authorization === 'Bearer new') return void req.socket.destroy();
      res.writeHead(401).end();
    });
    await expect(authFetch(`${http.base}/d`, { method: 'POST', body: 'd' })).rejects.toBeInstanceOf(
      TypeError,
    );
    expect(http.seen.length).toBe(2);
  });
});

describe('more shapes', () => {
  it('an async iterable body: sent once, its 401 comes back, settles', async () => {
    const { authFetch } = setup();
    async function* chunks() {
      yield new Uint8Array([1]);
      yield new Uint8Array([2]);
    }
    const res = await authFetch(`${http.base}/it`, {
      method: 'POST',
      body: chunks(),
      duplex: 'half',
    } as unknown as RequestInit);
    expect(res.status).toBe(401);
    expect(http.seen.map((s) => [...s.body])).toEqual([[1, 2]]);
  });

  it('20 waiting requests, every other one aborted while waiting: the aborted never sent, the rest replayed once', async () => {
    let release!: (t: { accessToken: string }) => void;
    let asked!: () => void;
    const refreshAsked = new Promise<void>((r) => (asked = r));
    const { authFetch } = setup({
      refresh: () =>
        new Promise((resolve) => {
          release = resolve;
          asked();
        }),
    });
    const first = authFetch(`${http.base}/lead`, { method: 'POST', body: 'lead' });
    await refreshAsked;
    const controllers = Array.from({ length: 20 }, () => new AbortController());
    const all = controllers.map((c, i) =>
      authFetch(`${http.base}/q${i}`, { method: 'POST', body: new Blob([`q${i}`]), signal: c.signal }).then(
        (r) => r.status,
        (e: Error) => e.name,
      ),
    );
    for (const [i, c] of controllers.entries()) if (i % 2 === 0) c.abort();
    release({ accessToken: 'new' });
    expect(await Promise.all(all)).toEqual(controllers.map((_, i) => (i % 2 === 0 ? 'AbortError' : 200)));
    expect((await first).status).toBe(200);
    for (let i = 0; i < 20; i++) {
      const sends = http.seen.filter((s) => s.path === `/q${i}`);
      expect(sends.map((s) => s.body.toString())).toEqual(i % 2 === 0 ? [] : [`q${i}`]);
    }
  });
});

describe('maxRetries: 2, the first replay 401 too', () => {
  for (const [name, body] of [
    [
      'FormData',
      () => {
        const f = new FormData();
        f.set('f', new File([new Uint8Array([1, 2, 3])], 'a.bin'));
        return f;
      },
    ],
    ['Blob', () => new Blob(['three sends'])],
    ['URLSearchParams', () => new URLSearchParams({ a: 'b' })],
  ] as [string, () => BodyInit][]) {
    it(`${name}: three sends, the same bytes and content type each time`, async () => {
      let n = 0;
      const { authFetch } = setup({ maxRetries: 2, refresh: async () => ({ accessToken: `t${++n}` }) });
      http.server.removeAllListeners('request');
      http.server.on('request', (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          http.seen.push({
            method: req.method ?? '',
            path: '/m',
            headers: req.headers,
            body: Buffer.concat(chunks),
          });
          res.writeHead(req.headers.authorization === 'Bearer t2' ? 200 : 401).end();
        });
      });
      expect((await authFetch(`${http.base}/m`, { method: 'POST', body: body() })).status).toBe(200);
      expect(http.seen.map((s) => s.headers.authorization)).toEqual(['Bearer old', 'Bearer t1', 'Bearer t2']);
      const [a] = http.seen as [Seen];
      for (const s of http.seen) {
        expect(s.body.equals(a.body)).toBe(true);
        expect(s.headers['content-type']).toBe(a.headers['content-type']);
      }
    });
  }
});

describe('the dropped 401', () => {
  it('a 401 whose body never ends: the replay still settles, and the 401 connection is let go', async () => {
    const { authFetch } = setup();
    http.server.removeAllListeners('request');
    let firstClosed!: () => void;
    const closed = new Promise<void>((r) => (firstClosed = r));
    http.server.on('request', (req, res) => {
      http.seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.alloc(0),
      });
      req.resume();
      if (req.headers.authorization === 'Bearer new') return void res.writeHead(200).end('ok');
      res.on('close', () => firstClosed());
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.write('never ending'); // no end: the body must be cancelled by whoever drops this response
    });
    const res = await authFetch(`${http.base}/n`, { method: 'POST', body: 'n' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    await closed; // hangs (test timeout) if the dropped 401's body is kept open
    expect(http.seen.length).toBe(2);
  }, 3000);
});

describe('late 401', () => {
  it('a request whose 401 arrives after another refreshed: replayed at once with the same bytes, no second refresh', async () => {
    const { authFetch, refreshes } = setup();
    let releaseSlow!: () => void;
    let slowArrived!: () => void;
    const slowHere = new Promise<void>((r) => (slowArrived = r));
    http.onRequest = (req, answer) => {
      if (req.path === '/slow' && req.headers.authorization === 'Bearer old') {
        releaseSlow = answer;
        slowArrived();
      } else answer();
    };
    const slow = authFetch(`${http.base}/slow`, { method: 'PATCH', body: new Blob(['late body']) });
    await slowHere;
    expect((await authFetch(`${http.base}/fast`, { method: 'POST', body: 'f' })).status).toBe(200);
    releaseSlow();
    expect((await slow).status).toBe(200);
    expect(refreshes()).toBe(1);
    const first = expectReplayedSame(http.seen, '/slow');
    expect(first.body.toString()).toBe('late body');
  });
});

describe('aborts over real HTTP', () => {
  it('AbortSignal.any of an aborted signal: rejects, nothing sent', async () => {
    const { authFetch } = setup();
    const c = new AbortController();
    c.abort();
    const signal = AbortSignal.any([c.signal, new AbortController().signal]);
    await expect(authFetch(`${http.base}/a`, { signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(http.seen.length).toBe(0);
  });

  it('abort during the replay response body: the body read rejects (settles), replay sent once', async () => {
    const { authFetch } = setup();
    http.server.removeAllListeners('request');
    let headSent!: () => void;
    const replayHead = new Promise<void>((r) => (headSent = r));
    http.server.on('request', (req, res) => {
      http.seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.alloc(0),
      });
      req.resume();
      if (req.headers.authorization !== 'Bearer new') return void res.writeHead(401).end();
      res.writeHead(200);
      res.write('partial');
      headSent();
      // never ends
    });
    const c = new AbortController();
    const res = await authFetch(`${http.base}/slow`, { signal: c.signal });
    await replayHead;
    expect(res.status).toBe(200);
    const text = res.text();
    c.abort();
    await expect(text).rejects.toMatchObject({ name: 'AbortError' });
    expect(http.seen.length).toBe(2);
  });

  it('AbortSignal.timeout firing while the refresh hangs: rejects (TimeoutError), never sent', async () => {
    let asked!: () => void;
    const refreshAsked = new Promise<void>((r) => (asked = r));
    let release!: (t: { accessToken: string }) => void;
    const { authFetch } = setup({
      refresh: () =>
        new Promise((resolve) => {
          release = resolve;
          asked();
        }),
    });
    const first = authFetch(`${http.base}/first`);
    await refreshAsked;
    const p = authFetch(`${http.base}/t`, { signal: AbortSignal.timeout(20) });
    await expect(p).rejects.toMatchObject({ name: 'TimeoutError' });
    release({ accessToken: 'new' });
    expect((await first).status).toBe(200);
    expect(http.seen.filter((s) => s.path === '/t').length).toBe(0);
  });
});
