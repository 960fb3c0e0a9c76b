import type { AuthEvent, AuthEventType } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, httpError, recordEvents, setup, T0, track } from './support/harness';
import { makeJwt } from './support/jwt';

// A clock of its own, apart from the fake timers, so `at` provably comes from the injected `now`.
let clock = 0;
const now = () => clock;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  clock = 1_700_000_000_000;
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const types = (events: AuthEvent[]) => events.map((event) => event.type);

function signedIn() {
  const harness = setup({ now });
  const events = recordEvents(harness.session);
  harness.session.signIn({ accessToken: 'access-1', refreshToken: 'refresh-1' });
  events.length = 0;
  return { ...harness, events };
}

async function refusedWith(handler?: () => Promise<{ accessToken: string } | null>) {
  const harness = signedIn();
  if (handler) harness.session.onReauth(handler);
  void track(harness.session.refresh());
  await flushMicrotasks();
  harness.call(0).reject(httpError(401));
  await flushMicrotasks();
  return harness;
}

describe('events', () => {
  it('emits signedIn with the user and expiry, and signedOut', () => {
    const { session } = setup({ now });
    const events = recordEvents(session);
    session.signIn({ accessToken: makeJwt({ sub: 'alice' }), expiresIn: 60 });
    session.signOut();
    expect(events).toEqual([
      { type: 'signedIn', at: clock, user: { sub: 'alice' }, expiresAt: clock + 60_000 },
      { type: 'signedOut', at: clock, error: null },
    ]);
  });

  it('emits refreshStart then refreshSuccess for a refresh, timed by the injected clock', async () => {
    const { session, call, events } = signedIn();
    const startedAt = clock;
    void track(session.refresh());
    await flushMicrotasks();
    clock += 250;
    call(0).resolve({ accessToken: 'access-2', expiresIn: 60 });
    await flushMicrotasks();
    expect(events).toEqual([
      { type: 'refreshStart', at: startedAt, waiting: expect.any(Number) },
      { type: 'refreshSuccess', at: startedAt + 250, expiresAt: startedAt + 250 + 60_000, durationMs: 250 },
    ]);
  });

  it('emits refreshStart then refreshFailure (not terminal) for a transient failure', async () => {
    const { session, call, events } = signedIn();
    void track(session.refresh());
    await flushMicrotasks();
    call(0).reject(httpError(503));
    await flushMicrotasks();
    expect(types(events)).toEqual(['refreshStart', 'refreshFailure']);
    expect(events[1]).toMatchObject({ terminal: false, error: { code: 'REFRESH_UNAVAILABLE' } });
  });

  it('emits refreshFailure (terminal) then signedOut with SESSION_EXPIRED when no handler is registered', async () => {
    const { events } = await refusedWith();
    expect(types(events)).toEqual(['refreshStart', 'refreshFailure', 'signedOut']);
    expect(events[1]).toMatchObject({ terminal: true, error: { code: 'SESSION_EXPIRED' } });
    expect(events[2]).toMatchObject({ error: { code: 'SESSION_EXPIRED' } });
  });

  it('emits reauthRequired, then signedIn and reauthResolved when the handler answers with tokens', async () => {
    const { events } = await refusedWith(async () => ({ accessToken: 'access-2' }));
    expect(types(events)).toEqual([
      'refreshStart',
      'refreshFailure',
      'reauthRequired',
      'signedIn',
      'reauthResolved',
    ]);
    expect(events[2]).toMatchObject({ reason: 'refresh_rejected' });
  });

  it('emits reauthRequired, reauthCancelled then signedOut when the handler gives up', async () => {
    const { events } = await refusedWith(async () => null);
    expect(types(events)).toEqual([
      'refreshStart',
      'refreshFailure',
      'reauthRequired',
      'reauthCancelled',
      'signedOut',
    ]);
    expect(events[3]).toMatchObject({ error: { code: 'REAUTH_CANCELLED' } });
    expect(events[4]).toMatchObject({ error: { code: 'REAUTH_CANCELLED' } });
  });

  it('gives every event a type and an `at` from the injected clock', async () => {
    const { session, call, events } = signedIn();
    void track(session.refresh());
    await flushMicrotasks();
    clock += 1_000;
    call(0).reject(httpError(401));
    await flushMicrotasks();
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(typeof event.type).toBe('string');
      expect([clock - 1_000, clock]).toContain(event.at);
    }
  });

  it('delivers only the chosen type with on(type), and every type with on("*")', async () => {
    const { session, call } = signedIn();
    const starts: AuthEventType[] = [];
    const all: AuthEventType[] = [];
    session.on('refreshStart', (event) => starts.push(event.type));
    session.on('*', (event) => all.push(event.type));
    void track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: 'access-2' });
    await flushMicrotasks();
    expect(starts).toEqual(['refreshStart']);
    expect(all).toEqual(['refreshStart', 'refreshSuccess']);
  });

  it('stops delivering after unsubscribe', () => {
    const { session } = setup({ now });
    const listener = vi.fn();
    const wildcard = vi.fn();
    const unsubscribe = session.on('signedIn', listener);
    const unsubscribeAll = session.on('*', wildcard);
    session.signIn({ accessToken: 'a' });
    unsubscribe();
    unsubscribeAll();
    session.signIn({ accessToken: 'b' });
    session.signOut();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(wildcard).toHaveBeenCalledTimes(1);
  });

  it('goes on when a listener throws: other listeners still hear, the session still works', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { session, call } = signedIn();
    session.on('*', () => {
      throw new Error('listener bug');
    });
    const heard: AuthEventType[] = [];
    session.on('*', (event) => heard.push(event.type));
    const waiter = track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: 'access-2' });
    await flushMicrotasks();
    expect(waiter.state).toBe('fulfilled');
    expect(heard).toEqual(['refreshStart', 'refreshSuccess']);
    expect(session.getState().status).toBe('signedIn');
    expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(/^\[reauth\]/), expect.any(Error));
  });
});

