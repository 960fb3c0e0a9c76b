import { attachAuth } from '@reauth/axios';
import { type AuthEvent, createSession, type UnauthorizedCause } from '@reauth/core';
import axios, { AxiosHeaders } from 'axios';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createClient, settle, setup, startServer, waitUntil } from '../support/setup';

// Every 401 here comes from the real server, through axios and attachAuth: the diagnosis is decided from
// what actually went over the wire.
let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

const causesOf = (events: AuthEvent[]): UnauthorizedCause[] =>
  events.flatMap((event) => (event.type === 'unauthorized' ? [event.diagnosis.cause] : []));

describe('each 401 cause, from a real exchange', () => {
  // First: the console says each cause once per module, so a later test would find it said already.
  it('says each cause once on the development console, however many 401s', async () => {
    const { server, api, signIn } = await setup();
    await signIn();
    server.controls.expireAccessTokens();

    await Promise.all(['1', '2', '3'].map((id) => api.get(`/api/items/${id}`)));

    const lines = warn.mock.calls.map((args) => String(args[0])).filter((line) => / 401 on /.test(line));
    expect(lines).toEqual([
      expect.stringMatching(
        /^\[reauth\] 401 on GET http:\/\/127\.0\.0\.1:\d+\/api\/items\/\d: expired_token — /,
      ),
    ]);
  });

  it('missing_authorization: a request sent while signed out', async () => {
    const { api, events } = await setup();

    const refused = await settle(api.get('/api/items'));

    expect(refused).toMatchObject({ ok: false, error: { response: { status: 401 } } });
    expect(causesOf(events)).toEqual(['missing_authorization']);
  });

  it('expired_token: the server says the token expired; one refresh, then the replay succeeds', async () => {
    const { server, api, signIn, events } = await setup();
    await signIn();
    server.controls.expireAccessTokens();

    const responses = await Promise.all([api.get('/api/items/1'), api.get('/api/items/2')]);

    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(causesOf(events)).toEqual(['expired_token', 'expired_token']);
  });

  it("invalid_token: a token the server didn't sign (another server's)", async () => {
    const [server, stranger] = await Promise.all([startServer(), startServer()]);
    const { api, session, events } = createClient(server);
    session.signIn(await stranger.controls.issueTokens('alice'));

    await settle(api.get('/api/items/1'));

    expect(causesOf(events)[0]).toBe('invalid_token');
  });

  it('insufficient_scope: a user without the role the route needs; no refresh', async () => {
    const { server, api, signIn, events } = await setup();
    await signIn('alice');

    const refused = await settle(api.get('/api/scoped'));

    expect(refused).toMatchObject({ ok: false, error: { response: { status: 401 } } });
    expect(causesOf(events)).toEqual(['insufficient_scope']);
    expect(server.stats.refreshes).toBe(0);
  });

  it('origin_not_allowed: an API on another origin gets no token', async () => {
    const [server, other] = await Promise.all([startServer(), startServer()]);
    const { api, signIn, events } = createClient(server);
    await signIn();

    await settle(api.get(`${other.url}/api/items`));

    expect(causesOf(events)).toEqual(['origin_not_allowed']);
  });

  it('refresh_rejected: a late 401 that lands after the refresh token was refused', async () => {
    const { server, api, session, signIn, events, eventsOf } = await setup();
    await signIn();
    session.onReauth(() => new Promise(() => {}));
    const late = settle(api.get('/api/slow?ms=300'));
    server.controls.revokeRefreshTokens();
    server.controls.expireAccessTokens();

    void settle(api.get('/api/items/1'));
    await waitUntil(() => eventsOf('reauthRequired').length === 1, 'the refused refresh');
    await waitUntil(() => causesOf(events).length === 2, 'the late 401');
    session.cancelReauth();
    await late;

    expect(causesOf(events)).toEqual(['expired_token', 'refresh_rejected']);
  });

  it('unknown: the server gave no reason the client could read (WWW-Authenticate hidden, as CORS does)', async () => {
    const [server, stranger] = await Promise.all([startServer(), startServer()]);
    const api = axios.create({ baseURL: server.url });
    // Runs before reauth's own handler: what a browser shows of a cross-origin 401 whose server does not
    // expose WWW-Authenticate.
    api.interceptors.response.use(undefined, (error) => {
      if (error.response) error.response.headers = new AxiosHeaders();
      return Promise.reject(error);
    });
    const session = createSession({ refresh: async () => Promise.reject(new Error('offline')) });
    attachAuth(api, session);
    const causes: UnauthorizedCause[] = [];
    session.on('unauthorized', (event) => causes.push(event.diagnosis.cause));
    session.signIn(await stranger.controls.issueTokens('alice'));

    await settle(api.get('/api/items/1'));

    expect(causes[0]).toBe('unknown');
  });
});
