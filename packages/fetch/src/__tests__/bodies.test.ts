import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, finish, setup, url } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const bytes = (...values: number[]) => new Uint8Array(values);
const formWithFile = () => {
  const form = new FormData();
  form.append('name', 'ü & = ?');
  form.append('file', new File(['file contents \u00ff'], 'notes.txt', { type: 'text/plain' }));
  return form;
};

const bodies: [string, () => BodyInit, string | null][] = [
  ['a string', () => 'plain text, not JSON: ü & = ?', 'text/plain;charset=UTF-8'],
  ['a JSON string', () => JSON.stringify({ b: 2, a: [1, 'ü'] }), 'text/plain;charset=UTF-8'],
  [
    'URLSearchParams',
    () => new URLSearchParams({ q: 'ü & =', page: '2' }),
    'application/x-www-form-urlencoded;charset=UTF-8',
  ],
  ['FormData with a File', formWithFile, 'multipart/form-data; boundary='],
  ['a Blob', () => new Blob(['{"blob":true}'], { type: 'application/json' }), 'application/json'],
  ['an ArrayBuffer', () => bytes(0, 1, 2, 254, 255).buffer, null],
  ['a typed array', () => new Uint16Array([1, 2, 65535]), null],
  ['a DataView', () => new DataView(bytes(9, 8, 7, 6, 5, 4).buffer, 1, 4), null],
];

describe('request bodies are replayed byte for byte, with the same content type', () => {
  it.each(bodies)('%s', async (_, body, contentType) => {
    const { api, authFetch, tokens } = setup();
    api.expireAccessTokens();

    const response = await finish(authFetch(url('/echo'), { method: 'POST', body: body() }));

    expect(response.status).toBe(200);
    const [first, replay] = api.sendsOf('/echo');
    expect([first?.status, replay?.status]).toEqual([401, 200]);
    expect([first?.authorization, replay?.authorization]).toEqual([
      bearer(tokens.accessToken),
      bearer(api.lastIssued().accessToken),
    ]);
    const [sent, replayed] = await Promise.all([first?.bytes, replay?.bytes]);
    expect(sent?.length).toBeGreaterThan(0);
    expect(replayed).toEqual(sent);
    expect(replay?.contentType).toBe(first?.contentType);
    if (contentType === null) expect(first?.contentType).toBeNull();
    else expect(first?.contentType).toContain(contentType);
  });

  it('sends the bytes of the call: a caller reusing its buffer afterwards changes no replay', async () => {
    const { api, authFetch } = setup();
    api.expireAccessTokens();
    const buffer = bytes(1, 2, 3);

    const pending = authFetch(url('/echo'), { method: 'PUT', body: buffer });
    buffer.fill(0);
    await finish(pending);

    const sent = await Promise.all(api.sendsOf('/echo').map((s) => s.bytes));
    expect(sent).toEqual([bytes(1, 2, 3), bytes(1, 2, 3)]);
  });

  it('keeps the FormData boundary and the File through the replay', async () => {
    const { api, authFetch } = setup();
    api.expireAccessTokens();

    await finish(authFetch(url('/echo'), { method: 'POST', body: formWithFile() }));

    const [first, replay] = api.sendsOf('/echo');
    const boundary = /boundary=(.+)$/.exec(first?.contentType ?? '')?.[1];
    expect(boundary).toBeTruthy();
    expect(replay?.contentType).toBe(first?.contentType);
    const text = new TextDecoder().decode((await replay?.bytes) ?? undefined);
    expect(text).toContain(`--${boundary}`);
    expect(text).toContain('filename="notes.txt"');
    expect(text).toContain('file contents \u00ff');
  });

  it('builds nothing for a string body: fetch gets the caller’s string each time', async () => {
    const { api, authFetch } = setup();
    api.expireAccessTokens();
    const body = '{"a":1}';

    await finish(authFetch(url('/echo'), { method: 'POST', body }));

    expect(api.fetch.mock.calls.map(([input, init]) => [input, init?.body])).toEqual([
      [url('/echo'), body],
      [url('/echo'), body],
    ]);
  });

  it('leaves the caller’s init and its Headers untouched', async () => {
    const { api, authFetch } = setup();
    api.expireAccessTokens();
    const headers = new Headers({ 'x-custom': 'kept', 'content-type': 'application/json' });
    const init = { method: 'POST', body: bytes(1, 2), headers };
    const keys = Object.keys(init);

    await finish(authFetch(url('/echo'), init));

    expect(Object.keys(init)).toEqual(keys);
    expect(init.body).toEqual(bytes(1, 2));
    expect([...headers]).toEqual([
      ['content-type', 'application/json'],
      ['x-custom', 'kept'],
    ]);
    expect(api.sendsOf('/echo').map((s) => s.headers['x-custom'])).toEqual(['kept', 'kept']);
  });
});

