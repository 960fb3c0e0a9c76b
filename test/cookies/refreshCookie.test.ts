import { isAuthError, type ReauthReason } from '@reauth/core';
import type { AccessTokenResponse } from '@reauth/msw';
import { CookieJar } from 'tough-cookie';
import { describe, expect, it } from 'vitest';
import { jtiOf, waitUntil } from '../support/setup';
import {
  ADAPTERS,
  type CookieClient,
  login,
  outcomes,
  refreshCookieClient,
  sentMoreThanTwice,
  settleAll,
  startCookieServer,
  startTap,
  statusesOf,
} from './support';

const range = (count: number) => Array.from({ length: count }, (_, i) => i);

/** Logs in through the API and signs the session in with the body: the refresh token stays in the jar. */
async function signIn(client: CookieClient, username = 'alice'): Promise<AccessTokenResponse> {
  const body = await login<AccessTokenResponse>(client, username);
  client.session.signIn(body);
  return body;
}

describe.each(ADAPTERS)('%s with cookies: refresh, a real cookie jar and a real server', (adapter) => {
  it('logs in through the API; a burst after the access tokens expire makes one refresh, rotates the cookie once, and every request succeeds', async () => {
    const server = await startCookieServer('refresh');
    const jar = new CookieJar();
    const client = refreshCookieClient(adapter, server.url, jar);

    const body = await signIn(client);
    expect(body).not.toHaveProperty('refreshToken');
    expect(await jar.getCookieString(`${server.url}/auth/refresh`)).toMatch(/^reauth_refresh=./);
    // Path=/auth: the refresh cookie never reaches the API.
    expect(await jar.getCookieString(`${server.url}/api/items`)).toBe('');
    server.controls.expireAccessTokens();

    const results = await settleAll(range(8).map((i) => client.wire.request(`/api/items/${i}`)));

    expect(results).toEqual(
      range(8).map((i) => ({ ok: true, value: { status: 200, body: { id: String(i), user: 'alice' } } })),
    );
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    expect(server.stats.reuseDetected).toBe(0);
    const current = jtiOf(await client.session.getAccessToken());
    for (const i of range(8)) {
      expect(server.stats.requests.filter((r) => r.path === `/api/items/${i}`)).toEqual([
        expect.objectContaining({ status: 401, hadToken: true }),
        expect.objectContaining({ status: 200, tokenId: current }),
      ]);
    }
    // The jar holds the rotated cookie: the next refresh presents it (a new id), and it is not a reuse.
    await client.session.refresh();
    const [first, second] = server.stats.refreshCalls;
    expect([first?.outcome, second?.outcome]).toEqual(['ok', 'ok']);
    expect(second?.tokenId).not.toBe(first?.tokenId);
    expect(server.stats.reuseDetected).toBe(0);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('a restarted process (the jar kept, the memory session gone) is signed in by restore() from the cookie alone', async () => {
    const server = await startCookieServer('refresh');
    const jar = new CookieJar();
    const before = refreshCookieClient(adapter, server.url, jar);
    await signIn(before);
    expect((await before.wire.request('/api/items/before')).status).toBe(200);

    const after = refreshCookieClient(adapter, server.url, jar);
    // On a server, nothing restores by itself.
    expect(after.session.getState().status).toBe('signedOut');
    await after.session.restore();

    expect(after.session.getState()).toMatchObject({
      status: 'signedIn',
      user: expect.objectContaining({ sub: 'alice' }),
      error: null,
    });
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    expect(await after.wire.request('/api/items/after')).toEqual({
      status: 200,
      body: { id: 'after', user: 'alice' },
    });
    expect(server.stats.requests.filter((r) => r.path === '/api/items/after')).toEqual([
      expect.objectContaining({ status: 200, tokenId: jtiOf(await after.session.getAccessToken()) }),
    ]);
    expect(server.stats.logins).toBe(1);
    expect(server.stats.refreshes).toBe(1);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('a refused restore ends signed out quietly, and a later 401 prompts at once without presenting the cookie again', async () => {
    const server = await startCookieServer('refresh');
    const jar = new CookieJar();
    await login(refreshCookieClient(adapter, server.url, jar));
    server.controls.revokeRefreshTokens();
    const client = refreshCookieClient(adapter, server.url, jar);

    await client.session.restore();

    expect(client.session.getState()).toMatchObject({ status: 'signedOut', error: null });
    expect(client.eventsOf('reauthRequired')).toEqual([]);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['rejected']);
    // The refused cookie was cleared by the server, and the jar dropped it.
    expect(await jar.getCookieString(`${server.url}/auth/refresh`)).toBe('');

    const reasons: ReauthReason[] = [];
    client.session.onReauth(async ({ reason }) => {
      reasons.push(reason);
      return login(client);
    });
    const results = await settleAll([client.wire.request('/api/items/later')]);

    expect(results).toEqual([{ ok: true, value: { status: 200, body: { id: 'later', user: 'alice' } } }]);
    expect(reasons).toEqual(['unauthenticated']);
    expect(server.stats.refreshes).toBe(1);
    expect(server.stats.logins).toBe(2);
    expect(server.stats.requests.filter((r) => r.path === '/api/items/later')).toEqual([
      expect.objectContaining({ status: 401, hadToken: false }),
      expect.objectContaining({ status: 200, hadToken: true }),
    ]);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('requests made before any sign-in, with a valid cookie in the jar: 401s, one silent refresh, replayed signed in', async () => {
    const server = await startCookieServer('refresh');
    const jar = new CookieJar();
    // An earlier process logged in: only its cookie is left.
    await login(refreshCookieClient(adapter, server.url, jar));
    const client = refreshCookieClient(adapter, server.url, jar);
    expect(client.session.getState().status).toBe('signedOut');

    const results = await settleAll(range(3).map((i) => client.wire.request(`/api/items/${i}`)));

    expect(outcomes(results)).toEqual(['ok', 'ok', 'ok']);
    expect(results.map((result) => result.ok && result.value.status)).toEqual([200, 200, 200]);
    expect(client.session.getState()).toMatchObject({
      status: 'signedIn',
      user: expect.objectContaining({ sub: 'alice' }),
    });
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    const current = jtiOf(await client.session.getAccessToken());
    for (const i of range(3)) {
      expect(server.stats.requests.filter((r) => r.path === `/api/items/${i}`)).toEqual([
        expect.objectContaining({ status: 401, hadToken: false }),
        expect.objectContaining({ status: 200, hadToken: true, tokenId: current }),
      ]);
    }
    expect(client.eventsOf('reauthRequired')).toEqual([]);
    expect(server.stats.reuseDetected).toBe(0);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('a revoked cookie opens the prompt with reason refresh_rejected; its login through the API resumes the whole queue', async () => {
    const server = await startCookieServer('refresh');
    const jar = new CookieJar();
    const client = refreshCookieClient(adapter, server.url, jar);
    await signIn(client);
    const reasons: ReauthReason[] = [];
    client.session.onReauth(async ({ reason }) => {
      reasons.push(reason);
      return login(client);
    });
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const results = await settleAll(range(4).map((i) => client.wire.request(`/api/items/${i}`)));

    expect(results).toEqual(
      range(4).map((i) => ({ ok: true, value: { status: 200, body: { id: String(i), user: 'alice' } } })),
    );
    expect(reasons).toEqual(['refresh_rejected']);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['rejected']);
    expect(server.stats.logins).toBe(2);
    const current = jtiOf(await client.session.getAccessToken());
    for (const i of range(4)) {
      expect(server.stats.requests.filter((r) => r.path === `/api/items/${i}`)).toEqual([
        expect.objectContaining({ status: 401 }),
        expect.objectContaining({ status: 200, tokenId: current }),
      ]);
    }
    // The prompt's login set a new cookie: the session refreshes with it.
    await client.session.refresh();
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['rejected', 'ok']);
    expect(server.stats.reuseDetected).toBe(0);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('a revoked cookie with no prompt registered rejects every waiting request with SESSION_EXPIRED and signs out', async () => {
    const server = await startCookieServer('refresh');
    const jar = new CookieJar();
    const client = refreshCookieClient(adapter, server.url, jar);
    await signIn(client);
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const results = await settleAll(range(3).map((i) => client.wire.request(`/api/items/${i}`)));

    expect(outcomes(results)).toEqual(['SESSION_EXPIRED', 'SESSION_EXPIRED', 'SESSION_EXPIRED']);
    expect(results.every((result) => !result.ok && isAuthError(result.error))).toBe(true);
    expect(client.session.getState().status).toBe('signedOut');
    expect(await client.session.getAccessToken()).toBeNull();
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['rejected']);
    for (const i of range(3)) expect(statusesOf(server, `/api/items/${i}`)).toEqual([401]);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('a transient refresh failure (500) keeps the session: the waiting requests reject, the next request refreshes', async () => {
    const server = await startCookieServer('refresh');
    const jar = new CookieJar();
    const client = refreshCookieClient(adapter, server.url, jar);
    await signIn(client);
    server.controls.expireAccessTokens();
    server.controls.failNextRefresh(1, 'server');
    // The failure is answered once both 401s are in: a 401 seen after it would (rightly) try a new refresh.
    server.controls.holdRefresh();

    const pending = settleAll(range(2).map((i) => client.wire.request(`/api/items/${i}`)));
    await waitUntil(
      () => client.eventsOf('unauthorized').length === 2 && server.stats.refreshes === 1,
      'both 401s waiting on the refresh',
    );
    server.controls.releaseRefresh();
    const failed = await pending;

    expect(outcomes(failed)).toEqual(['REFRESH_UNAVAILABLE', 'REFRESH_UNAVAILABLE']);
    expect(client.session.getState()).toMatchObject({
      status: 'signedIn',
      user: expect.objectContaining({ sub: 'alice' }),
    });
    expect(await jar.getCookieString(`${server.url}/auth/refresh`)).toMatch(/^reauth_refresh=./);

    const next = await settleAll([client.wire.request('/api/items/next')]);

    expect(next).toEqual([{ ok: true, value: { status: 200, body: { id: 'next', user: 'alice' } } }]);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['failed', 'ok']);
    expect(server.stats.reuseDetected).toBe(0);
    expect(statusesOf(server, '/api/items/0')).toEqual([401]);
    expect(statusesOf(server, '/api/items/1')).toEqual([401]);
    // The session knows its token was refused: the next request refreshes before it is sent.
    expect(statusesOf(server, '/api/items/next')).toEqual([200]);
    expect(sentMoreThanTwice(server)).toEqual({});
  });

  it('never sends the access token to a foreign origin that would accept it; its 401 is handed back, no refresh, no prompt', async () => {
    const server = await startCookieServer('refresh');
    // Another origin (same host, another port: the cookie jar's host-only cookies reach it too) that takes
    // this server's tokens, behind a tap that records whether an Authorization header arrived.
    const foreign = await startCookieServer('refresh', { acceptTokensOf: server });
    const tap = await startTap(foreign.url);
    const jar = new CookieJar();
    const client = refreshCookieClient(adapter, server.url, jar);
    await signIn(client);
    let prompts = 0;
    client.session.onReauth(async () => {
      prompts += 1;
      return null;
    });

    const [own, away] = await settleAll([
      client.wire.request('/api/items/own'),
      client.wire.request(`${tap.url}/api/items/away`),
    ]);

    expect(own).toEqual({ ok: true, value: { status: 200, body: { id: 'own', user: 'alice' } } });
    expect(away).toEqual({ ok: true, value: expect.objectContaining({ status: 401 }) });
    expect(tap.requests).toEqual([
      expect.objectContaining({ path: '/api/items/away', hadAuthorization: false }),
    ]);
    expect(foreign.stats.requests).toEqual([
      expect.objectContaining({ path: '/api/items/away', status: 401, hadToken: false }),
    ]);
    expect(server.stats.refreshes).toBe(0);
    expect(prompts).toBe(0);
    expect(client.session.getState().status).toBe('signedIn');
    // The foreign origin would have taken the token: what kept it away is the adapter, not the server.
    const token = await client.session.getAccessToken();
    const direct = await fetch(`${tap.url}/api/items/proof`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(direct.status).toBe(200);
    expect(tap.requests.at(-1)).toMatchObject({ path: '/api/items/proof', hadAuthorization: true });
    expect(sentMoreThanTwice(server)).toEqual({});
  });
});
