import {
  type AuthError,
  type AuthEvent,
  createSession,
  type RefreshContext,
  type Session,
  type SessionOptions,
  type StorageLike,
  type TokensInput,
} from '@reauth/core';
import { vi } from 'vitest';

/** The fake clock's start: every test's `Date.now()` (and so the injected `now`) begins here. */
export const T0 = Date.UTC(2030, 0, 1);

export interface RefreshCall extends RefreshContext {
  resolve(tokens: TokensInput): void;
  reject(error: unknown): void;
}

/** A `refresh` option whose calls stay pending until the test resolves or rejects them. */
export function controlledRefresh() {
  const calls: RefreshCall[] = [];
  const refresh = vi.fn(
    ({ refreshToken, signal }: RefreshContext) =>
      new Promise<TokensInput>((resolve, reject) => {
        calls.push({ refreshToken, signal, resolve, reject });
      }),
  );
  function call(index: number): RefreshCall {
    const found = calls[index];
    if (!found) throw new Error(`refresh was called ${calls.length} time(s), not ${index + 1}`);
    return found;
  }
  return { refresh, calls, call };
}

export type MemoryStorage = StorageLike & { items: Map<string, string> };

export function memoryStorage(initial: Record<string, string> = {}): MemoryStorage {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** A session on the fake clock with a controlled refresh and an inspectable storage. */
export function setup(options: SessionOptions = {}) {
  const control = controlledRefresh();
  const storage = memoryStorage();
  const session = createSession({
    refresh: control.refresh,
    storage,
    now: () => Date.now(),
    refreshTimeoutMs: 1_000,
    ...options,
  });
  return { session, storage, ...control };
}

export interface Tracked<T> {
  readonly state: 'pending' | 'fulfilled' | 'rejected';
  readonly value: T | undefined;
  readonly error: unknown;
}

/** Follows a promise's outcome without awaiting it (and without leaving a rejection unhandled). */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked: { state: Tracked<T>['state']; value: T | undefined; error: unknown } = {
    state: 'pending',
    value: undefined,
    error: undefined,
  };
  promise.then(
    (value) => Object.assign(tracked, { state: 'fulfilled', value }),
    (error: unknown) => Object.assign(tracked, { state: 'rejected', error }),
  );
  return tracked;
}

/** Lets pending promise chains run, without moving the fake clock. */
export async function flushMicrotasks(): Promise<void> {
  for (let turn = 0; turn < 50; turn++) await Promise.resolve();
}

/** Lets pending promise chains run (a macrotask turn on the fake clock, no time passes). */
export const settle = () => vi.advanceTimersByTimeAsync(0);

export function recordEvents(session: Session): AuthEvent[] {
  const events: AuthEvent[] = [];
  session.on('*', (event) => events.push(event));
  return events;
}

/** An error shaped like an HTTP client's: `status` (fetch-like) or `response.status` (axios-like). */
export function httpError(status: number, shape: 'status' | 'response' = 'response'): Error {
  const error = new Error(`Request failed with status code ${status}`);
  return Object.assign(error, shape === 'status' ? { status } : { response: { status } });
}

/** The AuthError a tracked promise rejected with; throws (failing the test) when it did not reject. */
export function rejection(tracked: Tracked<unknown> | undefined): AuthError {
  if (tracked?.state !== 'rejected')
    throw new Error(`expected a rejection, got ${tracked?.state ?? 'nothing'}`);
  return tracked.error as AuthError;
}
