import { createStore } from 'zustand/vanilla';
import { type AuthError, type AuthErrorCode, misuse } from './errors';
import { isolated } from './internals';
import type { AuthEvent, Session } from './types';

/** An error as a log keeps it: JSON-safe, without its `cause` (which may be anything, e.g. a request). */
export interface EventLogError {
  code: AuthErrorCode;
  message: string;
}

type Logged<E> = E extends { error: AuthError }
  ? Omit<E, 'error'> & { error: EventLogError }
  : E extends { error: AuthError | null }
    ? Omit<E, 'error'> & { error: EventLogError | null }
    : E;

/** One logged event: a plain, JSON-safe copy, numbered in the order the session emitted it. */
export type EventLogEntry = Logged<AuthEvent> & {
  /** 1, 2, 3… for the log's lifetime: `clear()` does not reset it, so dropped entries show as a gap. */
  seq: number;
};

export interface EventLogOptions {
  /** How many entries the log keeps; older ones are dropped. Default 100. */
  size?: number;
}

/** A bounded log of a session's events. */
export interface EventLog {
  /**
   * The entries, oldest first. The same array until an entry is added or the log cleared: a snapshot fit for
   * `useSyncExternalStore(log.subscribe, log.entries)`.
   */
  entries(): readonly EventLogEntry[];
  /** Empties the log. */
  clear(): void;
  /** Calls `listener` after every change. @returns unsubscribe */
  subscribe(listener: () => void): () => void;
  /** Stops listening to the session; the entries stay readable. */
  dispose(): void;
}

/**
 * Keeps the last `size` events of a session — ordered, timestamped (`at`) and JSON-safe, for a bug report
 * or a devtools panel. No entry ever holds a token.
 *
 * @param session from `createSession`
 * @param options `size`: how many entries to keep (default 100)
 * @returns the log; `dispose()` it when done
 * @example
 * const log = createEventLog(session, { size: 50 });
 * report.attach('reauth-events.json', JSON.stringify(log.entries()));
 */
export function createEventLog(session: Session, options: EventLogOptions = {}): EventLog {
  // Production throws the engine's own TypeError at the same call (reading `size` of null).
  if (process.env.NODE_ENV !== 'production' && (typeof options !== 'object' || !options))
    throw misuse('createEventLog(session, { size })', 'expected an options object, or nothing');
  const { size = 100 } = options;
  if (typeof session?.on !== 'function' || !(Number.isInteger(size) && size > 0))
    throw misuse('createEventLog(session, { size })', 'expected a session and a whole size, 1 or more');
  let seq = 0;
  // Each change is a new array: the state is its own snapshot, and zustand is in the bundle already.
  const store = createStore<readonly EventLogEntry[]>()(() => []);
  const dispose = session.on('*', (event) => {
    const { error } = event as { error?: AuthError | null };
    const entry = { ...event, seq: ++seq } as EventLogEntry;
    if (error) (entry as { error: EventLogError }).error = { code: error.code, message: error.message };
    store.setState((entries) => [...entries, entry].slice(-size), true);
  });
  return {
    entries: store.getState,
    clear: () => store.setState([], true),
    subscribe(listener) {
      if (typeof listener !== 'function') throw misuse('eventLog.subscribe(listener)', 'expected a function');
      // A listener that throws must not keep the others from hearing of the change.
      return store.subscribe(isolated(listener));
    },
    dispose,
  };
}
