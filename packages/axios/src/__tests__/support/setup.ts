import { type AttachAuthOptions, attachAuth } from '@reauth/axios';
import { createSession, type SessionOptions, type StorageLike } from '@reauth/core';
import axios, { type AxiosInstance } from 'axios';
import { recordEvents } from '#test-support/model/helpers';
import { createFakeApi, type IssuedTokens } from './fakeApi';

export * from '#test-support/model/helpers';

export const BASE_URL = 'https://api.test';

export interface SetupOptions {
  /** Default {@link BASE_URL}; null for an instance without one. */
  baseURL?: string | null;
  session?: SessionOptions;
  attach?: AttachAuthOptions;
  /** Sign in with tokens the fake API issued. Default true. */
  signedIn?: boolean;
  /** Give the session the fake API's `refresh`. Default true; false: every 401 goes to re-authentication. */
  silentRefresh?: boolean;
  api?: Parameters<typeof createFakeApi>[0];
  /** Registers the app's own interceptors on the instance before attachAuth does (so they run first). */
  before?: (http: AxiosInstance) => void;
}

/** A fake API, an axios instance on it with reauth attached, a signed-in session and its events. */
export function setup(options: SetupOptions = {}) {
  const { baseURL = BASE_URL, signedIn = true, silentRefresh = true } = options;
  const api = createFakeApi(options.api);
  const http = axios.create(baseURL === null ? { adapter: api.adapter } : { baseURL, adapter: api.adapter });
  const items = new Map<string, string>();
  const storage: StorageLike = {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
  const session = createSession({
    ...(silentRefresh && { refresh: api.refresh }),
    storage,
    ...options.session,
  });
  const { events, eventsOf } = recordEvents(session);
  options.before?.(http);
  const detach = attachAuth(http, session, options.attach);
  let tokens: IssuedTokens | null = null;
  if (signedIn) {
    tokens = api.issueTokens();
    session.signIn(tokens);
  }
  return { api, http, session, events, eventsOf, storage: items, detach, tokens: tokens as IssuedTokens };
}
