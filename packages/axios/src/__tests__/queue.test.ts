import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, codeOf, rejection, setup, track } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('requests started while a refresh runs', () => {
  it('waits for the refresh and is sent once, with the new token', async () => {
    const { api, http, eventsOf } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const first = http.get('/a');
    await vi.advanceTimersByTimeAsync(20); // the 401 is in, the refresh runs

    const waiting = track(http.get('/b'));
    await vi.advanceTimersByTimeAsync(50);
    expect(waiting.settled).toBe(false);
    expect(api.sendsOf('/b')).toHaveLength(0);
    expect(eventsOf('requestQueued').map((e) => e.url)).toContain('https://api.test/b');

    await vi.advanceTimersByTimeAsync(100);
    await first;
    expect(waiting.rejected).toBe(false);
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.sendsOf('/b')).toEqual([
      expect.objectContaining({ status: 200, authorization: bearer(api.lastIssued().accessToken) }),
    ]);
  });

  it('counts the waiting requests in requestQueued', async () => {
    const { api, http, eventsOf } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const all = [http.get('/a')];
    await vi.advanceTimersByTimeAsync(20);
    all.push(http.get('/b'), http.get('/c'));
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all(all);

    const queued = eventsOf('requestQueued');
    expect(queued.map((e) => [e.url, e.waiting])).toEqual([
      ['https://api.test/a', 1],
      ['https://api.test/b', 2],
      ['https://api.test/c', 3],
    ]);
  });
});

describe('signIn() while requests wait for a refresh', () => {
  it('sends them with the signed-in tokens and discards the refresh result that lands afterwards', async () => {
    const { api, http, session } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const waiting = Promise.all([http.get('/a'), http.get('/b')]);
    await vi.advanceTimersByTimeAsync(20);

    const signedIn = api.issueTokens();
    session.signIn(signedIn);
    await vi.advanceTimersByTimeAsync(200);
    await waiting;

    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.lastIssued()).not.toBe(signedIn); // the refresh did land, later
    expect(await session.getAccessToken()).toBe(signedIn.accessToken);
    for (const url of ['/a', '/b'])
      expect(api.sendsOf(url)[1]?.authorization).toBe(bearer(signedIn.accessToken));
  });
});

describe('signOut() while requests wait', () => {
  it('rejects every waiting request with SIGNED_OUT and discards the refresh that lands afterwards', async () => {
    const { api, http, session, storage } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const afterUnauthorized = rejection(http.get('/a'));
    await vi.advanceTimersByTimeAsync(20);
    const beforeSending = rejection(http.get('/b'));
    await vi.advanceTimersByTimeAsync(10);
    const sentSoFar = api.sends.length;

    session.signOut();
    const errors = await Promise.all([afterUnauthorized, beforeSending]);
    expect(errors.map(codeOf)).toEqual(['SIGNED_OUT', 'SIGNED_OUT']);

    await vi.advanceTimersByTimeAsync(200); // the refresh lands now
    expect(api.refresh).toHaveBeenCalledTimes(1);
    expect(api.secrets()).toHaveLength(4); // the refresh did issue new tokens
    expect(session.getState().status).toBe('signedOut');
    expect(await session.getAccessToken()).toBeNull();
    expect(storage.size).toBe(0);
    expect(api.sends).toHaveLength(sentSoFar);
  });

  it('sends nothing with a token after the sign-out', async () => {
    const { api, http, session } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(100);
    const waiting = [rejection(http.get('/a')), rejection(http.get('/b'))];
    await vi.advanceTimersByTimeAsync(20);
    session.signOut();
    await Promise.all(waiting);
    const signedOutAt = api.sends.length;

    const later = rejection(http.get('/c'));
    await vi.advanceTimersByTimeAsync(300);
    await later;

    expect(api.sends.length).toBeGreaterThan(signedOutAt);
    expect(api.sends.slice(signedOutAt).map((s) => s.authorization)).toEqual([null]);
  });

  it('a replay decided just before a sign-out is not sent: it rejects with SIGNED_OUT', async () => {
    const { api, http, session } = setup();
    api.expireAccessTokens();
    const signedOutAt: number[] = [];
    session.on('requestReplayed', () => {
      session.signOut();
      signedOutAt.push(api.sends.length);
    });

    const done = http.get('/a').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(200);

    expect(signedOutAt).toEqual([1]);
    expect(codeOf(await done)).toBe('SIGNED_OUT');
    expect(api.sends).toHaveLength(1);
  });
});
