import { createContext, useContext } from 'react';
import type { SessionStore } from './createSessionStore';

export const AuthContext = createContext<SessionStore | null>(null);

/** The provider's value; throws a message that says how to fix a missing provider. */
export function useAuthContext(hook: string): SessionStore {
  const value = useContext(AuthContext);
  if (!value) {
    const problem = `[reauth] ${hook} must be used inside <AuthProvider session={...}>`;
    // The fix spelled out is a development hint; production keeps the sentence that names it.
    throw new Error(
      process.env.NODE_ENV !== 'production'
        ? `${problem}: wrap your app in <AuthProvider session={session}> with a session from createSession().`
        : `${problem}.`,
    );
  }
  return value;
}
