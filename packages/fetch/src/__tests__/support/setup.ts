import { createSession, type SessionOptions } from '@reauth/core';
import { type CreateAuthFetchOptions, createAuthFetch } from '@reauth/fetch';
import { vi } from 'vitest';
import { recordEvents, track } from '#test-support/model/helpers';
import { API, createFakeFetch, type IssuedTokens } from './fakeFetch';

export * from '#test-support/model/helpers';

export interface SetupOptions {
  session?: SessionOptions;
  /** Options of createAuthFetch; `fetch` defaults to the fake API, `allowedOrigins` to [API]. */
  auth?: CreateAuthFetchOptions;
  /** Sign in with tokens the fake API issued. Default true. */
  signedIn?: boolean;
  /** Give the session the fake API's `refresh`. Default true. */
  silentRefresh?: boolean;
  api?: Parameters<typeof createFakeFetch>[0];
}

/** A fake API, an authFetch on it, a signed-in session and its events. */
export function setup(options: SetupOptions = {}) {
  const { signedIn = true, silentRefresh = true } = options;
  const api = createFakeFetch(options.api);
  const session = createSession({ ...(silentRefresh && { refresh: api.refresh }), ...options.session });
  const { events, eventsOf } = recordEvents(session);
  const authFetch = createAuthFetch(session, { fetch: api.fetch, allowedOrigins: [API], ...options.auth });
  let tokens: IssuedTokens | null = null;
  if (signedIn) {
    tokens = api.issueTokens();
    session.signIn(tokens);
  }
  return { api, authFetch, session, events, eventsOf, tokens: tokens as IssuedTokens };
}

/** Lets pending promise callbacks run without moving the clock. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** Runs `promise` to its end, moving fake time as needed. */
export async function finish<T>(promise: Promise<T>, ms = 1_000): Promise<T> {
  const state = track(promise);
  await vi.advanceTimersByTimeAsync(ms);
  if (!state.settled) throw new Error(`still pending after ${ms} ms`);
  return promise;
}

export const url = (path: string) => `${API}${path}`;
