import type { Claims, CookieSessionInput, SessionStatus, TokensInput } from '@reauth/core';
import {
  type Auth,
  AuthProvider,
  type AuthProviderProps,
  type ReauthPrompt,
  RequireAuth,
  useAuth,
  useReauthPrompt,
} from '@reauth/react';
import type { ReactNode } from 'react';
import { describe, expectTypeOf, it } from 'vitest';

// Checked by `tsc` (the @ts-expect-error lines fail the typecheck if they compile); the hooks are never
// called: only their types are.

describe('types', () => {
  it('infers the selected slice of useAuth(selector), and the whole Auth without one', () => {
    expectTypeOf(() => useAuth()).returns.toEqualTypeOf<Auth>();
    const select = <T,>(selector: (auth: Auth) => T) => (() => useAuth(selector)) as () => T;
    expectTypeOf(select((auth) => auth.status)).returns.toEqualTypeOf<SessionStatus>();
    expectTypeOf(select((auth) => auth.user)).returns.toEqualTypeOf<Claims | null>();
    expectTypeOf(select((auth) => auth.hasRole('admin'))).returns.toEqualTypeOf<boolean>();
    expectTypeOf(select((auth) => auth.user?.sub)).returns.toEqualTypeOf<string | undefined>();
    expectTypeOf(select((auth) => ({ id: auth.user?.sub, ok: auth.isAuthenticated }))).returns.toEqualTypeOf<{
      id: string | undefined;
      ok: boolean;
    }>();
    // DESIGN's session models: with cookies: 'session', signIn takes { user? } or nothing.
    expectTypeOf(select((auth) => auth.signIn)).returns.toEqualTypeOf<
      (tokens?: TokensInput | CookieSessionInput) => void
    >();
    // @ts-expect-error a selector reads only what Auth has
    select((auth) => auth.accessToken);
    // @ts-expect-error a selector takes the Auth object, not a string
    select((auth: string) => auth);
  });

  it('types the prompt and the components', () => {
    expectTypeOf(useReauthPrompt).returns.toEqualTypeOf<ReauthPrompt>();
    // DESIGN's step-up (issue 18) adds 'step_up'.
    expectTypeOf<ReauthPrompt['reason']>().toEqualTypeOf<
      'refresh_rejected' | 'no_refresh_token' | 'unauthenticated' | 'step_up' | null
    >();
    expectTypeOf<ReauthPrompt['acrValues']>().toEqualTypeOf<string[]>();
    expectTypeOf<ReauthPrompt['maxAge']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ReauthPrompt['complete']>()
      .parameter(0)
      .toEqualTypeOf<TokensInput | CookieSessionInput | undefined>();
    expectTypeOf(AuthProvider).parameter(0).toEqualTypeOf<AuthProviderProps>();
    expectTypeOf(RequireAuth).returns.toEqualTypeOf<ReactNode>();
    // @ts-expect-error role is a string
    <RequireAuth role={['admin']}>page</RequireAuth>;
  });
});
