import type { EventLogEntry } from '@reauth/core';

/** `12:03:07` of an event's epoch ms, in UTC so that a timeline pasted into a bug report reads the same anywhere. */
export const clockTime = (at: number) => new Date(at).toISOString().slice(11, 19);

/** `in 4m 05s`, `expired 3s ago`, or `unknown`. */
export function timeToExpiry(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return 'unknown';
  const seconds = Math.round(Math.abs(expiresAt - now) / 1000);
  const span =
    seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return expiresAt > now ? `in ${span}` : `expired ${span} ago`;
}

/** One line of what an event says, beyond its type. */
export function summary(entry: EventLogEntry): string {
  switch (entry.type) {
    case 'signedIn':
      return `${entry.user?.sub ?? 'unknown user'}`;
    case 'signedOut':
    case 'reauthCancelled':
      return entry.error?.code ?? 'by the app';
    case 'refreshStart':
      return `${entry.waiting} waiting`;
    case 'refreshSuccess':
      return `in ${entry.durationMs} ms`;
    case 'refreshFailure':
      return `${entry.error.code}${entry.terminal ? ' (terminal)' : ''} after ${entry.durationMs} ms`;
    case 'reauthRequired':
      return `${entry.reason} · ${entry.waiting} waiting`;
    case 'reauthResolved':
      return 'signed in again';
    case 'requestQueued':
      return `${entry.method} ${entry.url} · ${entry.waiting} waiting`;
    case 'requestReplayed':
      return `${entry.method} ${entry.url} · attempt ${entry.attempt}${entry.lateUnauthorized ? ' (late 401)' : ''}`;
    case 'unauthorized':
      return `${entry.status || 'network error'} ${entry.method} ${entry.url} · ${entry.handled ? 'handled' : 'passed on'}`;
  }
}

/**
 * Requests waiting now, read from the events (there is no queue API): the last `waiting` count reported. Read it
 * only while the session refreshes or re-authenticates: each of those begins with an event that reports it.
 */
export function waitingCount(entries: readonly EventLogEntry[]): number {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry && 'waiting' in entry) return entry.waiting;
  }
  return 0;
}
