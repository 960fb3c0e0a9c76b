import { attachAuth } from '@reauth/axios';
import { createSession, isAuthError } from '@reauth/core';
import type { TokenResponse } from '@reauth/msw';
import { AuthProvider, RequireAuth, useAuth } from '@reauth/react';
import axios, { type AxiosInstance } from 'axios';
import type { SetupServer } from 'msw/node';
import { useState } from 'react';
import { createClock } from './clock';
import { LoginModal } from './LoginModal';
import { API, startMockAuth } from './mockApi';

/**
 * A session on an axios instance (its own XHR adapter) served by the @reauth/msw kit on `server`, sharing
 * one clock with it; alice signed in unless `signedIn: false`. `pairs`: every token pair the app received,
 * in order (the first sign-in's, then each login's and refresh's answer).
 */
export async function createWorld(server: SetupServer, { signedIn = true } = {}) {
  const clock = createClock();
  const auth = startMockAuth(server, clock.now);
  const api = axios.create({ baseURL: API });
  const pairs: TokenResponse[] = [];
  api.interceptors.response.use((response) => {
    if (typeof response.data?.accessToken === 'string') pairs.push(response.data);
    return response;
  });
  const session = createSession({
    refresh: ({ refreshToken }) =>
      api.post('/auth/refresh', { refreshToken }, { skipAuth: true }).then((response) => response.data),
    now: clock.now,
    crossTab: false, // alone: no session of another test answers as another tab
    autoRefresh: false,
  });
  attachAuth(api, session);
  if (signedIn) {
    const tokens = await auth.controls.issueTokens('alice');
    pairs.push(tokens);
    session.signIn(tokens);
  }
  return { clock, auth, api, session, pairs };
}

/** Loads every resource at once on a click and lists each outcome: `items of alice`, or an error code. */
export function Resources({ api, names }: { api: AxiosInstance; names: string[] }) {
  const [outcomes, setOutcomes] = useState<string[]>([]);
  const load = async () => {
    const settled = await Promise.allSettled(names.map((name) => api.get(`/api/${name}`)));
    setOutcomes(
      settled.map((outcome) =>
        outcome.status === 'fulfilled'
          ? `${outcome.value.data.resource} of ${outcome.value.data.owner}`
          : isAuthError(outcome.reason)
            ? outcome.reason.code
            : `failed: ${String(outcome.reason)}`,
      ),
    );
  };
  return (
    <section>
      <button type="button" onClick={load}>
        Load
      </button>
      <ul aria-label="outcomes">
        {outcomes.map((outcome, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, one entry per resource
          <li key={index}>{outcome}</li>
        ))}
      </ul>
    </section>
  );
}

function Greeting() {
  const user = useAuth((auth) => auth.user);
  return <p>signed in as {String(user?.sub ?? 'nobody')}</p>;
}

/** The app of the end-to-end tests: a page behind RequireAuth, an admin area, and the login modal. */
export function App({ world, names }: { world: Awaited<ReturnType<typeof createWorld>>; names: string[] }) {
  return (
    <AuthProvider session={world.session}>
      <RequireAuth fallback={<p>please sign in</p>}>
        <Greeting />
        {/* biome-ignore lint/a11y/useValidAriaRole: the user's role, not an ARIA one */}
        <RequireAuth role="admin" fallback={<p>no admin area</p>}>
          <p>admin area</p>
        </RequireAuth>
      </RequireAuth>
      <Resources api={world.api} names={names} />
      <LoginModal api={world.api} />
    </AuthProvider>
  );
}
