import type { AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import type { RefreshFn } from '../support/setup';
import { requestsTo, settle, setup } from '../support/setup';

const cases = [
  { method: 'post', kind: 'JSON', data: { b: 2, a: [1, 'ü'], nested: { ok: true } } },
  { method: 'put', kind: 'JSON', data: { b: 2, a: [1, 'ü'], nested: { ok: true } } },
  { method: 'post', kind: 'string', data: 'plain text, not JSON: ü & = ?' },
  { method: 'put', kind: 'string', data: 'plain text, not JSON: ü & = ?' },
] as const;

describe('replays against the real server', () => {
  it.each(cases)(
    'replays $method with a $kind body byte for byte, with its content type and x-custom',
    async ({ method, data }) => {
      const { server, api, signIn } = await setup();
      await signIn();
      const send = () => api.request({ method, url: '/api/echo', data, headers: { 'x-custom': 'kept' } });
      const direct: AxiosResponse = await send();
      server.controls.expireAccessTokens();

      const replayed = await send();

      expect(replayed.status).toBe(200);
      expect(replayed.data).toEqual(direct.data);
      expect(replayed.data).toMatchObject({ method: method.toUpperCase(), custom: 'kept' });
      const [firstSend, refused, replay] = requestsTo(server, '/api/echo');
      expect(refused).toMatchObject({ status: 401, body: firstSend?.body });
      expect(replay).toMatchObject({ status: 200, body: firstSend?.body });
      expect(server.stats.refreshes).toBe(1);
    },
  );

  it("leaves the caller's config object untouched through a replay", async () => {
    const { server, api, signIn } = await setup();
    await signIn();
    server.controls.expireAccessTokens();
    const config = { method: 'post', url: '/api/echo', data: { a: 1 }, headers: { 'x-custom': 'kept' } };
    const before = structuredClone(config);

    const response = await api.request(config);

    expect(response.data).toMatchObject({ body: '{"a":1}', custom: 'kept' });
    expect(requestsTo(server, '/api/echo').map((r) => r.status)).toEqual([401, 200]);
    expect(config).toStrictEqual(before);
    expect(Object.getOwnPropertySymbols(config)).toEqual([]);
  });

  it('rejects a replay that is 401 again with that 401, sending the request only twice', async () => {
    // The server expires tokens right as the refresh lands, so the replay's token is refused too.
    let expireAfterRefresh = (): void => {};
    const { server, api, signIn, eventsOf } = await setup({
      wrapRefresh:
        (refresh): RefreshFn =>
        async (context) => {
          const tokens = await refresh(context);
          expireAfterRefresh();
          return tokens;
        },
    });
    expireAfterRefresh = () => server.controls.expireAccessTokens();
    await signIn();
    server.controls.expireAccessTokens();

    const result = await settle(api.get('/api/items/again'));

    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ error: { isAxiosError: true, response: { status: 401 } } });
    expect(requestsTo(server, '/api/items/again').map((r) => r.status)).toEqual([401, 401]);
    expect(server.stats.refreshes).toBe(1);
    expect(eventsOf('unauthorized').map((e) => e.handled)).toEqual([true, false]);
  });

  it('with maxRetries 2, joins a new refresh when a replay is refused while its token is still current', async () => {
    let refreshCount = 0;
    let expireAfterFirstRefresh = (): void => {};
    const { server, api, signIn } = await setup({
      attach: { maxRetries: 2 },
      wrapRefresh:
        (refresh): RefreshFn =>
        async (context) => {
          const tokens = await refresh(context);
          refreshCount += 1;
          if (refreshCount === 1) expireAfterFirstRefresh();
          return tokens;
        },
    });
    expireAfterFirstRefresh = () => server.controls.expireAccessTokens();
    await signIn();
    server.controls.expireAccessTokens();

    const response = await api.get('/api/items/thrice');

    expect(response.status).toBe(200);
    expect(requestsTo(server, '/api/items/thrice').map((r) => r.status)).toEqual([401, 401, 200]);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok', 'ok']);
    expect(server.stats.reuseDetected).toBe(0);
  });

  it('hands the 401 to the caller without a refresh when maxRetries is 0', async () => {
    const { server, api, signIn } = await setup({ attach: { maxRetries: 0 } });
    await signIn();
    server.controls.expireAccessTokens();

    const result = await settle(api.get('/api/items/1'));

    expect(result).toMatchObject({ ok: false, error: { response: { status: 401 } } });
    expect(requestsTo(server, '/api/items/1')).toHaveLength(1);
    expect(server.stats.refreshes).toBe(0);
  });

  it('never intercepts the refresh call itself when it answers 400', async () => {
    const { server, api, session, signIn } = await setup();
    await signIn();
    server.controls.expireAccessTokens();
    server.controls.revokeRefreshTokens();

    const result = await settle(api.get('/api/items/1'));

    expect(result).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['rejected']);
    expect(requestsTo(server, '/api/items/1')).toHaveLength(1);
    expect(session.getState().status).toBe('signedOut');
  });

  it('never intercepts a skipAuth refresh call that answers 401', async () => {
    // A refresh endpoint that demands a token it is never given: /api/items answers 401 without one.
    const { server, api, session, signIn, eventsOf } = await setup({
      wrapRefresh: () => async () => (await api.get('/api/items', { skipAuth: true })).data,
    });
    await signIn();
    server.controls.expireAccessTokens();

    const result = await settle(api.get('/api/items/1'));

    expect(result).toMatchObject({ ok: false, error: { code: 'SESSION_EXPIRED' } });
    expect(requestsTo(server, '/api/items')).toEqual([
      expect.objectContaining({ status: 401, hadToken: false }),
    ]);
    expect(requestsTo(server, '/api/items/1')).toHaveLength(1);
    expect(eventsOf('unauthorized').map((e) => e.handled)).toEqual([true, false]);
    expect(session.getState().status).toBe('signedOut');
  });
});
