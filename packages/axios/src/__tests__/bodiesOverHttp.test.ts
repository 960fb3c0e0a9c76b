import { Readable } from 'node:stream';
import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios, { type AxiosInstance, CanceledError } from 'axios';
import { describe, expect, it } from 'vitest';
import { expectReplayedSame, type Seen, useRecordingApi } from '#test-support/recordingApi';

// A real node:http API on 127.0.0.1 (test/support/recordingApi.ts): 401 to the old token, 200 to the new one.
const http = useRecordingApi();

function setup(
  opts: {
    maxRetries?: number;
    refresh?: () => Promise<{ accessToken: string }>;
    /** Runs on the instance before attachAuth (e.g. to add a request interceptor). */
    before?: (instance: AxiosInstance) => void;
  } = {},
) {
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
  const api = axios.create({ baseURL: http.base });
  opts.before?.(api);
  attachAuth(api, session, { maxRetries: opts.maxRetries });
  return { session, api, refreshes: () => refreshes };
}

describe('axios bodies on a 401 are replayed with the same bytes over real HTTP', () => {
  const bytes = () => new Uint8Array([0, 1, 2, 250, 255, 10, 13]);
  const cases: [string, () => unknown, (body: Buffer, ct: string | undefined) => void][] = [
    [
      'an object (default JSON serialisation)',
      () => ({ a: 1, s: 'héllo' }),
      (b, ct) => {
        expect(JSON.parse(b.toString())).toEqual({ a: 1, s: 'héllo' });
        expect(ct).toMatch(/application\/json/);
      },
    ],
    ['a string', () => 'héllo', (b) => expect(b.toString()).toBe('héllo')],
    [
      'URLSearchParams',
      () => new URLSearchParams({ a: '1', b: 'x y' }),
      (b, ct) => {
        expect(b.toString()).toBe('a=1&b=x+y');
        expect(ct).toMatch(/x-www-form-urlencoded/);
      },
    ],
    ['a Buffer', () => Buffer.from(bytes()), (b) => expect(b.equals(Buffer.from(bytes()))).toBe(true)],
    ['an ArrayBuffer', () => bytes().buffer, (b) => expect(b.equals(Buffer.from(bytes()))).toBe(true)],
    ['a Uint8Array', () => bytes(), (b) => expect(b.equals(Buffer.from(bytes()))).toBe(true)],
    [
      'a Blob',
      () => new Blob([bytes()], { type: 'image/png' }),
      (b) => expect(b.equals(Buffer.from(bytes()))).toBe(true),
    ],
  ];
  for (const [name, data, check] of cases) {
    it(`${name}: sent twice, the replay byte-identical`, async () => {
      const { api } = setup();
      const res = await api.post('/b', data());
      expect(res.status).toBe(200);
      const first = expectReplayedSame(http.seen, '/b');
      check(first.body, first.headers['content-type']);
    });
  }

  it('FormData: the replay is the same form but for the boundary (content-type and body agree)', async () => {
    const { api } = setup();
    const f = new FormData();
    f.set('k', 'v');
    f.set('f', new Blob([new Uint8Array([9, 9])]), 'x.bin');
    expect((await api.post('/fd', f)).status).toBe(200);
    const [a, b] = http.seen as [Seen, Seen];
    const boundary = (s: Seen) => String(s.headers['content-type']).split('boundary=')[1] as string;
    const norm = (s: Seen) => s.body.toString('latin1').split(boundary(s)).join('B');
    expect(norm(b)).toBe(norm(a));
    expect(b.headers.authorization).toBe('Bearer new');
  });

  it('a custom transformRequest runs once; the replay sends its output as is', async () => {
    const { api } = setup();
    let runs = 0;
    const res = await api.post(
      '/t',
      { n: 1 },
      {
        transformRequest: [
          (data: { n: number }, headers) => {
            runs++;
            headers.set('Content-Type', 'application/x-custom');
            return `custom:${JSON.stringify(data)}`;
          },
        ],
      },
    );
    expect(res.status).toBe(200);
    const first = expectReplayedSame(http.seen, '/t');
    expect(first.body.toString()).toBe('custom:{"n":1}');
    expect(runs).toBe(1);
  });

  it('a request interceptor adding a header runs once; the header not doubled on the replay', async () => {
    let runs = 0;
    const { api } = setup({
      before: (a) =>
        a.interceptors.request.use((config) => {
          runs++;
          config.headers.set('X-Trace', `${config.headers.get('X-Trace') ?? ''}t`);
          return config;
        }),
    });
    expect((await api.post('/i', { a: 1 })).status).toBe(200);
    expectReplayedSame(http.seen, '/i');
    expect(http.seen.map((s) => s.headers['x-trace'])).toEqual(['t', 't']);
    expect(runs).toBe(1);
  });

  it('maxRedirects: 0 still replays the same body', async () => {
    const { api } = setup();
    expect((await api.post('/m', { a: 1 }, { maxRedirects: 0 })).status).toBe(200);
    expectReplayedSame(http.seen, '/m');
  });

  it('data as a Node stream: settles, sent once, its 401 comes back (a consumed stream cannot be replayed)', async () => {
    const { api } = setup();
    const sent = api.post('/stream', Readable.from([Buffer.from('abc'), Buffer.from('def')]), {
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    await expect(sent).rejects.toMatchObject({ response: { status: 401 } });
    expect(http.seen.map((s) => s.body.toString())).toEqual(['abcdef']);
  });
});

describe('axios counting', () => {
  it('a 401 on the replay comes back as a 401: two sends', async () => {
    const { api, refreshes } = setup();
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
    await expect(api.post('/always', { a: 1 })).rejects.toMatchObject({ response: { status: 401 } });
    expect(http.seen.length).toBe(2);
    expect(refreshes()).toBe(1);
  });

  it('maxRetries 3, always 401: at most 4 sends', async () => {
    let n = 0;
    const { api } = setup({ maxRetries: 3, refresh: async () => ({ accessToken: `t${++n}` }) });
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
    await expect(api.post('/always', 'x')).rejects.toMatchObject({ response: { status: 401 } });
    expect(http.seen.length).toBeLessThanOrEqual(4);
  });

  it('20 concurrent requests with different bodies, one refresh: each body exactly twice, identical', async () => {
    const { api, refreshes } = setup();
    const makers: (() => unknown)[] = [
      () => ({ o: 1 }),
      () => 'text',
      () => new URLSearchParams({ q: 'v' }),
      () => Buffer.from([1, 2, 3]),
      () => new Uint8Array([4, 5]),
      () => new Blob([new Uint8Array([6])]),
      // FormData left out: its new boundary on each send is the test above.
    ];
    const all = Array.from({ length: 20 }, (_, i) =>
      api.post(`/c${i}`, (makers[i % makers.length] as () => unknown)()),
    );
    expect((await Promise.all(all)).map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(refreshes()).toBe(1);
    for (let i = 0; i < 20; i++) expectReplayedSame(http.seen, `/c${i}`);
  });
});

describe('axios: every request settles', () => {
  it('a refresh that throws: 10 waiting posts reject with REFRESH_UNAVAILABLE, none replayed', async () => {
    const { api } = setup({
      refresh: async () => {
        throw new Error('network down');
      },
    });
    const all = Array.from({ length: 10 }, (_, i) =>
      api.post(`/f${i}`, { i }).then(
        (r) => r.status,
        (e: { code?: string }) => e.code,
      ),
    );
    expect(await Promise.all(all)).toEqual(Array(10).fill('REFRESH_UNAVAILABLE'));
    expect(http.seen.length).toBe(10);
  });

  it('the socket destroyed on the replay: rejects with the network error, not sent a third time', async () => {
    const { api } = setup();
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
    const error = await api.post('/d', 'd').then(
      () => null,
      (e: { isAxiosError?: boolean; response?: unknown }) => e,
    );
    expect(error?.isAxiosError).toBe(true);
    expect(error?.response).toBeUndefined();
    expect(http.seen.length).toBe(2);
  });

  it('a late 401 (another request refreshed meanwhile): replayed at once with the same bytes, one refresh', async () => {
    const { api, refreshes } = setup();
    let releaseSlow!: () => void;
    let slowArrived!: () => void;
    const slowHere = new Promise<void>((r) => (slowArrived = r));
    http.onRequest = (req, answer) => {
      if (req.path === '/slow' && req.headers.authorization === 'Bearer old') {
        releaseSlow = answer;
        slowArrived();
      } else answer();
    };
    const slow = api.patch('/slow', { late: true });
    await slowHere;
    expect((await api.post('/fast', 'f')).status).toBe(200);
    releaseSlow();
    expect((await slow).status).toBe(200);
    expect(refreshes()).toBe(1);
    expectReplayedSame(http.seen, '/slow');
  });
});

describe('axios maxRetries: 2, the first replay 401 too', () => {
  it('an object body: three sends, the same bytes each time (serialised once)', async () => {
    let n = 0;
    let runs = 0;
    const { api } = setup({ maxRetries: 2, refresh: async () => ({ accessToken: `t${++n}` }) });
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
    const res = await api.post(
      '/m',
      { a: 1 },
      {
        transformRequest: [
          (d: unknown, h) => {
            runs++;
            h.set('Content-Type', 'application/json');
            return JSON.stringify(d);
          },
        ],
      },
    );
    expect(res.status).toBe(200);
    expect(http.seen.map((s) => s.headers.authorization)).toEqual(['Bearer old', 'Bearer t1', 'Bearer t2']);
    expect(http.seen.map((s) => s.body.toString())).toEqual(Array(3).fill('{"a":1}'));
    expect(runs).toBe(1);
  });

  it('a request sent while the refresh runs waits and goes once, with the new token only', async () => {
    let release!: (t: { accessToken: string }) => void;
    let asked!: () => void;
    const refreshAsked = new Promise<void>((r) => (asked = r));
    const { api } = setup({
      refresh: () =>
        new Promise((resolve) => {
          release = resolve;
          asked();
        }),
    });
    const lead = api.post('/lead', 'l');
    await refreshAsked;
    const during = api.post('/during', { d: 1 });
    release({ accessToken: 'new' });
    expect((await during).status).toBe(200);
    await lead;
    expect(http.seen.filter((s) => s.path === '/during').map((s) => s.headers.authorization)).toEqual([
      'Bearer new',
    ]);
  });
});

describe('axios aborts over real HTTP', () => {
  function gatedRefresh() {
    let release!: (t: { accessToken: string }) => void;
    let asked!: () => void;
    const refreshAsked = new Promise<void>((r) => (asked = r));
    const refresh = () =>
      new Promise<{ accessToken: string }>((resolve) => {
        release = resolve;
        asked();
      });
    return { refresh, refreshAsked, release: (t: { accessToken: string }) => release(t) };
  }

  it('AbortSignal.any aborted while waiting after its 401: CanceledError, not replayed', async () => {
    const g = gatedRefresh();
    const { api } = setup({ refresh: g.refresh });
    const c = new AbortController();
    const p = api.post('/any', 'x', { signal: AbortSignal.any([c.signal]) });
    await g.refreshAsked;
    c.abort();
    await expect(p).rejects.toBeInstanceOf(CanceledError);
    g.release({ accessToken: 'new' });
    expect(http.seen.length).toBe(1);
  });

  it('AbortSignal.timeout firing while waiting for the refresh: CanceledError, never sent; the other goes on', async () => {
    const g = gatedRefresh();
    const { api } = setup({ refresh: g.refresh });
    const other = api.post('/other', { o: 1 });
    await g.refreshAsked;
    await expect(api.post('/t', { t: 1 }, { signal: AbortSignal.timeout(20) })).rejects.toBeInstanceOf(
      CanceledError,
    );
    g.release({ accessToken: 'new' });
    expect((await other).status).toBe(200);
    expect(http.seen.filter((s) => s.path === '/t').length).toBe(0);
  });

  it('both signal and cancelToken given, the token cancelled while waiting: CanceledError, never sent', async () => {
    const g = gatedRefresh();
    const { api } = setup({ refresh: g.refresh });
    const other = api.post('/other', 'o');
    await g.refreshAsked;
    const source = axios.CancelToken.source();
    const p = api.post('/both', 'b', { signal: new AbortController().signal, cancelToken: source.token });
    source.cancel();
    await expect(p).rejects.toBeInstanceOf(CanceledError);
    g.release({ accessToken: 'new' });
    await other;
    expect(http.seen.filter((s) => s.path === '/both').length).toBe(0);
  });

  it('abort during the replay response body: settles as CanceledError, replay sent once', async () => {
    const { api } = setup();
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
    });
    const c = new AbortController();
    const p = api.get('/slow', { signal: c.signal });
    await replayHead;
    c.abort();
    await expect(p).rejects.toBeInstanceOf(CanceledError);
    expect(http.seen.length).toBe(2);
  });
});
