import { isAuthError, type RequestSigner } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dpopSetup } from './support/dpop';
import { finish, flushMicrotasks, track, url } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const never = () => new Promise<Record<string, string>>(() => {});

describe('every request settles while its proof is being made', () => {
  it('an abort while a signer never answers rejects the request with AbortError (no hang)', async () => {
    const { authFetch, signer, api } = dpopSetup();
    signer.sign = never;
    const controller = new AbortController();
    const pending = track(authFetch(url('/items'), { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(5);
    controller.abort();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pending.settled).toBe(true);
    expect((pending.error as Error)?.name).toBe('AbortError');
    expect(api.sends).toEqual([]);
  });

  it('an abort while a slow signer works rejects at once (in the abort task), as any wait does', async () => {
    const { authFetch, signer, api } = dpopSetup();
    signer.delayMs = 1_000;
    const controller = new AbortController();
    const pending = track(authFetch(url('/items'), { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(5);
    controller.abort();
    await flushMicrotasks();
    expect(pending.settled).toBe(true);
    expect((pending.error as Error)?.name).toBe('AbortError');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(api.sends).toEqual([]);
  });

  it('an abort while a replay is being signed rejects at once and sends nothing more', async () => {
    const { authFetch, signer, api } = dpopSetup();
    api.expireAccessTokens();
    const controller = new AbortController();
    const pending = track(authFetch(url('/items'), { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(5); // first send in flight
    signer.sign = never; // the replay's proof never comes
    await vi.advanceTimersByTimeAsync(100); // 401, refresh, replay being signed
    expect(api.refresh).toHaveBeenCalledTimes(1);
    controller.abort();
    await flushMicrotasks();
    expect(pending.settled).toBe(true);
    expect((pending.error as Error)?.name).toBe('AbortError');
    expect(api.sendsOf('/items')).toHaveLength(1);
  });

  it('a sign-out while a signer never answers settles the request (SIGNED_OUT), no hang', async () => {
    const { authFetch, signer, session } = dpopSetup();
    signer.sign = never;
    const pending = track(authFetch(url('/items')));
    await vi.advanceTimersByTimeAsync(5);
    session.signOut();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pending.settled).toBe(true);
  });

  it('a sign-out while a replay is being signed (never answered) rejects with SIGNED_OUT', async () => {
    const { authFetch, signer, api, session } = dpopSetup();
    api.expireAccessTokens();
    const pending = track(authFetch(url('/items')));
    await vi.advanceTimersByTimeAsync(5);
    signer.sign = never;
    await vi.advanceTimersByTimeAsync(100);
    session.signOut();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(pending.settled).toBe(true);
    expect(isAuthError(pending.error) && pending.error.code).toBe('SIGNED_OUT');
  });

  it('a signer that throws synchronously rejects the request with the [reauth] error, nothing sent', async () => {
    const { authFetch, signer, api } = dpopSetup();
    const cause = new Error('sync boom');
    signer.sign = () => {
      throw cause;
    };
    const error = await finish(authFetch(url('/items'))).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/\[reauth\] dpop could not sign GET/);
    expect((error as Error).cause).toBe(cause);
    expect(api.sends).toEqual([]);
  });

  it('a signer returning a plain object (no promise) works', async () => {
    const { authFetch, signer, api } = dpopSetup();
    const sign = signer.sign;
    let last: Record<string, string> = {};
    signer.sign = (send) => {
      void sign(send).then((p) => {
        last = p;
      });
      return { DPoP: JSON.stringify({ jti: 999, htm: 'GET', htu: url('/items'), ath: '' }) } as never;
    };
    void last;
    await finish(authFetch(url('/items')));
    expect(api.sendsOf('/items')[0]?.headers.dpop).toContain('"jti":999');
  });

  it('a signer that rejects on the replay rejects the request (no hang), one send', async () => {
    const { authFetch, signer, api } = dpopSetup();
    api.expireAccessTokens();
    const pending = track(authFetch(url('/items')));
    await vi.advanceTimersByTimeAsync(5);
    signer.failWith = new Error('gone');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pending.settled).toBe(true);
    expect((pending.error as Error).message).toMatch(/dpop could not sign/);
    expect(api.sendsOf('/items')).toHaveLength(1);
  });

  it('a signer resolving null/undefined headers: the request still settles', async () => {
    const { authFetch, signer } = dpopSetup();
    signer.sign = (async () => undefined) as unknown as RequestSigner['sign'];
    const pending = track(authFetch(url('/items')));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pending.settled).toBe(true);
  });
});
