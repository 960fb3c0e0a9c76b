import { describe, expect, it } from 'vitest';
import { requestsTo, settle, waitUntil } from '../support/setup';
import { setupFetch } from './support';

describe('sign-out and abort while requests wait, with Node’s fetch against the real server', () => {
  it('rejects waiting requests with SIGNED_OUT and sends nothing more with a token', async () => {
    const { server, authFetch, session, signIn, url, eventsOf } = await setupFetch();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);

    const refused = settle(authFetch(url('/api/items/refused')));
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');
    const held = settle(authFetch(url('/api/items/held')));
    await waitUntil(() => eventsOf('requestQueued').length === 2, 'two requests waiting');
    session.signOut();

    for (const result of [await refused, await held]) {
      expect(result).toMatchObject({ ok: false, error: { code: 'SIGNED_OUT' } });
    }
    const after = await authFetch(url('/api/items/after'));
    expect(after.status).toBe(401);
    expect(requestsTo(server, '/api/items/held')).toEqual([]);
    expect(requestsTo(server, '/api/items/after')).toEqual([expect.objectContaining({ hadToken: false })]);
  });

  it('rejects an aborted waiting request with fetch’s AbortError; it is never sent; the refresh goes on', async () => {
    const { server, authFetch, session, signIn, url, eventsOf } = await setupFetch();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);

    const trigger = authFetch(url('/api/items/trigger'));
    await waitUntil(() => server.stats.refreshes === 1, 'the refresh reaching the server');
    const controller = new AbortController();
    const aborted = settle(authFetch(url('/api/items/aborted'), { signal: controller.signal }));
    await waitUntil(() => eventsOf('requestQueued').length === 2, 'two requests waiting');
    controller.abort();

    const result = await aborted;
    expect(session.getState().status).toBe('refreshing');
    expect(result).toMatchObject({ ok: false, error: { name: 'AbortError' } });
    expect(!result.ok && result.error).toBeInstanceOf(DOMException);
    expect(!result.ok && result.error).toBe(controller.signal.reason);
    expect((await trigger).status).toBe(200);
    expect(requestsTo(server, '/api/items/aborted')).toEqual([]);
    expect(server.stats.refreshes).toBe(1);
  });

  it('rejects a request aborted after its 401 with AbortError, without a replay', async () => {
    const { server, authFetch, session, signIn, url, eventsOf } = await setupFetch();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.delayRefresh(300);

    const controller = new AbortController();
    const aborted = settle(authFetch(url('/api/items/aborted'), { signal: controller.signal }));
    await waitUntil(() => eventsOf('requestQueued').length === 1, 'the refused request waiting');
    controller.abort();

    expect(await aborted).toMatchObject({ ok: false, error: { name: 'AbortError' } });
    await waitUntil(() => eventsOf('refreshSuccess').length === 1, 'the refresh landing');
    expect(session.getState().status).toBe('signedIn');
    expect(requestsTo(server, '/api/items/aborted').map((r) => r.status)).toEqual([401]);
  });
});
