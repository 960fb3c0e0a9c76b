import type { ReactNode } from 'react';
import { useAuthContext } from './AuthContext';
import { useSessionSelector } from './useSessionSelector';

/**
 * Props of `<RequireAuth>`.
 *
 * @example
 * <RequireAuth role="admin" fallback={<p>Admins only.</p>}>{children}</RequireAuth>
 */
export interface RequireAuthProps {
  /** Rendered while authenticated (and holding `role`, if given). */
  children?: ReactNode;
  /** Rendered instead of the children when signed out or missing the role. Default: nothing. */
  fallback?: ReactNode;
  /** The role the user must hold (see `createSession`'s `getRoles`). */
  role?: string;
  /**
   * Rendered while the session is `restoring` (reading storage, or a silent refresh at start-up): not yet known
   * whether signed in, so neither the children nor the fallback — no login form flashes on reload. Default: nothing.
   */
  loading?: ReactNode;
}

/**
 * Renders its children only while authenticated (and holding `role`, if given); else `fallback`; `loading` while
 * the session is restoring.
 * A known user re-authenticating in the login modal stays authenticated: the page behind it stays mounted.
 *
 * @param props `children`, `fallback`, `role`, `loading`
 * @returns the children or the fallback
 * @example
 * <RequireAuth fallback={<LoginPage />}>
 *   <Dashboard />
 *   <RequireAuth role="admin" fallback={<p>Admins only.</p>}>
 *     <AdminPanel />
 *   </RequireAuth>
 * </RequireAuth>
 */
export function RequireAuth({
  children,
  fallback = null,
  role,
  loading = null,
}: RequireAuthProps): ReactNode {
  // The node itself is selected: a change of session state renders again only when another node is shown.
  return useSessionSelector(useAuthContext('<RequireAuth>'), (auth) =>
    auth.status === 'restoring'
      ? loading
      : auth.isAuthenticated && (role === undefined || auth.hasRole(role))
        ? children
        : fallback,
  ) as ReactNode;
}
