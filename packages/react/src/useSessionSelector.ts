import { useMemo, useSyncExternalStore } from 'react';
import type { SessionStore } from './createSessionStore';
import type { Auth } from './types';

/** `useSyncExternalStore` over the session, through `selector` (none: the whole snapshot). */
export function useSessionSelector<T>(store: SessionStore, selector?: (auth: Auth) => T): T | Auth {
  // Memoized on the snapshot (and, by the closure, the selector), so that a selector returning a new object
  // does not make useSyncExternalStore render forever; an inline selector is run again on each render.
  const getSnapshot = useMemo(() => {
    let auth: Auth | undefined;
    let selected: T | Auth;
    return () => {
      const next = store.getSnapshot();
      if (next !== auth) {
        // Selected first: a selector that throws throws again on the next call, never answering a stale value.
        selected = selector ? selector(next) : next;
        auth = next;
      }
      return selected;
    };
  }, [store, selector]);
  // The server renders the session as it is: one restored from synchronous storage renders signed in.
  return useSyncExternalStore(store.subscribe, getSnapshot, getSnapshot);
}
