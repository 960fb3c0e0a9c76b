import { type AttachAuthOptions, attachAuth } from '@reauth/axios';
import {
  type AuthEvent,
  type AuthEventOf,
  type AuthEventType,
  createSession,
  decodeJwt,
  type RefreshContext,
  type Session,
  type SessionOptions,
  type StorageLike,
  type TokensInput,
} from '@reauth/core';
import axios, { type AxiosInstance } from 'axios';
import { onTestFinished } from 'vitest';
import {
  type AuthServer,
  type AuthServerOptions,
  type ProtectedRequestRecord,
  startAuthServer,
  type TokenResponse,
} from './authServer';

/** The `refresh` option of `createSession`. */
export type RefreshFn = (context: RefreshContext) => Promise<TokensInput>;
/** The real refresh call: the server's answer, unchanged. */
export type ServerRefreshFn = (context: RefreshContext) => Promise<TokenResponse>;

/** How {@link createClient} builds the instance and the session; every field is optional. */
export interface ClientOptions {
  session?: Omit<SessionOptions, 'refresh'>;
  attach?: AttachAuthOptions;
  /** Wraps the real refresh call, to change what the session sees of it. */
  wrapRefresh?: (refresh: ServerRefreshFn) => RefreshFn;
}

/** An axios instance on one server, with a session attached and every event recorded. */
export interface Client {
  api: AxiosInstance;
  session: Session;
  /** Every event the session emitted, in order. */
  events: AuthEvent[];
  /** The events of one type, in order. */
  eventsOf<T extends AuthEventType>(type: T): AuthEventOf<T>[];
  /** Logs in through the instance with `skipAuth`; the server's answer, unchanged. */
  login(username?: string, password?: string): Promise<TokenResponse>;
  /** Logs in and signs the session in with the answer. */
  signIn(username?: string, password?: string): Promise<TokenResponse>;
}

/** A server and a client of it. */
export interface Harness extends Client {
  server: AuthServer;
}

/** Starts a server that is closed when the current test finishes. */
export async function startServer(options?: AuthServerOptions): Promise<AuthServer> {
  const server = await startAuthServer(options);
  onTestFinished(() => server.close());
  return server;
}

/**
 * An instance with `baseURL: server.url` and reauth attached; the session refreshes through the same
 * instance with `skipAuth`, returning the server's JSON unchanged.
 */
export function createClient(server: AuthServer, options: ClientOptions = {}): Client {
  const api = axios.create({ baseURL: server.url });
  const realRefresh: ServerRefreshFn = async ({ refreshToken, signal }) =>
    (await api.post<TokenResponse>('/auth/refresh', { refreshToken }, { skipAuth: true, signal })).data;
  const refresh = options.wrapRefresh ? options.wrapRefresh(realRefresh) : realRefresh;
  const session = createSession({ ...options.session, refresh });
  attachAuth(api, session, options.attach);
  const events: AuthEvent[] = [];
  session.on('*', (event) => events.push(event));

  const login = async (username = 'alice', password = defaultPassword(username)) =>
    (await api.post<TokenResponse>('/auth/login', { username, password }, { skipAuth: true })).data;
  return {
    api,
    session,
    events,
    eventsOf: <T extends AuthEventType>(type: T) =>
      events.filter((event): event is AuthEventOf<T> => event.type === type),
    login,
    async signIn(username, password) {
      const tokens = await login(username, password);
      session.signIn(tokens);
      return tokens;
    },
  };
}

/** A server closed after the test, and a client of it. */
export async function setup(options: ClientOptions & { server?: AuthServerOptions } = {}): Promise<Harness> {
  const server = await startServer(options.server);
  return { server, ...createClient(server, options) };
}

function defaultPassword(username: string): string {
  return username === 'bob' ? 'builder' : 'wonderland';
}

/**
 * Polls `predicate` every 5 ms until it holds; throws after `tries` polls (5 s by default), so a
 * broken expectation fails the test instead of hanging it.
 */
export async function waitUntil(predicate: () => boolean, what = 'condition', tries = 1_000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`waitUntil: ${what} did not happen after ${tries} polls`);
}

/** The `jti` claim of an access token, as the server records it in `stats.requests[].tokenId`. */
export function jtiOf(token: string | null | undefined): string | undefined {
  const jti = token ? decodeJwt(token)?.jti : undefined;
  return typeof jti === 'string' ? jti : undefined;
}

/** The jti of the session's current access token. */
export async function currentJti(session: Session): Promise<string | undefined> {
  return jtiOf(await session.getAccessToken());
}

/** The server's records of one path, in the order it answered them. */
export function requestsTo(server: AuthServer, path: string): ProtectedRequestRecord[] {
  return server.stats.requests.filter((record) => record.path === path);
}

/** A Map-backed StorageLike whose contents a test can read. */
export function createMapStorage(): StorageLike & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** How a promise settled, without throwing: for asserting on several requests at once. */
export function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
