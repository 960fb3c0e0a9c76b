import { useCallback, useRef, useSyncExternalStore } from 'react';
import type { SessionStore } from './createSessionStore';
import type { Auth } from './types';

/** `useSyncExternalStore` over the session, through `selector` (none: the whole snapshot). */
export function useSessionSelector<T>(store: SessionStore, selector?: (auth: Auth) => T): T | Auth {
  // Memoized on the snapshot and the selector, so that a selector returning a new object does not make
  // useSyncExternalStore render forever; an inline selector is run again on each render.
  const memo = useRef<{ auth: Auth; select: typeof selector; selected: T | Auth } | null>(null);
  const getSnapshot = useCallback(() => {
    const auth = store.getSnapshot();
    const last = memo.current;
    if (last && last.auth === auth && last.select === selector) return last.selected;
    const selected = selector ? selector(auth) : auth;
    memo.current = { auth, select: selector, selected };
    return selected;
  }, [store, selector]);
  // The server renders the session as it is: one restored from synchronous storage renders signed in.
  return useSyncExternalStore(store.subscribe, getSnapshot, getSnapshot);
}
