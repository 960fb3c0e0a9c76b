import type { Session } from '@reauth/core';
import { AuthProvider } from '@reauth/react';
import type { ReactNode } from 'react';

/** A Testing Library `wrapper` providing `session`. */
export const providing =
  (session: Session) =>
  ({ children }: { children: ReactNode }) => <AuthProvider session={session}>{children}</AuthProvider>;
