import { describe, expect, it } from 'vitest';
import { requestsTo, startServer } from '../support/setup';
import { setupFetch } from './support';

describe('responses handed back as they are, by Node’s fetch against the real server', () => {
  it('resolves a 403 untouched: no refresh, no unauthorized event', async () => {
    const { server, authFetch, signIn, url, eventsOf } = await setupFetch();
    await signIn('alice');

    const response = await authFetch(url('/api/admin'));

    expect(response.status).toBe(403);
    expect(server.stats.refreshes).toBe(0);
    expect(eventsOf('unauthorized')).toEqual([]);
  });

  it('hands back a 401 insufficient_scope, readable, without a refresh', async () => {
    const { server, authFetch, signIn, url, eventsOf } = await setupFetch();
    await signIn('alice');

    const response = await authFetch(url('/api/scoped'));

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
    expect(server.stats.refreshes).toBe(0);
    expect(eventsOf('unauthorized').map((e) => [e.handled, e.diagnosis.cause])).toEqual([
      [false, 'insufficient_scope'],
    ]);
  });

  it('hands back the 401 of a skipAuth login with a wrong password: no token, no refresh, no prompt', async () => {
    const { server, authFetch, session, signIn, url } = await setupFetch();
    await signIn();
    let prompts = 0;
    session.onReauth(async () => {
      prompts += 1;
      return null;
    });
    const body = JSON.stringify({ username: 'alice', password: 'wrong' });

    const response = await authFetch(url('/auth/login'), { method: 'POST', body, skipAuth: true });

    expect(response.status).toBe(401);
    expect(server.stats.failedLogins).toBe(1);
    expect([server.stats.refreshes, prompts]).toEqual([0, 0]);
    expect(session.getState().status).toBe('signedIn');
  });

  it('sends no token to a server whose origin is not allowed, and hands its 401 back', async () => {
    const { server, authFetch, signIn } = await setupFetch();
    await signIn();
    const other = await startServer();

    const response = await authFetch(`${other.url}/api/items`);

    expect(response.status).toBe(401);
    expect(requestsTo(other, '/api/items')).toEqual([expect.objectContaining({ hadToken: false })]);
    expect([server.stats.refreshes, other.stats.refreshes]).toEqual([0, 0]);
  });

  it('hands back a replay that is 401 again: sent twice, one refresh', async () => {
    let expire = () => {};
    const { server, authFetch, signIn, url, eventsOf } = await setupFetch({ afterRefresh: () => expire() });
    expire = () => server.controls.expireAccessTokens();
    await signIn();
    server.controls.expireAccessTokens();

    const response = await authFetch(url('/api/items/again'));

    expect(response.status).toBe(401);
    expect(requestsTo(server, '/api/items/again').map((r) => r.status)).toEqual([401, 401]);
    expect(server.stats.refreshes).toBe(1);
    expect(eventsOf('unauthorized').map((e) => e.handled)).toEqual([true, false]);
  });

  it('with maxRetries 2, joins a new refresh when the replay is refused with a current token', async () => {
    let refreshes = 0;
    let expire = () => {};
    const { server, authFetch, signIn, url } = await setupFetch({
      auth: { maxRetries: 2 },
      afterRefresh: () => {
        refreshes += 1;
        if (refreshes === 1) expire();
      },
    });
    expire = () => server.controls.expireAccessTokens();
    await signIn();
    server.controls.expireAccessTokens();

    const response = await authFetch(url('/api/items/thrice'));

    expect(response.status).toBe(200);
    expect(requestsTo(server, '/api/items/thrice').map((r) => r.status)).toEqual([401, 401, 200]);
    expect(server.stats.reuseDetected).toBe(0);
  });
});
