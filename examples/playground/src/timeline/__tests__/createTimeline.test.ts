import { isAuthError } from '@reauth/core';
import { describe, expect, it, vi } from 'vitest';
import { diagnosed, holdRefresh, nextFrame, setup } from './support';

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );

describe('createTimeline', () => {
  it('draws 3 concurrent requests after expiry as 3 rows: a diagnosed 401, a wait, one refresh, a 200 replay each', async () => {
    const { http, timeline, server, signIn, expire } = setup();
    signIn();
    expire();
    const gate = holdRefresh(server);

    const sent = Promise.all(['/items/1', '/items/2', '/items/3'].map((path) => http.get(path)));
    await vi.waitFor(() => expect(diagnosed(timeline)).toBe(3));
    gate.resolve();
    await sent;

    const { requests, refreshes } = timeline.getSnapshot();
    expect(server.refreshes).toBe(1);
    expect(refreshes).toHaveLength(1);
    const [refresh] = refreshes;
    expect(refresh).toMatchObject({ outcome: 'ok', code: null });
    expect(requests.map((request) => request.path)).toEqual(['/items/1', '/items/2', '/items/3']);
    for (const request of requests) {
      expect(request).toMatchObject({ method: 'GET', outcome: 'ok', status: 200, code: null });
      expect(request.sends.map((send) => [send.status, send.replay])).toEqual([
        [401, false],
        [200, true],
      ]);
      expect(request.sends[0]?.diagnosis?.cause).toBe('expired_token');
      expect(request.sends[1]?.diagnosis).toBeNull();
      // It waited from its 401 until the refresh was over, then was replayed.
      expect(request.waits).toHaveLength(1);
      const [wait] = request.waits;
      expect(wait!.start).toBeGreaterThanOrEqual(request.sends[0]!.end!);
      expect(wait!.end).toBe(request.sends[1]!.start);
      expect(request.sends[1]!.start).toBeGreaterThan(refresh!.end!);
    }
  });

  it('shows 20 simultaneous 401s of one URL as 20 rows, one refresh and 20 replays, diagnosed as one group', async () => {
    const { http, timeline, server, signIn, expire } = setup();
    signIn();
    expire();
    const gate = holdRefresh(server);

    const sent = Promise.all(Array.from({ length: 20 }, () => http.get('/items')));
    await vi.waitFor(() => expect(diagnosed(timeline)).toBe(20));
    gate.resolve();
    await sent;

    const { requests, refreshes, diagnoses } = timeline.getSnapshot();
    expect(refreshes).toHaveLength(1);
    expect(requests).toHaveLength(20);
    expect(requests.every((request) => request.sends.length === 2 && request.status === 200)).toBe(true);
    expect(requests.every((request) => request.sends[0]?.diagnosis?.cause === 'expired_token')).toBe(true);
    expect(requests.every((request) => request.waits.length === 1 && request.waits[0]?.end !== null)).toBe(
      true,
    );
    expect(diagnoses).toEqual([expect.objectContaining({ cause: 'expired_token', count: 20 })]);
  });

  it('shows a request started during a refresh as one wait, then a single send with the new token', async () => {
    const { http, timeline, server, signIn, expire } = setup();
    signIn();
    expire();
    const gate = holdRefresh(server);
    const first = http.get('/first');
    await vi.waitFor(() => expect(timeline.getSnapshot().refreshes).toHaveLength(1));

    const later = http.get('/later');
    await vi.waitFor(() => {
      const row = timeline.getSnapshot().requests.find((request) => request.path === '/later');
      expect(row?.waits).toEqual([{ start: expect.any(Number), end: null }]);
    });
    expect(timeline.getSnapshot().requests[1]?.sends).toEqual([]);
    gate.resolve();
    await Promise.all([first, later]);

    const { requests, refreshes } = timeline.getSnapshot();
    const row = requests.find((request) => request.path === '/later')!;
    expect(row.sends.map((send) => [send.status, send.replay])).toEqual([[200, false]]);
    expect(row.waits[0]!.start).toBeGreaterThan(refreshes[0]!.start);
    expect(row.waits[0]!.end).toBe(row.sends[0]!.start);
    expect(row.outcome).toBe('ok');
  });

  it('shows a refused refresh: the prompt bar open, then cancelled, and the rows failed with REAUTH_CANCELLED', async () => {
    const { session, http, timeline, server, signIn, expire } = setup();
    signIn();
    expire();
    server.refuseRefresh = true;
    session.onReauth(() => new Promise(() => {}));

    const outcomes = Promise.all([settle(http.get('/a')), settle(http.get('/b'))]);
    await vi.waitFor(() => expect(timeline.getSnapshot().prompts).toHaveLength(1));
    const open = timeline.getSnapshot();
    expect(open.prompts[0]).toMatchObject({ outcome: 'open', end: null, reason: 'refresh_rejected' });
    expect(open.refreshes).toEqual([expect.objectContaining({ outcome: 'failed', terminal: true })]);
    expect(open.statuses.at(-1)).toMatchObject({ status: 'reauthRequired', end: null });
    expect(open.requests.every((request) => request.outcome === 'pending')).toBe(true);
    const late = settle(http.get('/c'));
    await vi.waitFor(() => expect(timeline.getSnapshot().requests[2]?.waits).toHaveLength(1)); // before its first send

    session.cancelReauth();
    const results = [...(await outcomes), await late];

    expect(results.every(({ error }) => isAuthError(error) && error.code === 'REAUTH_CANCELLED')).toBe(true);
    const { prompts, requests, statuses } = timeline.getSnapshot();
    expect(prompts).toEqual([expect.objectContaining({ outcome: 'cancelled', end: expect.any(Number) })]);
    expect(
      requests.map((request) => [request.path, request.outcome, request.code, request.sends.length]),
    ).toEqual([
      ['/a', 'failed', 'REAUTH_CANCELLED', 1],
      ['/b', 'failed', 'REAUTH_CANCELLED', 1],
      ['/c', 'failed', 'REAUTH_CANCELLED', 0],
    ]);
    expect(requests.every((request) => request.waits.every((wait) => wait.end !== null))).toBe(true);
    expect(statuses.map((span) => span.status)).toEqual([
      'signedOut',
      'signedIn',
      'refreshing',
      'reauthRequired',
      'signedOut',
    ]);
  });

  it('keeps only the last `limit` requests', async () => {
    const { http, timeline, signIn } = setup({ limit: 5 });
    signIn();
    for (let n = 1; n <= 8; n++) await http.get(`/n/${n}`);

    expect(timeline.getSnapshot().requests.map((request) => request.path)).toEqual([
      '/n/4',
      '/n/5',
      '/n/6',
      '/n/7',
      '/n/8',
    ]);
  });

  it('holds no token: not in URLs, diagnoses, events or error codes', async () => {
    const { session, http, timeline, server, signIn, expire } = setup();
    signIn();
    const token = await session.getAccessToken();
    await http.get(`/search?access_token=${token}&q=1`);
    expire();
    await Promise.all([http.get('/a'), http.get('/b')]);
    expire();
    server.refuseRefresh = true;
    await settle(http.get('/c'));

    const json = JSON.stringify(timeline.getSnapshot());
    expect(json).toContain('/search?…');
    expect(json).toContain('SESSION_EXPIRED');
    expect(json).not.toContain('SECRET');
  });

  it('notifies once per animation frame, not once per event, during a burst', async () => {
    const { session, http, timeline, server, signIn, expire } = setup();
    signIn();
    expire();
    const gate = holdRefresh(server);
    let events = 0;
    session.on('*', () => {
      events += 1;
    });
    let notifications = 0;
    timeline.subscribe(() => {
      notifications += 1;
    });

    const sent = Promise.all(Array.from({ length: 50 }, (_, n) => http.get(`/burst/${n}`)));
    await vi.waitFor(() => expect(diagnosed(timeline)).toBe(50));
    gate.resolve();
    await sent;
    await nextFrame();

    expect(events).toBeGreaterThan(150);
    expect(notifications).toBeGreaterThan(0);
    expect(notifications).toBeLessThan(events / 10);
  });

  it('hands out the same snapshot until something changes, and empties on clear()', async () => {
    const { http, timeline, signIn } = setup();
    signIn();
    await http.get('/one');
    const before = timeline.getSnapshot();
    expect(timeline.getSnapshot()).toBe(before);

    timeline.clear();

    const after = timeline.getSnapshot();
    expect(after).not.toBe(before);
    expect(after.requests).toEqual([]);
    expect(after.statuses).toEqual([expect.objectContaining({ status: 'signedIn', end: null })]);
  });

  it('stops recording after dispose()', async () => {
    const { http, timeline, signIn } = setup();
    signIn();
    timeline.dispose();
    await http.get('/after');
    expect(timeline.getSnapshot().requests).toEqual([]);
  });
});
