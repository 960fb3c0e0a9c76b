import {
  type AnySessionOptions,
  type CookieSessionInput,
  createSession,
  type Session,
  type TokensInput,
} from '@reauth/core';
import { describe, expectTypeOf, it } from 'vitest';

// Checked by `tsc`: `refresh`'s argument is typed by the session model the literal names, with no annotation
// (the @ts-expect-error lines fail the typecheck if they compile). The runtime part only builds sessions.

const tokens: TokensInput = { accessToken: 'a1', expiresIn: 60 };

describe('the session models, typed', () => {
  it('gives refresh a string refresh token by default, null with cookies', () => {
    createSession({
      refresh: async ({ refreshToken, signal }) => {
        expectTypeOf(refreshToken).toEqualTypeOf<string>();
        expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
        return tokens;
      },
    });
    createSession({
      cookies: 'refresh',
      refresh: async ({ refreshToken }) => {
        expectTypeOf(refreshToken).toEqualTypeOf<null>();
        return tokens;
      },
    });
    createSession({
      cookies: 'session',
      refresh: async ({ refreshToken }) => {
        expectTypeOf(refreshToken).toEqualTypeOf<null>();
      },
    });
    createSession({ cookies: 'session', refresh: async () => ({ user: { sub: 'alice' } }) });
  });

  it('requires refresh with a refresh cookie, and refuses a model it does not know', () => {
    // @ts-expect-error — cookies: 'refresh' needs a refresh function
    expectTypeOf(() => createSession({ cookies: 'refresh' })).toBeFunction();
    // @ts-expect-error — no such model
    expectTypeOf(() => createSession({ cookies: 'jar' })).toBeFunction();
  });

  it('takes options of any model from a variable', () => {
    const options: AnySessionOptions = Math.random() > 2 ? { cookies: 'session' } : {};
    createSession(options);
  });

  it('signIn takes tokens, a cookie session user, or nothing', () => {
    const session = createSession({ cookies: 'session' });
    session.signIn();
    session.signIn({ user: { sub: 'alice' } });
    expectTypeOf(session.signIn).parameter(0).toEqualTypeOf<CookieSessionInput | undefined>();
  });

  it('keeps the default model to tokens: signIn() and a cookie session user are compile errors there', () => {
    const session = createSession({ refresh: async () => tokens });
    // @ts-expect-error — the default model needs tokens
    expectTypeOf(() => session.signIn()).toBeFunction();
    // @ts-expect-error — a cookie session's input is not tokens
    expectTypeOf(() => session.signIn({ user: { sub: 'alice' } })).toBeFunction();
    expectTypeOf(session.signIn).parameter(0).toEqualTypeOf<TokensInput>();
  });

  it('a session of any model (what adapters and bindings take) signs in with either', () => {
    const any: Session = createSession({ cookies: 'session' });
    any.signIn();
    any.signIn(tokens);
    const refreshCookie: Session = createSession({ cookies: 'refresh', refresh: async () => tokens });
    refreshCookie.signIn(tokens);
  });
});

describe('the msw kit and the session models, typed together', () => {
  it("takes the kit's cookie-session login body as it is", async () => {
    const { createMockAuthServer } = await import('@reauth/msw');
    const kit = createMockAuthServer({ baseUrl: 'https://api.example.test', cookies: 'session' });
    const session = createSession({ cookies: 'session' });
    session.signIn(await kit.controls.issueTokens('alice'));
    expectTypeOf(session.getState().user).toEqualTypeOf<import('@reauth/core').Claims | null>();
  });
});
