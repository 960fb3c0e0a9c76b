import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios, { AxiosHeaders, type AxiosRequestConfig, isAxiosError } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, codeOf, rejection, setup, track, userPrompt } from './support/setup';

// Promises of the contract (DESIGN.md) that no other file in this folder holds.

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** Lets pending promise callbacks run without moving the clock (the abort's own task). */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

async function authorizationSentTo(
  context: ReturnType<typeof setup>,
  url: string,
  config: AxiosRequestConfig = {},
) {
  const done = context.http.get(url, config).catch(() => {});
  await vi.advanceTimersByTimeAsync(100);
  await done;
  return context.api.sends.at(-1)?.authorization;
}

describe('a 401 on a request whose session has ended since', () => {
  it('rejects with SESSION_EXPIRED when a refused refresh ended it, without a second refresh or a replay', async () => {
    const { api, http, session } = setup();
    api.expireAccessTokens();
    api.revokeRefreshTokens();
    api.delay('/slow', 500);
    const slow = rejection(http.get('/slow'));
    const fast = rejection(http.get('/fast'));
    await vi.advanceTimersByTimeAsync(100);
    expect(codeOf(await fast)).toBe('SESSION_EXPIRED');

    await vi.advanceTimersByTimeAsync(1000);

    expect(codeOf(await slow)).toBe('SESSION_EXPIRED');
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/slow')).toHaveLength(1);
    expect(session.getState().status).toBe('signedOut');
  });

  it('rejects with the error that ended its own session, not the one that ended a later session', async () => {
    const { api, http, session } = setup();
    api.delay('/slow', 1000);
    const slow = rejection(http.get('/slow'));
    await vi.advanceTimersByTimeAsync(50);
    session.signOut(); // ends the session /slow was sent in
    session.signIn(api.issueTokens());
    const prompt = userPrompt();
    session.onReauth(prompt.handler);
    api.expireAccessTokens();
    api.failNextRefresh('rejected');
    const other = rejection(http.get('/other'));
    await vi.advanceTimersByTimeAsync(100);
    prompt.answer(null); // ends the later session
    expect(codeOf(await other)).toBe('REAUTH_CANCELLED');

    await vi.advanceTimersByTimeAsync(2000);

    expect(codeOf(await slow)).toBe('SIGNED_OUT');
    expect(prompt.handler).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/slow')).toHaveLength(1);
  });
});

describe('a login prompt opened by a signed-out 401', () => {
  it('fails the requests started while it is open with REAUTH_CANCELLED when dismissed; they are never sent', async () => {
    const { api, http, session } = setup({ signedIn: false });
    const prompt = userPrompt();
    session.onReauth(prompt.handler);
    const first = rejection(http.get('/a'));
    await vi.advanceTimersByTimeAsync(100);
    expect(session.getState().status).toBe('reauthRequired');
    const later = rejection(http.get('/b'));
    await vi.advanceTimersByTimeAsync(100);
    expect(api.sendsOf('/b')).toHaveLength(0);

    prompt.answer(null);

    expect((await Promise.all([first, later])).map(codeOf)).toEqual(['REAUTH_CANCELLED', 'REAUTH_CANCELLED']);
    expect(api.sendsOf('/a')).toHaveLength(1);
    expect(api.sendsOf('/b')).toHaveLength(0);
    expect(prompt.handler).toHaveBeenCalledTimes(1);
    expect(session.getState().status).toBe('signedOut');
  });

  it('rejects a request aborted while it waits on it after its own 401 at once, as a CanceledError; the others resume', async () => {
    const { api, http, session } = setup({ signedIn: false });
    const prompt = userPrompt();
    session.onReauth(prompt.handler);
    const controller = new AbortController();
    const aborted = track(http.get('/a', { signal: controller.signal }));
    const other = track(http.get('/b'));
    await vi.advanceTimersByTimeAsync(100);
    expect(aborted.settled).toBe(false);

    controller.abort();
    await flushMicrotasks();

    expect(axios.isCancel(aborted.error)).toBe(true);
    expect(session.getState().status).toBe('reauthRequired');
    prompt.answer(api.issueTokens());
    await vi.advanceTimersByTimeAsync(100);
    expect(other).toMatchObject({ settled: true, rejected: false });
    expect(api.sendsOf('/a')).toHaveLength(1);
    expect(api.sendsOf('/b').map((s) => s.authorization)).toEqual([
      null,
      bearer(api.lastIssued().accessToken),
    ]);
  });

  it('is not opened by a 401 from another origin: that 401 is handed back as is', async () => {
    const { api, http, session, eventsOf } = setup({ signedIn: false });
    const prompt = userPrompt();
    session.onReauth(prompt.handler);

    const error = rejection(http.get('https://other.test/items'));
    await vi.advanceTimersByTimeAsync(100);

    expect(await error).toBe(api.thrown[0]);
    expect(prompt.handler).not.toHaveBeenCalled();
    expect(session.getState().status).toBe('signedOut');
    expect(eventsOf('unauthorized')).toEqual([expect.objectContaining({ handled: false })]);
  });
});

describe('aborting the request whose 401 started the refresh', () => {
  it('cancels that request only: the shared refresh goes on and its signal stays live', async () => {
    const { api, http } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const controller = new AbortController();
    const starter = track(http.get('/a', { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(20); // /a got its 401 and started the refresh
    expect(api.refresh).toHaveBeenCalledTimes(1);
    const other = track(http.get('/b'));

    controller.abort();
    await flushMicrotasks();

    expect(axios.isCancel(starter.error)).toBe(true);
    expect(api.refresh.mock.calls[0]?.[0].signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(other).toMatchObject({ settled: true, rejected: false });
    expect(api.sendsOf('/a')).toHaveLength(1);
    expect(api.sendsOf('/b').map((s) => s.authorization)).toEqual([bearer(api.lastIssued().accessToken)]);
  });
});

describe('origins: a URL is resolved first, then compared by origin', () => {
  it('resolves a relative URL against the request’s own baseURL: another origin gets no token', async () => {
    const context = setup();
    expect(await authorizationSentTo(context, '/items', { baseURL: 'https://other.test' })).toBeNull();
    expect(await authorizationSentTo(context, '/items')).toBe(bearer(context.tokens.accessToken));
  });

  it("gives no token to relative URLs when the instance's baseURL origin is not in allowedOrigins", async () => {
    const context = setup({ attach: { allowedOrigins: ['https://cdn.test'] } });
    expect(await authorizationSentTo(context, '/items')).toBeNull();
    expect(await authorizationSentTo(context, 'https://cdn.test/items')).toBe(
      bearer(context.tokens.accessToken),
    );
  });

  it('compares a string entry as an origin: default port and letter case do not matter', async () => {
    const context = setup({ attach: { allowedOrigins: ['HTTPS://API.TEST:443'] } });
    expect(await authorizationSentTo(context, '/items')).toBe(bearer(context.tokens.accessToken));
    expect(await authorizationSentTo(context, 'https://api.test:8443/items')).toBeNull();
  });

  it('tests a RegExp against the origin only, never the path', async () => {
    const context = setup({ attach: { allowedOrigins: [/\/items$/] } });
    expect(await authorizationSentTo(context, 'https://other.test/items')).toBeNull();
    expect(await authorizationSentTo(context, '/items')).toBeNull();
  });

  it('without a baseURL, allows location.origin by default and resolves relative URLs against the page', async () => {
    vi.stubGlobal('location', new URL('https://app.test/dashboard/page'));
    const context = setup({ baseURL: null });
    const token = bearer(context.tokens.accessToken);

    expect(await authorizationSentTo(context, '/items')).toBe(token);
    expect(await authorizationSentTo(context, 'items')).toBe(token);
    expect(await authorizationSentTo(context, 'https://app.test/items')).toBe(token);
    expect(await authorizationSentTo(context, 'https://api.test/items')).toBeNull();
    expect(await authorizationSentTo(context, '//evil.test/items')).toBeNull();
  });

  it('refuses an allowedOrigins that is not an array with a TypeError', () => {
    const session = createSession();
    const call = () => attachAuth(axios.create(), session, { allowedOrigins: 'https://a.test' as never });
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/^\[reauth\] attachAuth: `allowedOrigins` must be an array/);
  });
});

describe('errors reauth does not handle', () => {
  it('hands a network error on the replay to the caller unchanged', async () => {
    const { api, http } = setup();
    api.route('/items', ({ sendNo }) => (sendNo === 1 ? { status: 401 } : 'network'));

    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);

    const thrown = await error;
    expect(thrown).toBe(api.thrown.at(-1));
    expect(isAxiosError(thrown) && thrown.code).toBe('ERR_NETWORK');
    expect(api.sendsOf('/items')).toHaveLength(2);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });
});

describe('request events', () => {
  it('carry type, method, absolute url and an `at` from the session’s clock', async () => {
    const clock = 1_234_567_000;
    const { api, http, events } = setup({ session: { now: () => clock } });
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const first = http.post('/a', { x: 1 });
    await vi.advanceTimersByTimeAsync(20);
    const queued = http.get('/b');
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all([first, queued]);

    const requestEvents = events.filter((e) =>
      ['requestQueued', 'requestReplayed', 'unauthorized'].includes(e.type),
    );
    expect(requestEvents.map((e) => e.type).sort()).toEqual([
      'requestQueued',
      'requestQueued',
      'requestReplayed',
      'unauthorized',
    ]);
    for (const event of events) expect(event.at).toBe(clock);
    expect(requestEvents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'unauthorized', method: 'POST', url: 'https://api.test/a' }),
        expect.objectContaining({ type: 'requestQueued', method: 'GET', url: 'https://api.test/b' }),
        expect.objectContaining({ type: 'requestReplayed', method: 'POST', url: 'https://api.test/a' }),
      ]),
    );
  });

  it('count the requests waiting in refreshStart and reauthRequired', async () => {
    const { api, http, session, eventsOf } = setup();
    api.expireAccessTokens();
    api.failNextRefresh('rejected');
    const prompt = userPrompt();
    session.onReauth(prompt.handler);
    const waiting = ['/a', '/b', '/c'].map((url) => rejection(http.get(url)));
    await vi.advanceTimersByTimeAsync(100);

    const [start] = eventsOf('refreshStart');
    expect(start?.waiting).toBeGreaterThanOrEqual(1);
    expect(start?.waiting).toBeLessThanOrEqual(3);
    expect(eventsOf('reauthRequired')).toEqual([
      expect.objectContaining({ reason: 'refresh_rejected', waiting: 3 }),
    ]);
    prompt.answer(null);
    expect((await Promise.all(waiting)).map(codeOf)).toEqual(Array(3).fill('REAUTH_CANCELLED'));
  });
});

describe("the caller's objects", () => {
  it('carry no hidden keys, symbols included, after a 401 and a replay', async () => {
    const { api, http } = setup();
    api.expireAccessTokens();
    const axiosHeaders = new AxiosHeaders({ 'X-Custom': 'a' });
    const plainHeaders = { 'X-Custom': 'b' };
    const configs: AxiosRequestConfig[] = [
      { url: '/a', method: 'get', headers: axiosHeaders },
      { url: '/b', method: 'post', data: { n: 1 }, headers: plainHeaders },
    ];

    const done = Promise.all(configs.map((config) => http.request(config)));
    await vi.advanceTimersByTimeAsync(100);
    await done;

    expect(api.sends).toHaveLength(4);
    for (const object of [...configs, axiosHeaders, plainHeaders]) {
      expect(Object.getOwnPropertySymbols(object)).toEqual([]);
    }
    expect(Object.keys(plainHeaders)).toEqual(['X-Custom']);
    expect(axiosHeaders.has('Authorization')).toBe(false);
  });
});
