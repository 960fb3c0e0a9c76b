import { connectQueryClient } from '@reauth/react-query';
import { QueryClient } from '@tanstack/react-query';
import type { SetupServer } from 'msw/node';
import { createWorld as createAppWorld } from '#react-test-support/app';

/**
 * The app's plumbing of the end-to-end tests: packages/react's world (a session on an axios instance served by
 * the @reauth/msw kit, one clock for both, every token pair the app received in `pairs`), signed in as
 * `signedInAs`, with a QueryClient connected to the session.
 */
export async function createWorld(server: SetupServer, { signedInAs = 'alice' as string | null } = {}) {
  const world = await createAppWorld(server, { signedIn: false });
  const { auth, api, session, pairs } = world;
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
  return { ...world, queryClient, disconnect, logIn };
}

export type World = Awaited<ReturnType<typeof createWorld>>;
