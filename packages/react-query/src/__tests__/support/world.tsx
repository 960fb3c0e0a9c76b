import { attachAuth } from '@reauth/axios';
import { createSession, type Session } from '@reauth/core';
import type { TokenResponse } from '@reauth/msw';
import { connectQueryClient } from '@reauth/react-query';
import { QueryClient } from '@tanstack/react-query';
import axios from 'axios';
import type { SetupServer } from 'msw/node';
import { createClock } from './clock';
import { API, startMockAuth } from './mockApi';

/**
 * The app's plumbing of the end-to-end tests: a session on an axios instance served by the @reauth/msw kit
 * (one clock for both), a QueryClient connected to it, and every token pair the app received in `pairs`.
 */
export async function createWorld(server: SetupServer, { signedInAs = 'alice' as string | null } = {}) {
  const clock = createClock();
  const auth = startMockAuth(server, clock.now);
  const api = axios.create({ baseURL: API });
  const pairs: TokenResponse[] = [];
  api.interceptors.response.use((response) => {
    if (typeof response.data?.accessToken === 'string') pairs.push(response.data);
    return response;
  });
  const session: Session = createSession({
    refresh: ({ refreshToken }) =>
      api.post('/auth/refresh', { refreshToken }, { skipAuth: true }).then((response) => response.data),
    now: clock.now,
    crossTab: false,
    autoRefresh: false,
  });
  attachAuth(api, session);
  if (signedInAs) {
    const tokens = await auth.controls.issueTokens(signedInAs);
    pairs.push(tokens);
    session.signIn(tokens);
  }
  const queryClient = new QueryClient({ defaultOptions: { queries: { retryDelay: 0 } } });
  const disconnect = connectQueryClient(queryClient, session);
  /** Signs in through the kit's login route, as a login page does. */
  const logIn = async (username: string, password: string) => {
    const { data } = await api.post('/auth/login', { username, password }, { skipAuth: true });
    session.signIn(data);
  };
  return { clock, auth, api, session, queryClient, disconnect, pairs, logIn };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
