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
}

/**
 * Renders its children only while authenticated (and holding `role`, if given); else `fallback`.
 * A known user re-authenticating in the login modal stays authenticated: the page behind it stays mounted.
 *
 * @param props `children`, `fallback`, `role`
 * @returns the children or the fallback
 * @example
 * <RequireAuth fallback={<LoginPage />}>
 *   <Dashboard />
 *   <RequireAuth role="admin" fallback={<p>Admins only.</p>}>
 *     <AdminPanel />
 *   </RequireAuth>
 * </RequireAuth>
 */
export function RequireAuth({ children, fallback = null, role }: RequireAuthProps): ReactNode {
  const allowed = useSessionSelector(
    useAuthContext('<RequireAuth>').store,
    (auth) => auth.isAuthenticated && (role === undefined || auth.hasRole(role)),
  );
  return allowed ? children : fallback;
}
