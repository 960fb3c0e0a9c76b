import type { ReauthReason } from '@reauth/core';
import { CookieJar } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import type { AuthServer } from '../support/authServer';
import type { HeaderTap } from '../support/headerTap';
import { waitUntil } from '../support/setup';
import {
  ADAPTERS,
  type AdapterName,
  type CookieClient,
  login,
  outcomes,
  type SessionBody,
  sentMoreThanTwice,
  sessionCookieClient,
  settleAll,
  startCookieServer,
  startTap,
  statusesOf,
} from './support';

const range = (count: number) => Array.from({ length: count }, (_, i) => i);

interface SessionSetup {
  server: AuthServer<'session'>;
  /** Every request goes through it: what arrived on the wire. */
  tap: HeaderTap;
  jar: CookieJar;
  client: CookieClient;
}

/** A server, a tap in front of it, a jar, and a client of the tap signed in through the API's login. */
async function signedIn(adapter: AdapterName, { slide }: { slide: boolean }): Promise<SessionSetup> {
  const server = await startCookieServer('session');
  const tap = await startTap(server.url);
  const jar = new CookieJar();
  const client = sessionCookieClient(adapter, tap.url, jar, { slide });
  const { user } = await login<SessionBody>(client);
  client.session.signIn({ user });
  return { server, tap, jar, client };
}

/** No request of the test carried an Authorization header; every API request carried the session cookie. */
function expectCookiesOnly(tap: HeaderTap): void {
  expect(tap.requests.length).toBeGreaterThan(0);
  expect(tap.requests.filter((request) => request.hadAuthorization)).toEqual([]);
  const api = tap.requests.filter((request) => request.path.startsWith('/api/'));
  expect(api.filter((request) => !request.cookieNames.includes('reauth_session'))).toEqual([]);
}

