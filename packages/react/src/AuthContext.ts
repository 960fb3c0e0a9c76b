import { createContext, useContext } from 'react';
import type { SessionStore } from './createSessionStore';

export const AuthContext = createContext<SessionStore | null>(null);

/** The provider's value; throws a message that says how to fix a missing provider. */
export function useAuthContext(hook: string): SessionStore {
  const value = useContext(AuthContext);
  if (!value) {
    // The fix spelled out is a development hint; production keeps the sentence that names it.
    throw new Error(
      `[reauth] ${hook} must be used inside <AuthProvider session={...}>${
        process.env.NODE_ENV !== 'production'
          ? ': wrap your app in <AuthProvider session={session}> with a session from createSession().'
          : '.'
      }`,
    );
  }
  return value;
}
