import type { Session } from '@reauth/core';
import { createContext, useContext } from 'react';
import type { SessionStore } from './createSessionStore';

/** The provider's value: the session and its React-facing snapshot cache. */
export interface AuthContextValue {
  session: Session;
  store: SessionStore;
}

export const AuthContext = createContext<AuthContextValue | null>(null);

/** The provider's value; throws a message that says how to fix a missing provider. */
export function useAuthContext(hook: string): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) {
    throw new Error(
      `[reauth] ${hook} must be used inside <AuthProvider session={...}>: wrap your app in <AuthProvider session={session}> with a session from createSession().`,
    );
  }
  return value;
}
