import { createAuthorizer, createEventLog, type Session, type Ticket } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushMicrotasks, httpError, setup, T0, track } from './support/harness';
import { jwtExpiringIn } from './support/jwt';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const ACCESS = jwtExpiringIn(600, T0);
const REFRESH = 'refresh-secret-1';

function signedIn() {
  const harness = setup();
  harness.session.signIn({ accessToken: ACCESS, refreshToken: REFRESH });
  return harness;
}

/** A refresh refused with a terminal error and no prompt: refreshFailure + signedOut, both with an AuthError. */
async function refuseRefresh(session: Session, call: ReturnType<typeof setup>['call']) {
  void track(session.refresh());
  await flushMicrotasks();
  call(0).reject(
    Object.assign(httpError(400), { config: { data: JSON.stringify({ refreshToken: REFRESH }) } }),
  );
  await flushMicrotasks();
}

describe('createEventLog', () => {
  it('keeps every event in order, numbered and timestamped by the session clock', async () => {
    const { session, call } = setup({ now: () => Date.now() + 5 });
    const log = createEventLog(session);
    session.signIn({ accessToken: ACCESS, refreshToken: REFRESH });
    await vi.advanceTimersByTimeAsync(1_000);
    void track(session.refresh());
    await flushMicrotasks();
    call(0).resolve({ accessToken: jwtExpiringIn(600, T0 + 1_000), refreshToken: 'refresh-secret-2' });
    await flushMicrotasks();

    expect(log.entries()).toEqual([
      expect.objectContaining({ seq: 1, type: 'signedIn', at: T0 + 5 }),
      expect.objectContaining({ seq: 2, type: 'refreshStart', at: T0 + 1_005 }),
      expect.objectContaining({ seq: 3, type: 'refreshSuccess', at: T0 + 1_005 }),
    ]);
  });

  it('keeps only the last `size` entries, dropping the oldest', () => {
    const { session } = setup();
    const log = createEventLog(session, { size: 3 });
    for (let i = 0; i < 5; i++) {
      session.signIn({ accessToken: ACCESS, refreshToken: REFRESH });
      session.signOut();
    }

    expect(log.entries().map((entry) => [entry.seq, entry.type])).toEqual([
      [8, 'signedOut'],
      [9, 'signedIn'],
      [10, 'signedOut'],
    ]);
  });

  it('turns errors into { code, message } so the entries survive JSON.stringify, with no token in them', async () => {
    const { session, call } = signedIn();
    const log = createEventLog(session);
    await refuseRefresh(session, call);

    const json = JSON.stringify(log.entries());
    const parsed = JSON.parse(json);

    expect(parsed).toEqual(log.entries());
    expect(parsed.map((entry: { type: string }) => entry.type)).toEqual([
      'refreshStart',
      'refreshFailure',
      'signedOut',
    ]);
    expect(parsed[1].error).toEqual({ code: 'SESSION_EXPIRED', message: expect.stringContaining('sign in') });
    expect(parsed[2].error).toEqual({ code: 'SESSION_EXPIRED', message: expect.any(String) });
    expect(json).not.toContain(REFRESH);
    expect(json).not.toContain(ACCESS);
    expect(json).not.toContain(ACCESS.split('.')[1]);
  });

  it('keeps a null error as null (a plain sign-out)', () => {
    const { session } = signedIn();
    const log = createEventLog(session);
    session.signOut();
    expect(log.entries()).toEqual([{ seq: 1, type: 'signedOut', at: T0, error: null }]);
  });

  it("logs a 401's diagnosis and a redacted URL", () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { session } = signedIn();
    const log = createEventLog(session);
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const ticket = authorizer.authorize({ url: `/items?access_token=${ACCESS}` }) as Ticket;

    track(
      authorizer.handleUnauthorized(ticket, {
        status: 401,
        headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
        requestHeaders: { Authorization: `Bearer ${ACCESS}` },
        shouldRefresh: false,
      }),
    );

    expect(log.entries()).toEqual([
      expect.objectContaining({
        type: 'unauthorized',
        url: 'https://api.example.test/items?access_token=[redacted]',
        diagnosis: { cause: 'insufficient_scope', hint: expect.any(String) },
      }),
    ]);
    expect(JSON.stringify(log.entries())).not.toContain(ACCESS.split('.')[1]);
  });

  it('hands out the same array until an entry is added or the log cleared (a useSyncExternalStore snapshot)', () => {
    const { session } = setup();
    const log = createEventLog(session);
    const empty = log.entries();
    expect(log.entries()).toBe(empty);

    session.signIn({ accessToken: ACCESS });
    const one = log.entries();
    expect(one).not.toBe(empty);
    expect(log.entries()).toBe(one);
    session.signOut();
    expect(one).toHaveLength(1); // an earlier snapshot is never changed
    expect(log.entries()).toHaveLength(2);
  });

  it('tells subscribers of every new entry and of clear(), and stops after unsubscribe', () => {
    const { session } = setup();
    const log = createEventLog(session);
    const listener = vi.fn();
    const unsubscribe = log.subscribe(listener);

    session.signIn({ accessToken: ACCESS });
    log.clear();
    expect(listener).toHaveBeenCalledTimes(2);
    expect(log.entries()).toEqual([]);
    unsubscribe();
    session.signOut();

    expect(listener).toHaveBeenCalledTimes(2);
    expect(log.entries()).toEqual([expect.objectContaining({ seq: 2, type: 'signedOut' })]);
  });

  it('keeps telling other subscribers when one throws', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { session } = setup();
    const log = createEventLog(session);
    const after = vi.fn();
    log.subscribe(() => {
      throw new Error('broken panel');
    });
    log.subscribe(after);

    session.signIn({ accessToken: ACCESS });

    expect(after).toHaveBeenCalledTimes(1);
    expect(session.getState().status).toBe('signedIn');
  });

  it('stops logging after dispose(), keeping what it has', () => {
    const { session } = setup();
    const log = createEventLog(session);
    session.signIn({ accessToken: ACCESS });
    log.dispose();
    session.signOut();

    expect(log.entries().map((entry) => entry.type)).toEqual(['signedIn']);
  });

  it.each([
    ['no session', () => createEventLog(undefined as unknown as Session)],
    ['a size of 0', () => createEventLog(setup().session, { size: 0 })],
    ['a fractional size', () => createEventLog(setup().session, { size: 2.5 })],
    [
      'a size that is not a number',
      () => createEventLog(setup().session, { size: '10' as unknown as number }),
    ],
    ['a listener that is not a function', () => createEventLog(setup().session).subscribe(null as never)],
  ])('throws a TypeError for %s', (_, misuse) => {
    expect(misuse).toThrow(TypeError);
    expect(misuse).toThrow(/^\[reauth\] .*expected/);
  });
});