describe.each(ADAPTERS)('%s with cookies: session, a real cookie jar and a real server', (adapter) => {
  it('logs in through the API (the session cookie lands in the jar) and calls the API with the cookie alone', async () => {
    const server = await startCookieServer('session');
    const tap = await startTap(server.url);
    const jar = new CookieJar();
    const client = sessionCookieClient(adapter, tap.url, jar, { slide: false });

    const body = await login<SessionBody>(client);
    expect(body).toEqual({ user: { sub: 'alice', roles: ['user'] } });
    expect(await jar.getCookieString(`${tap.url}/api/items`)).toMatch(/^reauth_session=./);
    client.session.signIn({ user: body.user });

    expect(client.session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
    expect(await client.session.getAccessToken()).toBeNull();
    const results = await settleAll([
      client.wire.request('/api/items/1'),
      client.wire.request('/api/echo', { method: 'POST', body: { hello: 'world' } }),
    ]);

    expect(results).toEqual([
      { ok: true, value: { status: 200, body: { id: '1', user: 'alice' } } },
      { ok: true, value: { status: 200, body: expect.objectContaining({ method: 'POST', user: 'alice' }) } },
    ]);
    expect(server.stats.requests).toEqual([
      expect.objectContaining({ path: '/api/items/1', status: 200, hadToken: true }),
      expect.objectContaining({ path: '/api/echo', status: 200, hadToken: true }),
    ]);
    expectCookiesOnly(tap);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('sliding session: a burst of 401s after the sessions expire makes one refresh, and every request replays with the new cookie', async () => {
    const { server, tap, client } = await signedIn(adapter, { slide: true });
    server.controls.expireAccessTokens();

    const results = await settleAll(range(6).map((i) => client.wire.request(`/api/items/${i}`)));

    expect(results).toEqual(
      range(6).map((i) => ({ ok: true, value: { status: 200, body: { id: String(i), user: 'alice' } } })),
    );
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    expect(server.stats.reuseDetected).toBe(0);
    const [renewed] = server.stats.refreshCalls;
    const replays = new Set<string | null>();
    for (const i of range(6)) {
      const records = server.stats.requests.filter((r) => r.path === `/api/items/${i}`);
      expect(records.map((r) => r.status)).toEqual([401, 200]);
      // Sent first with the old session, replayed with the one the refresh opened.
      expect(records[0]?.tokenId).toBe(renewed?.tokenId);
      replays.add(records[1]?.tokenId ?? null);
    }
    expect(replays.size).toBe(1);
    expect(replays.has(renewed?.tokenId ?? null)).toBe(false);
    expect(client.session.getState().status).toBe('signedIn');
    expect(client.eventsOf('reauthRequired')).toEqual([]);
    expect(tap.requests.filter((r) => r.path === '/auth/refresh')).toEqual([
      expect.objectContaining({ cookieNames: ['reauth_session'], status: 200 }),
    ]);
    expectCookiesOnly(tap);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('sliding session refused (revoked): one prompt with reason refresh_rejected, whose login through the API replays the burst', async () => {
    const { server, tap, client } = await signedIn(adapter, { slide: true });
    const reasons: ReauthReason[] = [];
    client.session.onReauth(async ({ reason }) => {
      reasons.push(reason);
      const { user } = await login<SessionBody>(client);
      return { user };
    });
    server.controls.revokeRefreshTokens();

    const results = await settleAll(range(4).map((i) => client.wire.request(`/api/items/${i}`)));

    expect(results).toEqual(
      range(4).map((i) => ({ ok: true, value: { status: 200, body: { id: String(i), user: 'alice' } } })),
    );
    expect(reasons).toEqual(['refresh_rejected']);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['rejected']);
    expect(server.stats.logins).toBe(2);
    for (const i of range(4)) expect(statusesOf(server, `/api/items/${i}`)).toEqual([401, 200]);
    expectCookiesOnly(tap);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('no refresh: a burst of 401s opens one prompt, its login through the API sets a new cookie, and all replay', async () => {
    const { server, tap, client } = await signedIn(adapter, { slide: false });
    const reasons: ReauthReason[] = [];
    client.session.onReauth(async ({ reason }) => {
      reasons.push(reason);
      const { user } = await login<SessionBody>(client);
      return { user };
    });
    server.controls.expireAccessTokens();

    const results = await settleAll(range(5).map((i) => client.wire.request(`/api/items/${i}`)));

    expect(results).toEqual(
      range(5).map((i) => ({ ok: true, value: { status: 200, body: { id: String(i), user: 'alice' } } })),
    );
    expect(reasons).toEqual(['unauthenticated']);
    expect(server.stats.refreshes).toBe(0);
    expect(server.stats.logins).toBe(2);
    for (const i of range(5)) expect(statusesOf(server, `/api/items/${i}`)).toEqual([401, 200]);
    expect(client.session.getState()).toMatchObject({ status: 'signedIn', user: { sub: 'alice' } });
    expectCookiesOnly(tap);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('a late 401 (sent before the re-login, its 401 arriving after it) replays with the new cookie, no second prompt', async () => {
    const { server, tap, client } = await signedIn(adapter, { slide: false });
    let prompts = 0;
    client.session.onReauth(async () => {
      prompts += 1;
      const { user } = await login<SessionBody>(client);
      return { user };
    });
    server.controls.expireAccessTokens();
    // Sent with the old session, before the re-login; its answer (a 401) is held on the wire until the re-login
    // is over, so the order does not depend on the machine's load.
    const release = tap.hold('/api/slow');
    const slow = settleAll([client.wire.request('/api/slow?ms=20')]);
    await waitUntil(() => tap.requests.some((r) => r.path === '/api/slow'), 'the slow request on the wire');

    const fast = await settleAll([client.wire.request('/api/items/fast')]);
    expect(fast).toEqual([{ ok: true, value: { status: 200, body: { id: 'fast', user: 'alice' } } }]);
    expect(prompts).toBe(1);
    await waitUntil(() => tap.requests.some((r) => r.path === '/api/slow' && r.status === 401), 'its 401');
    release();

    expect(await slow).toEqual([{ ok: true, value: { status: 200, body: { user: 'alice' } } }]);
    expect(prompts).toBe(1);
    expect(server.stats.logins).toBe(2);
    expect(statusesOf(server, '/api/slow')).toEqual([401, 200]);
    expect(statusesOf(server, '/api/items/fast')).toEqual([401, 200]);
    const [fastReplay] = server.stats.requests.filter(
      (r) => r.path === '/api/items/fast' && r.status === 200,
    );
    const [slowReplay] = server.stats.requests.filter((r) => r.path === '/api/slow' && r.status === 200);
    expect(slowReplay?.tokenId).toBe(fastReplay?.tokenId);
    expect(client.eventsOf('requestReplayed').filter((event) => event.lateUnauthorized)).toEqual([
      expect.objectContaining({ url: `${tap.url}/api/slow?ms=20` }),
    ]);
    expectCookiesOnly(tap);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('signOut while requests wait on the prompt rejects each of them with SIGNED_OUT; none is sent again', async () => {
    const { server, tap, client } = await signedIn(adapter, { slide: false });
    let promptSignal: AbortSignal | undefined;
    client.session.onReauth(
      ({ signal }) =>
        new Promise((resolve) => {
          promptSignal = signal;
          signal.addEventListener('abort', () => resolve(null));
        }),
    );
    server.controls.expireAccessTokens();

    const pending = settleAll(range(3).map((i) => client.wire.request(`/api/items/${i}`)));
    await waitUntil(() => client.eventsOf('unauthorized').length === 3, 'three 401s seen by the adapter');
    expect(client.session.getState().status).toBe('reauthRequired');
    client.session.signOut();
    const results = await pending;

    expect(outcomes(results)).toEqual(['SIGNED_OUT', 'SIGNED_OUT', 'SIGNED_OUT']);
    expect(promptSignal?.aborted).toBe(true);
    expect(client.session.getState()).toMatchObject({ status: 'signedOut', user: null });
    for (const i of range(3)) expect(statusesOf(server, `/api/items/${i}`)).toEqual([401]);
    expect(server.stats.logins).toBe(1);
    expectCookiesOnly(tap);
    expect(sentMoreThanTwice(server)).toEqual({});
  });
});
