import {
  AuthError,
  type AuthEvent,
  type AuthEventOf,
  type Claims,
  createSession,
  type Diagnosis,
  isAuthError,
  type ReauthReason,
  type SessionState,
  type TokensInput,
} from '@reauth/core';
import { describe, expectTypeOf, it } from 'vitest';

// Checked by `tsc` (the @ts-expect-error lines fail the typecheck if they compile); the runtime part only
// registers listeners that never fire.

type EventName =
  | 'signedIn'
  | 'signedOut'
  | 'refreshStart'
  | 'refreshSuccess'
  | 'refreshFailure'
  | 'reauthRequired'
  | 'reauthResolved'
  | 'reauthCancelled'
  | 'requestQueued'
  | 'requestReplayed'
  | 'unauthorized';

describe('types', () => {
  it('narrows the event to its type in on(type, listener)', () => {
    const session = createSession();
    session.on('refreshFailure', (event) => {
      expectTypeOf(event).toEqualTypeOf<AuthEventOf<'refreshFailure'>>();
      expectTypeOf(event.type).toEqualTypeOf<'refreshFailure'>();
      expectTypeOf(event.error).toEqualTypeOf<AuthError>();
      expectTypeOf(event.terminal).toEqualTypeOf<boolean>();
      expectTypeOf(event.at).toEqualTypeOf<number>();
    });
    session.on('unauthorized', (event) => {
      expectTypeOf(event.diagnosis).toEqualTypeOf<Diagnosis>();
      expectTypeOf(event.url).toEqualTypeOf<string>();
      expectTypeOf(event.method).toEqualTypeOf<string>();
      expectTypeOf(event.handled).toEqualTypeOf<boolean>();
    });
    session.on('reauthRequired', (event) => {
      expectTypeOf(event.reason).toEqualTypeOf<ReauthReason>();
      expectTypeOf(event.waiting).toEqualTypeOf<number>();
    });
    session.on('signedOut', (event) => expectTypeOf(event.error).toEqualTypeOf<AuthError | null>());
    session.on('refreshSuccess', (event) => {
      // @ts-expect-error a refreshSuccess carries no error
      void event.error;
    });
    // @ts-expect-error not an event type
    session.on('refreshFailed', () => {});
    expectTypeOf(session.on('signedIn', () => {})).toEqualTypeOf<() => void>();
  });

  it("gives on('*') the union of every event, told apart by type", () => {
    const session = createSession();
    session.on('*', (event) => {
      expectTypeOf(event).toEqualTypeOf<AuthEvent>();
      expectTypeOf(event.type).toEqualTypeOf<EventName>();
      expectTypeOf(event.at).toEqualTypeOf<number>();
      if (event.type === 'requestQueued') expectTypeOf(event.waiting).toEqualTypeOf<number>();
    });
    expectTypeOf(session.on('*', () => {})).toEqualTypeOf<() => void>();
  });

  it('types AuthError code as the union of the five codes, and isAuthError as a guard', () => {
    // DESIGN's step-up (issue 18) adds STEP_UP_CANCELLED and STEP_UP_REQUIRED to the five.
    expectTypeOf<AuthError['code']>().toEqualTypeOf<
      | 'SESSION_EXPIRED'
      | 'REAUTH_CANCELLED'
      | 'SIGNED_OUT'
      | 'REFRESH_TIMEOUT'
      | 'REFRESH_UNAVAILABLE'
      | 'STEP_UP_CANCELLED'
      | 'STEP_UP_REQUIRED'
    >();
    expectTypeOf<AuthError>().toExtend<Error>();
    expectTypeOf<AuthError['cause']>().toEqualTypeOf<unknown>();
    expectTypeOf(isAuthError).guards.toEqualTypeOf<AuthError>();
    const misuse = () => {
      // @ts-expect-error not a code
      new AuthError('EXPIRED');
    };
    expectTypeOf(misuse).toBeFunction();
  });

  it('types getState(): the status union, and no token in the state', () => {
    const state = createSession().getState();
    expectTypeOf(state).toEqualTypeOf<SessionState>();
    expectTypeOf(state.status).toEqualTypeOf<
      'restoring' | 'signedOut' | 'signedIn' | 'refreshing' | 'reauthRequired'
    >();
    expectTypeOf(state.user).toEqualTypeOf<Claims | null>();
    expectTypeOf(state.expiresAt).toEqualTypeOf<number | null>();
    expectTypeOf(state.error).toEqualTypeOf<AuthError | null>();
    expectTypeOf<keyof SessionState>().toEqualTypeOf<'status' | 'user' | 'expiresAt' | 'error'>();
  });

  it('types the session methods', () => {
    const session = createSession();
    expectTypeOf(session.getAccessToken).returns.toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(session.refresh).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(session.signOut).returns.toEqualTypeOf<void>();
    expectTypeOf(session.onReauth).returns.toEqualTypeOf<() => void>();
    expectTypeOf(session.subscribe).returns.toEqualTypeOf<() => void>();
  });

  it('accepts the OAuth 2.0 token-response names and refuses a bare token string', () => {
    expectTypeOf({ access_token: 'a', refresh_token: 'r', expires_in: 3600 }).toExtend<TokensInput>();
    expectTypeOf({ accessToken: 'a', refreshToken: null, expiresAt: 1 }).toExtend<TokensInput>();
    expectTypeOf<'a-token'>().not.toExtend<TokensInput>();
    const session = createSession();
    const misuse = () => {
      // @ts-expect-error signIn takes an object
      session.signIn('a-token');
      // @ts-expect-error refresh must return a promise of tokens
      createSession({ refresh: () => 'a-token' });
    };
    expectTypeOf(misuse).toBeFunction();
  });
});
