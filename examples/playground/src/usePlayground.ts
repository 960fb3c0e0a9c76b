import { createContext, useContext, useSyncExternalStore } from 'react';
import type { KitSummary } from './mock/protocol';
import { DEFAULT_MODEL, type SessionModel } from './model';
import type { Playground } from './setup';

const PlaygroundContext = createContext<Playground | null>(null);

export const PlaygroundProvider = PlaygroundContext.Provider;

/** The playground's session, axios instance, timeline and mock server. */
export function usePlayground(): Playground {
  const playground = useContext(PlaygroundContext);
  if (!playground) throw new Error('[playground] usePlayground needs <PlaygroundProvider>');
  return playground;
}

/** The mock server's counters, live (they change on requests from every tab). */
export function useKitStats(): KitSummary | null {
  const { mockApi } = usePlayground();
  return useSyncExternalStore(mockApi.subscribe, mockApi.current);
}

/** Where the credentials live in this playground: its session model (the default when none is given). */
export function useSessionModel(): SessionModel {
  return usePlayground().model ?? DEFAULT_MODEL;
}
