// One tab of an app: a session shared with the other tabs (memory storage, BroadcastChannel, Web Locks) and
// fetch through createAuthFetch, against the real test server of the same origin.
import { type AuthEvent, createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';

const events: AuthEvent['type'][] = [];
const refreshes: string[] = [];
const warnings: string[] = [];
// `?timeout=ms` sets refreshTimeoutMs: a test of a lock never released can't wait out the 15 s default.
const timeout = Number(new URLSearchParams(location.search).get('timeout'));
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  warnings.push(args.join(' '));
  warn(...args);
};
const session = createSession({
  refresh: async ({ refreshToken, signal }) => {
    refreshes.push(new Date().toISOString());
    const response = await authFetch('/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
      signal,
      skipAuth: true,
    });
    if (!response.ok) throw response;
    return response.json();
  },
  autoRefresh: false, // the test decides when tokens expire: the server says so, the clock does not
  ...(timeout ? { refreshTimeoutMs: timeout } : {}),
});
session.on('*', (event) => void events.push(event.type));
const authFetch = createAuthFetch(session);

const app = {
  hasWebLocks: typeof navigator.locks?.request === 'function',
  state: () => session.getState(),
  events: () => events,
  refreshes: () => refreshes.length,
  warnings: () => warnings,
  /** Takes the session's cross-tab lock and never lets it go, as a browser fault or a frozen frame would. */
  holdLockForever() {
    navigator.locks.request('reauth:reauth', () => new Promise(() => {})).catch(() => {});
  },
  async signIn(username: string, password: string) {
    const response = await authFetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
      skipAuth: true,
    });
    session.signIn(await response.json());
  },
  signOut: () => session.signOut(),
  /** Fires `count` requests at once; each settles to its status, or the error code it rejected with. */
  burst: (count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        authFetch(`/api/items/${i + 1}`).then(
          (response) => response.status,
          (error: { code?: string; name?: string }) => error.code ?? error.name ?? 'error',
        ),
      ),
    ),
};
Object.assign(window, { app });
document.title = 'ready';
