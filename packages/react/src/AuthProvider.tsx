import type { Session } from '@reauth/core';
import { type ReactNode, useMemo } from 'react';
import { AuthContext } from './AuthContext';
import { createSessionStore } from './createSessionStore';

/**
 * Props of `<AuthProvider>`.
 *
 * @example
 * <AuthProvider session={session}>{children}</AuthProvider>
 */
export interface AuthProviderProps {
  /** From `createSession()`, made once for the app (outside components, or in a `useState` initializer). */
  session: Session;
  /** The app: every component that uses the hooks or `<RequireAuth>`. */
  children?: ReactNode;
}

/**
 * Makes a session available to `useAuth`, `useReauthPrompt` and `RequireAuth` below it.
 *
 * @param props `session` from `createSession()`, and the app
 * @returns the app, with the session in context
 * @example
 * const session = createSession({ refresh, storage: localStorage });
 *
 * createRoot(root).render(
 *   <AuthProvider session={session}>
 *     <App />
 *     <LoginModal />
 *   </AuthProvider>,
 * );
 */
export function AuthProvider({ session, children }: AuthProviderProps): ReactNode {
  if (typeof session?.subscribe !== 'function' || typeof session.getState !== 'function') {
    throw new TypeError('[reauth] <AuthProvider session>: expected a session from createSession().');
  }
  const value = useMemo(() => createSessionStore(session), [session]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
