import { type AnySessionOptions, type CookieRefreshContext, createSession, type Session } from '@reauth/core';
import { vi } from 'vitest';
import { memoryStorage } from './harness';
import { inProcessLock } from './inProcessLock';
import { makeJwt } from './jwt';

// Two tabs of one origin sharing a cookie jar, for the refreshes another tab's sign-in supersedes
// (cookieEdges_superseded*.test.ts): `refresh` records the cookie each call presents and waits for the test.

let keys = 0;

/** Two tabs sharing one cookie jar; `refresh` records the cookie each call presents and waits for the test. */
export function twoTabs(cookies: 'refresh' | 'session') {
  const jar = { cookie: 'c1' };
  const presented: string[] = [];
  const answers: { resolve(value: unknown): void; reject(error: unknown): void }[] = [];
  const refresh = vi.fn(
    (_context: CookieRefreshContext) =>
      new Promise<never>((resolve, reject) => {
        presented.push(jar.cookie);
        answers.push({ resolve: resolve as (value: unknown) => void, reject });
      }),
  );
  const { lock } = inProcessLock();
  const storageKey = `superseded-${++keys}`;
  const open = (): Session =>
    createSession({
      cookies,
      refresh,
      storage: memoryStorage(),
      storageKey,
      now: () => Date.now(),
      refreshTimeoutMs: 1_000,
      crossTab: { lock },
    } as AnySessionOptions);
  const login = (cookie: string) => {
    jar.cookie = cookie; // the login answer's Set-Cookie, before the app calls signIn
    return cookies === 'session'
      ? { user: { sub: 'alice' } }
      : { accessToken: makeJwt({ sub: 'alice', cookie }), expiresIn: 300 };
  };
  return { tabs: [open(), open()] as const, jar, presented, answers, login };
}

export const refused = () => Object.assign(new Error('invalid_grant'), { status: 400 });

/** Lets the lock's grant (a microtask chain) run, without moving the clock. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
