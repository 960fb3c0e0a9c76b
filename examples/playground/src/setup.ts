import { attachAuth } from '@reauth/axios';
import { createSession, type Session } from '@reauth/core';
import { connectQueryClient } from '@reauth/react-query';
import { QueryClient } from '@tanstack/react-query';
import axios, { type AxiosInstance } from 'axios';
import { apiBase } from './mock/demo';
import type { MockApi } from './mock/startMockApi';
import { DEFAULT_MODEL, type SessionModel } from './model';
import { createTimeline, type Timeline } from './timeline/createTimeline';

/**
 * The playground's refresh timeout, short so the "next refresh hangs" lever shows REFRESH_TIMEOUT within seconds
 * (default 15 s). The waiting requests fail after it; the refresh itself gets as long again to answer (the grace
 * period) before the session gives up on it.
 */
export const REFRESH_TIMEOUT_MS = 4_000;

/** Everything the playground's components use, made once at start-up. */
export interface Playground {
  /** Where the credentials live; absent means the default, tokens in JS (as `createSession` without `cookies`). */
  model?: SessionModel;
  session: Session;
  /** The app's axios instance: `attachAuth` on it, and the timeline recording every send. */
  api: AxiosInstance;
  queryClient: QueryClient;
  timeline: Timeline;
  mockApi: MockApi;
  /**
   * Signs out: with a cookie, the server's logout first (it ends the session there and clears the cookie, which
   * JavaScript cannot do), then the session's `signOut()` (this tab and the others).
   */
  signOut(): Promise<void>;
}

/**
 * The session of one model, with `refresh` calling the API (`api` is made after it: `refresh` runs later).
 * - tokens: both tokens in memory; `refresh` sends the refresh token in the body.
 * - refresh: the access token in memory (a reload restores by one silent refresh); `refresh` sends no token,
 *   `withCredentials` so the browser sends the httpOnly cookie (needed cross-origin; harmless same-origin).
 * - session: no token; `refresh` slides the session (the server answers `{ user }` and a new cookie), and
 *   sessionStorage keeps only `{ user }`, so a reload starts signed in — sessionStorage, not localStorage: the
 *   cookie (no Max-Age) ends with the browser, and a user kept in localStorage would outlive it.
 */
function createModelSession(model: SessionModel, api: () => AxiosInstance, crossTab: boolean): Session {
  // One key per model: its channel too, so tabs of different models (different servers) never share a session.
  const shared = { refreshTimeoutMs: REFRESH_TIMEOUT_MS, crossTab, storageKey: `reauth-playground-${model}` };
  const withCookie = { skipAuth: true, withCredentials: true } as const;
  if (model === 'refresh') {
    return createSession({
      ...shared,
      cookies: 'refresh',
      refresh: async ({ signal }) =>
        (await api().post('/auth/refresh', null, { ...withCookie, signal })).data,
    });
  }
  if (model === 'session') {
    return createSession({
      ...shared,
      cookies: 'session',
      storage: sessionStorage,
      refresh: async ({ signal }) =>
        (await api().post('/auth/refresh', null, { ...withCookie, signal })).data,
    });
  }
  return createSession({
    ...shared,
    refresh: async ({ refreshToken, signal }) =>
      (await api().post('/auth/refresh', { refreshToken }, { skipAuth: true, signal })).data,
  });
}

/**
 * The setup an app writes once: a session whose `refresh` calls the API, an axios instance with attachAuth,
 * a QueryClient connected to the session. The timeline is the playground's own addition.
 *
 * @param mockApi the running mock API
 * @param model where the credentials live (the page's `?model=`)
 */
export function createPlayground(mockApi: MockApi, model: SessionModel = DEFAULT_MODEL): Playground {
  // The default storage is memory (safest against XSS); crossTab still gives every tab the same session: a new
  // tab asks the open ones for it. Only where the tabs share one mock server: tokens (or cookies) of another
  // tab's server would be refused by this one's.
  const session = createModelSession(model, () => api, mockApi.mode === 'shared');
  const timeline = createTimeline(session);
  const api = axios.create({
    baseURL: apiBase(location.origin),
    adapter: timeline.wrapAdapter(axios.getAdapter(axios.defaults.adapter)),
    // A cookie session: every API request carries the cookie (cross-origin, only with credentials).
    withCredentials: model === 'session',
  });
  attachAuth(api, session);
  timeline.trackRequests(api);

  const queryClient = new QueryClient({
    defaultOptions: { queries: { staleTime: 30_000, refetchOnWindowFocus: false } },
  });
  connectQueryClient(queryClient, session);

  async function signOut(): Promise<void> {
    if (model !== 'tokens') {
      // Best effort: signed out here whatever the server says (a failure is in the timeline).
      await api.post('/auth/logout', null, { skipAuth: true, withCredentials: true }).catch(() => {});
    }
    session.signOut();
  }
  return { model, session, api, queryClient, timeline, mockApi, signOut };
}
