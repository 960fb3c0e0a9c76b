import {
  type AuthEvent,
  type AuthEventOf,
  type AuthEventType,
  createSession,
  type Session,
  type SessionOptions,
} from '@reauth/core';
import { type AuthFetch, type CreateAuthFetchOptions, createAuthFetch } from '@reauth/fetch';
import type { AuthServer, AuthServerOptions, TokenResponse } from '../support/authServer';
import { startServer } from '../support/setup';

/** How {@link setupFetch} builds the session and the authFetch; every field is optional. */
export interface FetchClientOptions {
  session?: Omit<SessionOptions, 'refresh'>;
  auth?: CreateAuthFetchOptions;
  server?: AuthServerOptions;
  /** Runs after the refresh call answered, before the session sees the tokens. */
  afterRefresh?: () => void;
}

/** A real server, and an authFetch on Node's own fetch with a session whose refresh goes through it. */
export interface FetchHarness {
  server: AuthServer;
  authFetch: AuthFetch;
  session: Session;
  events: AuthEvent[];
  eventsOf<T extends AuthEventType>(type: T): AuthEventOf<T>[];
  /** `server.url + path` */
  url(path: string): string;
  /** Logs in with `skipAuth` and signs the session in with the answer. */
  signIn(username?: string, password?: string): Promise<TokenResponse>;
}

export async function setupFetch(options: FetchClientOptions = {}): Promise<FetchHarness> {
  const server = await startServer(options.server);
  const url = (path: string) => `${server.url}${path}`;
  const json = { 'content-type': 'application/json' };
  const session = createSession({
    ...options.session,
    refresh: async ({ refreshToken, signal }) => {
      const body = JSON.stringify({ refreshToken });
      const response = await authFetch(url('/auth/refresh'), {
        method: 'POST',
        body,
        headers: json,
        signal,
        skipAuth: true,
      });
      if (!response.ok) throw response; // isRefreshRejected reads its status
      const tokens = (await response.json()) as TokenResponse;
      options.afterRefresh?.();
      return tokens;
    },
  });
  const authFetch = createAuthFetch(session, { allowedOrigins: [server.url], ...options.auth });
  const events: AuthEvent[] = [];
  session.on('*', (event) => events.push(event));
  return {
    server,
    authFetch,
    session,
    events,
    eventsOf: <T extends AuthEventType>(type: T) =>
      events.filter((event): event is AuthEventOf<T> => event.type === type),
    url,
    async signIn(username = 'alice', password = username === 'bob' ? 'builder' : 'wonderland') {
      const body = JSON.stringify({ username, password });
      const response = await authFetch(url('/auth/login'), {
        method: 'POST',
        body,
        headers: json,
        skipAuth: true,
      });
      const tokens = (await response.json()) as TokenResponse;
      session.signIn(tokens);
      return tokens;
    },
  };
}
