import { attachAuth } from '@reauth/axios';
import { createSession, type Session } from '@reauth/core';
import { connectQueryClient } from '@reauth/react-query';
import { QueryClient } from '@tanstack/react-query';
import axios, { type AxiosInstance } from 'axios';
import { apiBase } from './mock/demo';
import type { MockApi } from './mock/startMockApi';
import { createTimeline, type Timeline } from './timeline/createTimeline';

/**
 * The playground's refresh timeout, short so the "next refresh hangs" lever shows REFRESH_TIMEOUT within seconds
 * (default 15 s). The waiting requests fail after it; the refresh itself gets as long again to answer (the grace
 * period) before the session gives up on it.
 */
export const REFRESH_TIMEOUT_MS = 4_000;

/** Everything the playground's components use, made once at start-up. */
export interface Playground {
  session: Session;
  /** The app's axios instance: `attachAuth` on it, and the timeline recording every send. */
  api: AxiosInstance;
  queryClient: QueryClient;
  timeline: Timeline;
  mockApi: MockApi;
}

/**
 * The setup an app writes once: a session whose `refresh` calls the API, an axios instance with attachAuth,
 * a QueryClient connected to the session. The timeline is the playground's own addition.
 */
export function createPlayground(mockApi: MockApi): Playground {
  const session = createSession({
    refresh: async ({ refreshToken, signal }) =>
      (await api.post('/auth/refresh', { refreshToken }, { skipAuth: true, signal })).data,
    refreshTimeoutMs: REFRESH_TIMEOUT_MS,
    // The default storage is memory (safest against XSS); crossTab still gives every tab the same session: a
    // new tab asks the open ones for it. Only where the tabs share one mock server: tokens of another tab's
    // server would be refused by this one's.
    crossTab: mockApi.mode === 'shared',
  });
  const timeline = createTimeline(session);
  const api = axios.create({
    baseURL: apiBase(location.origin),
    adapter: timeline.wrapAdapter(axios.getAdapter(axios.defaults.adapter)),
  });
  attachAuth(api, session);
  timeline.trackRequests(api);

  const queryClient = new QueryClient({
    defaultOptions: { queries: { staleTime: 30_000, refetchOnWindowFocus: false } },
  });
  connectQueryClient(queryClient, session);
  return { session, api, queryClient, timeline, mockApi };
}
