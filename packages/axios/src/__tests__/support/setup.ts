import { type AttachAuthOptions, attachAuth } from '@reauth/axios';
import {
  type AuthEvent,
  type AuthEventOf,
  type AuthEventType,
  createSession,
  isAuthError,
  type ReauthHandler,
  type SessionOptions,
  type StorageLike,
  type TokensInput,
} from '@reauth/core';
import axios from 'axios';
import { expect, vi } from 'vitest';
import { createFakeApi, type IssuedTokens } from './fakeApi';

export const BASE_URL = 'https://api.test';

export interface SetupOptions {
  /** Default {@link BASE_URL}; null for an instance without one. */
  baseURL?: string | null;
  session?: SessionOptions;
  attach?: AttachAuthOptions;
  /** Sign in with tokens the fake API issued. Default true. */
  signedIn?: boolean;
  /** Give the session the fake API's `refresh`. Default true; false: every 401 goes to re-authentication. */
  silentRefresh?: boolean;
  api?: Parameters<typeof createFakeApi>[0];
}

/** A fake API, an axios instance on it with reauth attached, a signed-in session and its events. */
export function setup(options: SetupOptions = {}) {
  const { baseURL = BASE_URL, signedIn = true, silentRefresh = true } = options;
  const api = createFakeApi(options.api);
  const http = axios.create(baseURL === null ? { adapter: api.adapter } : { baseURL, adapter: api.adapter });
  const items = new Map<string, string>();
  const storage: StorageLike = {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
  const session = createSession({
    ...(silentRefresh && { refresh: api.refresh }),
    storage,
    ...options.session,
  });
  const events: AuthEvent[] = [];
  session.on('*', (event) => events.push(event));
  const detach = attachAuth(http, session, options.attach);
  let tokens: IssuedTokens | null = null;
  if (signedIn) {
    tokens = api.issueTokens();
    session.signIn(tokens);
  }
  const eventsOf = <T extends AuthEventType>(type: T) =>
    events.filter((event): event is AuthEventOf<T> => event.type === type);
  return { api, http, session, events, eventsOf, storage: items, detach, tokens: tokens as IssuedTokens };
}

/** The error a promise rejects with; fails the test if it fulfils. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, it fulfilled');
}

/** Watches a promise without awaiting it, so a test can check it is still pending. */
export function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown; rejected: boolean } = {
    settled: false,
    rejected: false,
  };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, rejected: true, error }),
  );
  return state;
}

/** No token string issued so far appears in `text`. */
export function expectNoSecretsIn(text: string, secrets: string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

export const bearer = (token: string) => `Bearer ${token}`;

/** The `code` of an AuthError, else the error itself (so a failed expectation shows what came instead). */
export const codeOf = (error: unknown) => (isAuthError(error) ? error.code : error);

/** A reauth handler the test answers when it chooses, as a user filling in a login modal. */
export function userPrompt() {
  const settle = { answer: (_: TokensInput | null) => {}, fail: (_: unknown) => {} };
  const handler = vi.fn<ReauthHandler>(
    () =>
      new Promise<TokensInput | null>((resolve, reject) => {
        Object.assign(settle, { answer: resolve, fail: reject });
      }),
  );
  return {
    handler,
    answer: (tokens: TokensInput | null) => settle.answer(tokens),
    fail: (error: unknown) => settle.fail(error),
  };
}
