import {
  createEventLog,
  type EventLog,
  type EventLogEntry,
  type Session,
  type SessionState,
} from '@reauth/core';
import { useEffect, useState, useSyncExternalStore } from 'react';

const NO_ENTRIES: readonly EventLogEntry[] = [];
const noSubscription = () => () => {};
const noEntries = () => NO_ENTRIES;

/** The session's reactive state. */
export function useSessionState(session: Session): SessionState {
  return useSyncExternalStore(session.subscribe, session.getState, session.getState);
}

/** The session's events since mount, in a log of `size` entries that lives as long as the component. */
export function useEventLog(
  session: Session,
  size: number,
): { entries: readonly EventLogEntry[]; log: EventLog | null } {
  const [log, setLog] = useState<EventLog | null>(null);
  useEffect(() => {
    const created = createEventLog(session, { size });
    setLog(created);
    return created.dispose;
  }, [session, size]);
  const entries = useSyncExternalStore(
    log?.subscribe ?? noSubscription,
    log?.entries ?? noEntries,
    noEntries,
  );
  return { entries, log };
}

/** `Date.now()`, re-read every second while `isTicking`. */
export function useNow(isTicking: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!isTicking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [isTicking]);
  return now;
}
