import { GlobalRegistrator } from '@happy-dom/global-registrator';
import { createSession, type Session, type SessionState } from '@reauth/core';
import { AuthProvider, useAuth } from '@reauth/react';
import { act, createContext, createElement, type ReactNode, useContext, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { fakeJwt } from './mockApi';

/** Renders of one component: the first one (mount) and those during the refreshes. */
export interface RenderCount {
  name: string;
  mount: number;
  duringRefreshes: number;
}

type Counts = Map<string, number>;
type Reader = [name: string, read: () => unknown];

/** A component that counts its own renders and shows what it read. */
function Counted({ counts, reader: [name, read] }: { counts: Counts; reader: Reader }): ReactNode {
  counts.set(name, (counts.get(name) ?? 0) + 1);
  return createElement('span', null, JSON.stringify(read() ?? null).slice(0, 20));
}

const reauthReaders: Reader[] = [
  ['useAuth(s => s.status)', () => useAuth((auth) => auth.status)],
  ['useAuth(s => s.isAuthenticated)', () => useAuth((auth) => auth.isAuthenticated)],
  ['useAuth(s => s.user)', () => useAuth((auth) => auth.user)],
  ['useAuth() (whole)', () => useAuth().status],
];

/** What apps hand-write without a library: the session's state in a context, from `subscribe` into `useState`. */
const HandContext = createContext<SessionState | null>(null);
function HandProvider({ session, children }: { session: Session; children?: ReactNode }) {
  const [state, setState] = useState(session.getState());
  useEffect(() => session.subscribe(setState), [session]);
  return createElement(HandContext.Provider, { value: state }, children);
}
const useHand = () => useContext(HandContext)!;
const handReaders: Reader[] = [
  ['hand-written context: status', () => useHand().status],
  ['hand-written context: isAuthenticated', () => useHand().status === 'signedIn'],
  ['hand-written context: user', () => useHand().user],
  ['hand-written context: whole state', () => useHand()],
];

/**
 * Counts the renders of components reading the session, through `useAuth(selector)` and through the
 * hand-written context, while the session refreshes `refreshes` times (tokens for the same user, answered at
 * once; each refresh's start and end in their own `act`, as they come in separate tasks in an app).
 */
export async function countRenders(refreshes: number): Promise<RenderCount[]> {
  const registered = !GlobalRegistrator.isRegistered;
  if (registered) GlobalRegistrator.register();
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  try {
    let generation = 0;
    const tokensFor = () => {
      generation += 1;
      const exp = Math.floor(Date.now() / 1000) + 3600;
      return {
        accessToken: fakeJwt({ sub: 'alice', jti: `a${generation}`, exp }),
        refreshToken: `r${generation}`,
      };
    };
    const session = createSession({ refresh: async () => tokensFor() });
    session.signIn(tokensFor());
    const counts: Counts = new Map();
    const readers = (list: Reader[]) =>
      list.map((reader) => createElement(Counted, { counts, reader, key: reader[0] }));
    const tree = [
      createElement(AuthProvider, { session, key: 'reauth' }, readers(reauthReaders)),
      createElement(HandProvider, { session, key: 'hand' }, readers(handReaders)),
    ];
    const root = createRoot(document.createElement('div'));
    await act(async () => root.render(tree));
    const mounted = new Map(counts);
    for (let refresh = 0; refresh < refreshes; refresh += 1) {
      let pending: Promise<void> = Promise.resolve();
      act(() => {
        pending = session.refresh();
      });
      await act(async () => pending);
    }
    await act(async () => root.unmount());
    session.signOut();
    return [...reauthReaders, ...handReaders].map(([name]) => ({
      name,
      mount: mounted.get(name) ?? 0,
      duringRefreshes: (counts.get(name) ?? 0) - (mounted.get(name) ?? 0),
    }));
  } finally {
    if (registered) await GlobalRegistrator.unregister();
  }
}
