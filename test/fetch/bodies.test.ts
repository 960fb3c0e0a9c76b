import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestsTo } from '../support/setup';
import { setupFetch } from './support';

afterEach(() => {
  vi.restoreAllMocks();
});

interface Echo {
  method: string;
  body: string;
  contentType: string | null;
  custom: string | null;
}

const ascii = (text: string) => new TextEncoder().encode(text);
const form = () => {
  const data = new FormData();
  data.append('name', 'ü & = ?');
  data.append('file', new File(['file contents'], 'notes.txt', { type: 'text/plain' }));
  return data;
};

const cases: [string, () => BodyInit][] = [
  ['a string', () => 'plain text, not JSON: ü & = ?'],
  ['a JSON string', () => JSON.stringify({ b: 2, a: [1, 'ü'] })],
  ['URLSearchParams', () => new URLSearchParams({ q: 'ü & =', page: '2' })],
  ['FormData with a File', form],
  ['a Blob', () => new Blob(['{"blob":true}'], { type: 'application/json' })],
  ['an ArrayBuffer', () => ascii('array buffer').buffer as ArrayBuffer],
  ['a typed array', () => ascii('typed array')],
  ['a DataView', () => new DataView(ascii('..data view..').buffer, 2, 9)],
];

describe('bodies replayed by Node’s fetch against the real server', () => {
  it.each(cases)('replays %s byte for byte with its content type and x-custom', async (_, body) => {
    const { server, authFetch, signIn, url } = await setupFetch();
    await signIn();
    const send = () =>
      authFetch(url('/api/echo'), { method: 'PUT', body: body(), headers: { 'x-custom': 'kept' } });
    const direct = (await (await send()).json()) as Echo;
    server.controls.expireAccessTokens();

    const response = await send();

    expect(response.status).toBe(200);
    const replayed = (await response.json()) as Echo;
    expect(replayed).toMatchObject({ method: 'PUT', custom: 'kept' });
    const [, refused, replay] = requestsTo(server, '/api/echo');
    expect(refused?.status).toBe(401);
    expect(replay).toMatchObject({ status: 200, body: refused?.body });
    expect(replay?.body?.length).toBeGreaterThan(0);
    if (body() instanceof FormData) {
      // A new boundary per call: the replay keeps the first send's.
      expect(replayed.contentType).toMatch(/^multipart\/form-data; boundary=/);
      expect(replay?.body).toContain(replayed.contentType?.split('boundary=')[1]);
    } else {
      expect(replayed).toEqual(direct);
    }
    expect(server.stats.refreshes).toBe(1);
  });

  it('replays a Request built as ky and openapi-fetch build theirs (JSON body, own headers)', async () => {
    const { server, authFetch, signIn, url } = await setupFetch();
    await signIn();
    server.controls.expireAccessTokens();
    const request = new Request(url('/api/echo'), {
      method: 'POST',
      body: JSON.stringify({ a: 1 }),
      headers: { 'content-type': 'application/json', 'x-custom': 'kept' },
    });

    const response = await authFetch(request, {});

    expect(await response.json()).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      contentType: 'application/json',
      custom: 'kept',
    });
    expect(requestsTo(server, '/api/echo').map((r) => [r.status, r.body])).toEqual([
      [401, '{"a":1}'],
      [200, '{"a":1}'],
    ]);
    expect(request.headers.get('authorization')).toBeNull();
  });

  it('sends a stream body once and hands its 401 back, with a development warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { server, authFetch, signIn, url } = await setupFetch();
    await signIn();
    server.controls.expireAccessTokens();
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(ascii('streamed'));
        controller.close();
      },
    });

    const response = await authFetch(url('/api/echo'), {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);

    expect(response.status).toBe(401);
    expect(requestsTo(server, '/api/echo').map((r) => [r.status, r.body])).toEqual([[401, 'streamed']]);
    expect(server.stats.refreshes).toBe(0);
    expect(warn.mock.calls.map(([m]) => String(m)).filter((m) => m.includes('stream body'))).toHaveLength(1);
  });
});
