import type { SessionOptions } from '@reauth/core';
import { describe, expect, it } from 'vitest';
import { createClient, jtiOf, requestsTo, settle, setup, startServer } from '../support/setup';

// A 2 s token: the default leeway (30 s) is capped at half its lifetime, 1 s.
const accessTokenTtlMs = 2_000;

// The session's clock and the server's move together, so both agree on when the token expires.
async function setupWithClock(session: Omit<SessionOptions, 'refresh' | 'now'> = {}) {
  let offsetMs = 0;
  const harness = await setup({
    server: { accessTokenTtlMs },
    session: { ...session, now: () => Date.now() + offsetMs },
  });
  const advanceClock = (ms: number) => {
    offsetMs += ms;
    harness.server.controls.advanceClock(ms);
  };
  return { ...harness, advanceClock };
}

describe('refreshing ahead of expiry', () => {
  it('refreshes before sending when the token is inside the capped default leeway, so the API sees no 401', async () => {
    const { server, api, session, signIn, advanceClock, events } = await setupWithClock();
    const first = await signIn();
    advanceClock(1_200);

    const response = await api.get('/api/items/1');

    expect(response.status).toBe(200);
    const newJti = jtiOf(await session.getAccessToken());
    expect(newJti).not.toBe(jtiOf(first.accessToken));
    expect(requestsTo(server, '/api/items/1')).toEqual([
      expect.objectContaining({ status: 200, tokenId: newJti }),
    ]);
    expect(server.stats.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(server.stats.refreshes).toBe(1);
    expect(events.map((e) => e.type)).not.toContain('unauthorized');
  });

  it('refreshes once ahead of expiry for 10 concurrent requests, each sent once with the new token', async () => {
    const { server, api, session, signIn, advanceClock } = await setupWithClock();
    await signIn();
    advanceClock(1_200);
    const ids = Array.from({ length: 10 }, (_, i) => String(i + 1));

    const responses = await Promise.all(ids.map((id) => api.get(`/api/items/${id}`)));

    expect(responses.map((r) => r.status)).toEqual(ids.map(() => 200));
    expect(server.stats.refreshes).toBe(1);
    const newJti = jtiOf(await session.getAccessToken());
    expect(server.stats.requests).toHaveLength(10);
    expect(server.stats.requests.every((r) => r.status === 200 && r.tokenId === newJti)).toBe(true);
  });

  it('sends the still-valid token when the refresh ahead of expiry fails transiently', async () => {
    const { server, api, session, signIn, advanceClock } = await setupWithClock();
    const first = await signIn();
    advanceClock(1_200);
    server.controls.failNextRefresh(1, 'server');

    const response = await api.get('/api/items/1');

    expect(response.status).toBe(200);
    expect(requestsTo(server, '/api/items/1')).toEqual([
      expect.objectContaining({ status: 200, tokenId: jtiOf(first.accessToken) }),
    ]);
    expect(server.stats.refreshCalls.map((call) => call.outcome)).toEqual(['failed']);
    expect(session.getState().status).toBe('signedIn');
  });

  it('sends the token as it is while it is outside the leeway', async () => {
    const { server, api, signIn, advanceClock } = await setupWithClock();
    const first = await signIn();
    advanceClock(300);

    await api.get('/api/items/1');

    expect(requestsTo(server, '/api/items/1')).toEqual([
      expect.objectContaining({ status: 200, tokenId: jtiOf(first.accessToken) }),
    ]);
    expect(server.stats.refreshes).toBe(0);
  });

  it('refreshes only after a 401 with refreshLeewayMs 0', async () => {
    const { server, api, signIn, advanceClock } = await setupWithClock({ refreshLeewayMs: 0 });
    const first = await signIn();
    advanceClock(1_200);

    await api.get('/api/items/1');
    expect(server.stats.refreshes).toBe(0);
    server.controls.expireAccessTokens();
    await api.get('/api/items/2');

    expect(requestsTo(server, '/api/items/1')).toEqual([
      expect.objectContaining({ status: 200, tokenId: jtiOf(first.accessToken) }),
    ]);
    expect(requestsTo(server, '/api/items/2').map((r) => r.status)).toEqual([401, 200]);
    expect(server.stats.refreshes).toBe(1);
  });

  it('sends a request with a token when the token enters the leeway while axios runs its interceptors', async () => {
    // A clock that moves 1 ms on every read, started k ms before the leeway begins: for some k the token
    // enters the leeway between two reads made while axios prepares one request, as a real clock can.
    const server = await startServer();
    const outcomes: string[] = [];
    for (let k = 0; k <= 20; k++) {
      let time = Date.now();
      let isTicking = false;
      const { api, signIn } = createClient(server, {
        session: { now: () => (isTicking ? ++time : time) },
      });
      await signIn();
      time += 30_000 - k; // a 60 s token: the default leeway is its last 30 s
      isTicking = true;
      const result = await settle(api.get(`/api/items/k${k}`));
      isTicking = false;
      outcomes.push(`k=${k}: ${result.ok ? result.value.status : String(result.error)}`);
    }

    expect(outcomes.filter((outcome) => !outcome.endsWith(': 200'))).toEqual([]);
    expect(server.stats.requests.filter((r) => !r.hadToken)).toEqual([]);
  });
});