describe('no token in events or errors', () => {
  it('leaves every access and refresh token out of every event and every error message', async () => {
    const [access1, access2] = [makeJwt({ sub: 'alice', n: 1 }), makeJwt({ sub: 'alice', n: 2 })];
    const secrets = [
      access1,
      'refresh-secret-1',
      access2,
      'refresh-secret-2',
      'opaque-access-3',
      'refresh-3',
    ];
    const { session, call } = setup({ now });
    const events = recordEvents(session);
    const errors: unknown[] = [];
    const attempt = async (action: () => Promise<unknown>) => {
      const result = track(action());
      await flushMicrotasks();
      return result;
    };
    const collect = (result: { error: unknown }) => result.error !== undefined && errors.push(result.error);

    session.signIn({ accessToken: access1, refreshToken: 'refresh-secret-1' });
    let result = await attempt(() => session.refresh());
    call(0).resolve({ accessToken: access2, refreshToken: 'refresh-secret-2' });
    await flushMicrotasks();
    result = await attempt(() => session.refresh());
    call(1).reject(httpError(503));
    await flushMicrotasks();
    collect(result);
    result = await attempt(() => session.refresh());
    call(2).resolve({ refreshToken: 'refresh-secret-2', access_token: 42 } as never);
    await flushMicrotasks();
    collect(result);
    session.onReauth(async () => null);
    result = await attempt(() => session.refresh());
    call(3).reject(httpError(401));
    await flushMicrotasks();
    collect(result);
    session.signIn({ accessToken: 'opaque-access-3', refreshToken: 'refresh-3' });
    result = await attempt(() => session.refresh());
    session.signOut();
    await flushMicrotasks();
    collect(result);
    try {
      session.signIn({ accessToken: 'opaque-access-3', refreshToken: 3 as never });
    } catch (error) {
      errors.push(error);
    }

    expect(errors.map((e) => (e as { code?: string }).code ?? (e as Error).name)).toEqual([
      'REFRESH_UNAVAILABLE',
      'REFRESH_UNAVAILABLE',
      'REAUTH_CANCELLED',
      'SIGNED_OUT',
      'TypeError',
    ]);
    const messages = errors.flatMap((e) => [(e as Error).message, ((e as Error).cause as Error)?.message]);
    const seen = `${JSON.stringify(events)}\n${messages.join('\n')}`;
    for (const secret of secrets) expect(seen).not.toContain(secret);
  });
});
