import { type CookieRefreshContext, createSession } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asReactNative, asyncStorage, restoreGlobals } from './support/asyncStorage';
import { stubBroadcastChannel } from './support/fakeChannel';
import { memoryStorage } from './support/harness';
import { inProcessLock } from './support/inProcessLock';
import { makeJwt } from './support/jwt';
import { unauthorized } from './support/unauthorized';

/**
 * A rotating refresh cookie with reuse detection, over a network with latency: the server rotates the cookie
 * when the request reaches it (`serverMs`), the browser stores the new cookie when the response arrives
 * (`responseMs`) — unless the request was aborted by then (a cancelled fetch never sees its Set-Cookie).
 */
function cookieJar({ serverMs = 5, responseMs = 300 } = {}) {
  const jar = { cookie: 'c0', serial: 0, spent: new Set<string>(), reused: 0, calls: 0, aborted: 0 };
  const refresh = vi.fn(
    ({ signal }: CookieRefreshContext) =>
      new Promise<{ accessToken: string; expiresIn: number }>((resolve, reject) => {
        jar.calls += 1;
        const presented = jar.cookie;
        let verdict: { ok: true; next: string } | { ok: false } | null = null;
        setTimeout(() => {
          if (jar.spent.has(presented)) {
            jar.reused += 1;
            verdict = { ok: false };
            return;
          }
          jar.spent.add(presented);
          jar.serial += 1;
          verdict = { ok: true, next: `c${jar.serial}` };
        }, serverMs);
        signal.addEventListener('abort', () => {
          jar.aborted += 1;
          reject(signal.reason);
        });
        setTimeout(() => {
          if (signal.aborted || !verdict) return;
          if (!verdict.ok) {
            reject(Object.assign(new Error('invalid_grant'), { status: 400 }));
            return;
          }
          jar.cookie = verdict.next; // Set-Cookie, seen only by a response that arrived
          resolve({ accessToken: makeJwt({ sub: 'alice', n: jar.serial }), expiresIn: 300 });
        }, responseMs);
      }),
  );
  /** A login: a new cookie family. */
  const login = () => {
    jar.serial += 1;
    jar.cookie = `c${jar.serial}`;
    return { accessToken: makeJwt({ sub: 'alice', n: jar.serial }), expiresIn: 300 };
  };
  return { jar, refresh, login };
}

afterEach(restoreGlobals);

describe("review: cookies: 'refresh', restoring in an app", () => {
  beforeEach(asReactNative);

  it('a restoring refresh that outlives refreshTimeoutMs gets the grace period: its answer is adopted, the request not aborted', async () => {
    const { jar, refresh } = cookieJar({ responseMs: 1_500 });
    const session = createSession({
      cookies: 'refresh',
      refresh,
      crossTab: false,
      refreshTimeoutMs: 1_000,
    });
    await vi.advanceTimersByTimeAsync(1_000);
    // Restoring may end here (the user waits on it), but DESIGN: "REFRESH_TIMEOUT releases the waiters, not the
    // refresh: the refresh call gets a grace period (another refreshTimeoutMs) to land, and if it does its tokens
    // are adopted".
    await vi.advanceTimersByTimeAsync(1_000);
    expect(jar.aborted).toBe(0);
    expect(session.getState().status).toBe('signedIn');
    // What the abort costs with a rotating cookie: the server rotated c0, the browser kept it, the next 401
    // presents the spent cookie and trips reuse detection.
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const replay = unauthorized(session).catch(() => {});
    await vi.advanceTimersByTimeAsync(4_000);
    await replay;
    expect(jar.reused).toBe(0);
  });

  it('offline at start-up: no refresh is sent; back online, the session restores (the cookie was good)', async () => {
    const { jar, refresh: online } = cookieJar({ responseMs: 10 });
    // Offline, fetch fails at once with a network error.
    // Offline, fetch fails at once with a network error (and counts as a call).
    const refresh = vi.fn((context: CookieRefreshContext) => {
      if ((globalThis.navigator as { onLine?: boolean }).onLine !== false) return online(context);
      jar.calls += 1;
      return Promise.reject(new TypeError('Network request failed'));
    });
    let notify: (signal?: 'online' | 'offline' | 'foreground') => void = () => {};
    vi.stubGlobal('navigator', { product: 'ReactNative', onLine: false });
    const session = createSession({
      cookies: 'refresh',
      refresh,
      crossTab: false,
      wake: (given) => {
        notify = given;
        return () => {};
      },
    });
    await vi.advanceTimersByTimeAsync(50);
    // DESIGN (Offline): "while the device is known to be offline ... a refresh is not attempted".
    expect(jar.calls).toBe(0);
    vi.stubGlobal('navigator', { product: 'ReactNative', onLine: true });
    notify('online');
    await vi.advanceTimersByTimeAsync(50);
    expect(session.getState().status).toBe('signedIn');
  });
});

describe("review: cookies: 'refresh', a new tab while another holds the session", () => {
  beforeEach(() => {
    asReactNative();
    stubBroadcastChannel();
  });

  it('with an asynchronous storage, a new tab asks the open tabs before the silent refresh (README: "after asking the open tabs")', async () => {
    const { jar, refresh, login } = cookieJar();
    const { lock } = inProcessLock();
    const common = { cookies: 'refresh' as const, refresh, crossTab: { lock }, storageKey: 'k1' };
    const open = createSession({ ...common, storage: memoryStorage() });
    await vi.advanceTimersByTimeAsync(200); // the first tab asked (no one), restored (the jar's c0 cookie)...
    await vi.advanceTimersByTimeAsync(400);
    open.signIn(login()); // ...and a sign-in: the session of every tab
    const callsBefore = jar.calls;
    const fresh = createSession({ ...common, storage: asyncStorage().storage });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fresh.getState().status).toBe('signedIn');
    expect(jar.calls - callsBefore).toBe(0); // the open tab handed the session over
    expect(jar.aborted).toBe(0);
  });

  it('a busy open tab answers after the ask: the in-flight cookie refresh is not cancelled (its Set-Cookie would be lost)', async () => {
    const { jar, refresh, login } = cookieJar({ responseMs: 300 });
    const { lock } = inProcessLock();
    const common = { cookies: 'refresh' as const, refresh, crossTab: { lock }, storageKey: 'k2' };
    const open = createSession({ ...common, storage: memoryStorage() });
    await vi.advanceTimersByTimeAsync(1_000);
    open.signIn(login());
    await vi.advanceTimersByTimeAsync(10);
    const Channel = globalThis.BroadcastChannel as unknown as { delayMs: number };
    Channel.delayMs = 80; // the open tab is busy: its answer comes after the new tab's 100 ms ask
    const fresh = createSession({ ...common, storage: memoryStorage() });
    await vi.advanceTimersByTimeAsync(1_000);
    Channel.delayMs = 0;
    expect(fresh.getState().status).toBe('signedIn');
    expect(jar.aborted).toBe(0);
    // The cost: the server rotated the cookie the cancelled request presented; the jar still holds it.
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    open.onReauth(async () => null);
    const replay = unauthorized(open).catch(() => {});
    await vi.advanceTimersByTimeAsync(2_000);
    await replay;
    expect(jar.reused).toBe(0);
  });
});
