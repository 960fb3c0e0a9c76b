import type { Session, SessionState } from '@reauth/core';
import type { Auth } from './types';

/**
 * The provider's value: the session, and what `useSyncExternalStore` needs of it (subscribe, and one snapshot
 * object per session state).
 */
export interface SessionStore {
  session: Session;
  /** The session's `signIn`, one function per session (`useAuth().signIn`, `useReauthPrompt().complete`). */
  signIn: Auth['signIn'];
  subscribe(onChange: () => void): () => void;
  getSnapshot(): Auth;
}

/**
 * A session seen from React. The snapshot is cached per state object (a new object for the same state would
 * make `useSyncExternalStore` render forever); `hasRole` changes identity only when the user does, so a
 * selector that uses it updates when the answer can change.
 */
export function createSessionStore(session: Session): SessionStore {
  const signIn: Auth['signIn'] = (tokens) => session.signIn(tokens);
  const signOut: Auth['signOut'] = () => session.signOut();
  let state: SessionState | undefined;
  let snapshot: Auth | undefined;
  // Whether a session was signed in since the last sign-out, as the states seen tell it (useSyncExternalStore reads
  // the snapshot on every change).
  let wasIn = false;
  return {
    session,
    signIn,
    subscribe: (onChange) => session.subscribe(onChange),
    getSnapshot() {
      const next = session.getState();
      if (next !== state) {
        state = next;
        const { status, user, error } = next;
        // (Restoring comes only after a sign-out, or at start-up: never with a session seen.)
        wasIn = status === 'signedIn' || status === 'refreshing' || (wasIn && status !== 'signedOut');
        snapshot = {
          status,
          user,
          // A known session stays authenticated while re-authenticating (the page behind the modal stays
          // mounted). Tokens that are not JWTs carry no user, so the session's ending error tells it apart from a
          // prompt opened while signed out (the `unauthenticated` reason, which has neither) — and a cookie
          // session signed in without user info has neither either: that it was signed in does.
          isAuthenticated: wasIn || (status === 'reauthRequired' && !!(user || error)),
          isRefreshing: status === 'refreshing',
          signIn,
          signOut,
          hasRole: snapshot?.user === user ? snapshot.hasRole : (role: string) => session.hasRole(role),
        };
      }
      return snapshot as Auth;
    },
  };
}
