import {
  type AuthEvent,
  type AuthEventOf,
  type AuthEventType,
  isAuthError,
  type ReauthHandler,
  type Session,
  type TokensInput,
} from '@reauth/core';
import { expect, vi } from 'vitest';

// Helpers shared by the adapter tests (packages/axios, packages/fetch): nothing here knows the transport.

/** Every event the session emits from now on, and a typed filter over them. */
export function recordEvents(session: Session) {
  const events: AuthEvent[] = [];
  session.on('*', (event) => events.push(event));
  const eventsOf = <T extends AuthEventType>(type: T) =>
    events.filter((event): event is AuthEventOf<T> => event.type === type);
  return { events, eventsOf };
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
