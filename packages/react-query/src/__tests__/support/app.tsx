import { isAuthError } from '@reauth/core';
import { AuthProvider, RequireAuth, useAuth } from '@reauth/react';
import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import { isAxiosError } from 'axios';
import type { ReactNode } from 'react';
import { LoginModal } from './shared';
import type { World } from './world';

/** One rendering of the list: who was signed in at that moment, and the text shown. */
export interface Rendered {
  user: string | null;
  text: string;
}

const describeError = (error: unknown) =>
  isAuthError(error)
    ? error.code
    : isAxiosError(error)
      ? `HTTP ${error.response?.status ?? 'network'}`
      : String(error);

/** The list of the tests: `items of <owner>` (the `sub` the server read from the token), loading or the error. */
function ItemList({ world, log }: { world: World; log: Rendered[] }) {
  // Reading the user re-renders the list at every sign-in, as a "Hello, bob" header would.
  const user = useAuth((auth) => auth.user?.sub ?? null);
  const query = useQuery({
    queryKey: ['items'],
    queryFn: async () => (await world.api.get<{ resource: string; owner: string }>('/api/items')).data,
  });
  const text = query.data
    ? `items of ${query.data.owner}`
    : query.isError
      ? `error: ${describeError(query.error)}`
      : 'loading';
  // Every render is logged, committed or not: a superset of what the user could ever see.
  log.push({ user, text });
  return <output aria-label="items">{text}</output>;
}

/** The app: QueryClientProvider + AuthProvider, the list (behind RequireAuth unless `guarded` is false), the modal. */
export function App({ world, log, guarded = true }: { world: World; log: Rendered[]; guarded?: boolean }) {
  const list = <ItemList world={world} log={log} />;
  return (
    <QueryClientProvider client={world.queryClient}>
      <AuthProvider session={world.session}>
        {guarded ? <RequireAuth fallback={<p>please sign in</p>}>{list}</RequireAuth> : list}
        <LoginModal api={world.api} />
      </AuthProvider>
    </QueryClientProvider>
  );
}

/** An app without the login modal: a failed sign-in shows as an error, the way a login page works. */
export function AppWithoutModal({ world, log }: { world: World; log: Rendered[] }): ReactNode {
  return (
    <QueryClientProvider client={world.queryClient}>
      <AuthProvider session={world.session}>
        <ItemList world={world} log={log} />
      </AuthProvider>
    </QueryClientProvider>
  );
}