describe('a stream body is sent once', () => {
  const stream = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    });

  it('hands its 401 back with one development warning that says why and what to do', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { api, authFetch, eventsOf } = setup();
    api.expireAccessTokens();
    const send = () =>
      authFetch(url('/upload'), { method: 'POST', body: stream('chunk'), duplex: 'half' } as RequestInit);

    const responses = [await finish(send()), await finish(send())];

    expect(responses.map((r) => r.status)).toEqual([401, 401]);
    expect(api.sendsOf('/upload')).toHaveLength(2);
    expect(await api.sendsOf('/upload')[0]?.bytes).toEqual(new TextEncoder().encode('chunk'));
    expect(api.refresh).not.toHaveBeenCalled();
    expect(eventsOf('unauthorized').map((e) => e.handled)).toEqual([false, false]);
    const streamWarnings = warn.mock.calls
      .map(([message]) => String(message))
      .filter((m) => m.includes('stream body'));
    expect(streamWarnings).toHaveLength(1);
    expect(streamWarnings[0]).toMatch(/^\[reauth\] /);
    expect(streamWarnings[0]).toMatch(/cannot be sent again/);
    expect(streamWarnings[0]).toMatch(/Blob, ArrayBuffer, FormData or string body/);
  });

  it('treats a Request whose body is a stream the same way', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { api, authFetch } = setup();
    api.expireAccessTokens();
    const request = new Request(url('/upload'), {
      method: 'POST',
      body: stream('chunk'),
      duplex: 'half',
    } as RequestInit);

    const response = await finish(authFetch(request));

    expect(response.status).toBe(401);
    expect(api.sendsOf('/upload')).toHaveLength(1);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(warn.mock.calls.some(([message]) => String(message).includes('stream body'))).toBe(true);
  });

  it('sends a stream body with the token when nothing is refused', async () => {
    const { api, authFetch, tokens } = setup();
    const response = await finish(
      authFetch(url('/upload'), { method: 'POST', body: stream('ok'), duplex: 'half' } as RequestInit),
    );
    expect(response.status).toBe(200);
    expect(api.sendsOf('/upload').map((s) => s.authorization)).toEqual([bearer(tokens.accessToken)]);
  });
});

describe('Request objects as input', () => {
  it('replays a Request with a JSON body: same bytes, headers and method; the caller’s Request unchanged', async () => {
    const { api, authFetch } = setup();
    api.expireAccessTokens();
    const request = new Request(url('/echo'), {
      method: 'PUT',
      body: JSON.stringify({ a: 1 }),
      headers: { 'content-type': 'application/json', 'x-custom': 'kept' },
    });

    const response = await finish(authFetch(request));

    expect(response.status).toBe(200);
    const sends = api.sendsOf('/echo');
    expect(sends.map((s) => [s.method, s.status, s.contentType, s.headers['x-custom']])).toEqual([
      ['PUT', 401, 'application/json', 'kept'],
      ['PUT', 200, 'application/json', 'kept'],
    ]);
    const [sent, replayed] = await Promise.all(sends.map((s) => s.bytes));
    expect(new TextDecoder().decode(replayed ?? undefined)).toBe('{"a":1}');
    expect(replayed).toEqual(sent);
    expect(request.headers.get('authorization')).toBeNull();
    expect([...request.headers].map(([name]) => name)).toEqual(['content-type', 'x-custom']);
    // Its body is read, as fetch(request) reads it; nothing else about it changed.
    expect(request.bodyUsed).toBe(true);
    expect([request.method, request.url]).toEqual(['PUT', url('/echo')]);
  });

  it('lets init override the Request’s fields, as fetch does', async () => {
    const { api, authFetch, tokens } = setup();
    const request = new Request(url('/echo'), {
      method: 'POST',
      body: 'from the request',
      headers: { 'x-a': 'request' },
    });

    await finish(authFetch(request, { method: 'PUT', body: 'from init', headers: { 'x-b': 'init' } }));

    const [send] = api.sendsOf('/echo');
    expect(send?.method).toBe('PUT');
    expect(new TextDecoder().decode((await send?.bytes) ?? undefined)).toBe('from init');
    expect(send?.headers).toMatchObject({ 'x-b': 'init' });
    expect(send?.headers['x-a']).toBeUndefined();
    expect(send?.authorization).toBe(bearer(tokens.accessToken));
  });

  it('sends a GET Request with the token, leaving the caller’s Request as it was', async () => {
    const { api, authFetch, tokens } = setup();
    const request = new Request(url('/items'), { headers: { 'x-custom': 'kept' } });

    const response = await finish(authFetch(request));

    expect(response.status).toBe(200);
    expect(api.sends.map((s) => [s.authorization, s.headers['x-custom']])).toEqual([
      [bearer(tokens.accessToken), 'kept'],
    ]);
    expect([...request.headers]).toEqual([['x-custom', 'kept']]);
  });

  it('rejects a Request whose body was already read with the TypeError fetch gives', async () => {
    const { api, authFetch } = setup();
    const used = () => {
      const request = new Request(url('/echo'), { method: 'POST', body: 'x' });
      return request.text().then(() => request);
    };
    const native = await api.fetch(await used()).catch((e: unknown) => e);

    const ours = await authFetch(await used()).catch((e: unknown) => e);

    expect(ours).toBeInstanceOf(TypeError);
    expect((ours as Error).message).toBe((native as Error).message);
    expect(api.sends).toEqual([]);
  });

  it('rejects a GET with a body with the TypeError fetch gives, without sending it', async () => {
    const { api, authFetch } = setup();
    const native = await Promise.resolve()
      .then(() => new Request(url('/items'), { body: new Blob(['x']) }))
      .catch((e: unknown) => e);

    const ours = await authFetch(url('/items'), { body: new Blob(['x']) }).catch((e: unknown) => e);

    expect(ours).toBeInstanceOf(TypeError);
    expect((ours as Error).message).toBe((native as Error).message);
    expect(api.sends).toEqual([]);
  });
});
