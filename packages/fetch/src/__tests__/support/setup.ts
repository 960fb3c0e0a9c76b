import {
  type AuthEvent,
  type AuthEventOf,
  type AuthEventType,
  createSession,
  isAuthError,
  type ReauthHandler,
  type SessionOptions,
  type TokensInput,
} from '@reauth/core';
import { type CreateAuthFetchOptions, createAuthFetch } from '@reauth/fetch';
import { expect, vi } from 'vitest';
import { API, createFakeFetch, type IssuedTokens } from './fakeFetch';

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
  const events: AuthEvent[] = [];
  session.on('*', (event) => events.push(event));
  const authFetch = createAuthFetch(session, { fetch: api.fetch, allowedOrigins: [API], ...options.auth });
  let tokens: IssuedTokens | null = null;
  if (signedIn) {
    tokens = api.issueTokens();
    session.signIn(tokens);
  }
  const eventsOf = <T extends AuthEventType>(type: T) =>
    events.filter((event): event is AuthEventOf<T> => event.type === type);
  return { api, authFetch, session, events, eventsOf, tokens: tokens as IssuedTokens };
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

export const bearer = (token: string) => `Bearer ${token}`;
export const url = (path: string) => `${API}${path}`;

/** The `code` of an AuthError, else the error itself. */
export const codeOf = (error: unknown) => (isAuthError(error) ? error.code : error);

/** No token string issued so far appears in `text`. */
export function expectNoSecretsIn(text: string, secrets: string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** A reauth handler the test answers when it chooses, as a user filling in a login modal. */
export function userPrompt() {
  const settle = { answer: (_: TokensInput | null) => {} };
  const handler = vi.fn<ReauthHandler>(
    () =>
      new Promise<TokensInput | null>((resolve) => {
        settle.answer = resolve;
      }),
  );
  return { handler, answer: (tokens: TokensInput | null) => settle.answer(tokens) };
}
