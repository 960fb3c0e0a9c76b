import { useAuthContext } from './AuthContext';
import type { Auth } from './types';
import { useSessionSelector } from './useSessionSelector';

/**
 * The session's state and actions, re-rendering when they change.
 *
 * @returns `{ status, user, isAuthenticated, isRefreshing, signIn, signOut, hasRole }`, the same object
 *   while the session's state is the same
 * @example
 * function Header() {
 *   const { user, isAuthenticated, signOut } = useAuth();
 *   return isAuthenticated ? <button onClick={signOut}>Sign out {String(user?.sub)}</button> : null;
 * }
 */
export function useAuth(): Auth;
/**
 * A slice of the session's state, re-rendering only when the slice changes (by `Object.is`).
 *
 * @param selector picks the slice; it may return a new object each time, at the cost of a render per change
 *   of the session's state
 * @returns the selected slice
 * @example
 * const status = useAuth((auth) => auth.status); // no render on a token rotation that keeps the status
 * const isAdmin = useAuth((auth) => auth.hasRole('admin'));
 */
export function useAuth<T>(selector: (auth: Auth) => T): T;
export function useAuth<T>(selector?: (auth: Auth) => T): T | Auth {
  // Production throws the engine's own TypeError at the first render ("selector is not a function"). The
  // environment is read last: unbundled (tests, SSR), `process.env` is a lookup, and this runs on every render.
  if (selector !== undefined && typeof selector !== 'function' && process.env.NODE_ENV !== 'production')
    throw new TypeError(
      '[reauth] useAuth(selector?): expected a function (auth) => slice, such as (auth) => auth.status.',
    );
  return useSessionSelector(useAuthContext('useAuth'), selector);
}
