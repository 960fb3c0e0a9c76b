import {
  type CookieSessionInput,
  createSession,
  type Session,
  type SessionBaseOptions,
  type TokensInput,
} from '@reauth/core';
import fc from 'fast-check';
import type { ModelSetup, SessionModel } from './authModel';

/** How a session of a run calls the model's refresh endpoint through its transport (null: no token in JS). */
export type RefreshCall = (refreshToken: string | null, signal: AbortSignal) => Promise<unknown>;

/**
 * A session of the run's model, refreshing through `call`: `createSession` with no `cookies`, with
 * `cookies: 'refresh'`, or with `cookies: 'session'` (a sliding-session `refresh` only when `isSliding`; every
 * other one of its refreshes resolves with nothing, the user kept, instead of `{ user }`).
 * @param onViolation hears of a `refresh` given a refresh token in a cookie model (JS never holds one there)
 * @example const session = createModelSession(setup, client.refresh, { refreshTimeoutMs }, (what) => violations.push(what));
 */
export function createModelSession(
  { sessionModel, isSliding }: ModelSetup,
  call: RefreshCall,
  options: SessionBaseOptions,
  onViolation: (what: string) => void,
): Session {
  if (sessionModel === 'tokens') {
    return createSession({
      ...options,
      refresh: ({ refreshToken, signal }) => call(refreshToken, signal) as Promise<TokensInput>,
    });
  }
  const cookieCall = ({ refreshToken, signal }: { refreshToken: string | null; signal: AbortSignal }) => {
    if (refreshToken !== null)
      onViolation(`refresh was given a refresh token with cookies: '${sessionModel}'`);
    return call(null, signal);
  };
  if (sessionModel === 'refresh') {
    return createSession({
      ...options,
      cookies: 'refresh',
      refresh: (context) => cookieCall(context) as Promise<TokensInput>,
    });
  }
  let slides = 0;
  const slide = async (context: { refreshToken: null; signal: AbortSignal }) => {
    slides += 1;
    const answersUser = slides % 2 === 1;
    const answer = (await cookieCall(context)) as CookieSessionInput;
    return answersUser ? answer : undefined;
  };
  return createSession({ ...options, cookies: 'session', ...(isSliding ? { refresh: slide } : {}) });
}

/**
 * The setup of a run in `sessionModel`: fast-check chooses whether a cookie session slides.
 * @example fc.asyncProperty(setupArb('session'), …)
 */
export function setupArb(sessionModel: SessionModel): fc.Arbitrary<ModelSetup> {
  return fc.record({
    sessionModel: fc.constant(sessionModel),
    isSliding: sessionModel === 'session' ? fc.boolean() : fc.constant(true),
  });
}
