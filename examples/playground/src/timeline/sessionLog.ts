import type { AuthEvent, SessionStatus } from '@reauth/core';
import type {
  DiagnosisGroup,
  TimelineEvent,
  TimelinePrompt,
  TimelineRefresh,
  TimelineRequest,
  TimelineSnapshot,
  TimelineStatusSpan,
} from './types';

/** However short `retainMs`, a burst keeps at most this many events. */
const MAX_EVENTS = 1_000;

/** One line of what an event says beyond its type: no claims, no token, error objects reduced to their code. */
function summarize(event: AuthEvent): string {
  switch (event.type) {
    case 'signedIn':
    case 'reauthResolved':
      return 'signed in';
    case 'signedOut':
    case 'reauthCancelled':
      return event.error?.code ?? 'by the app';
    case 'refreshStart':
      return `${event.waiting} waiting`;
    case 'refreshSuccess':
      return `in ${event.durationMs} ms`;
    case 'refreshFailure':
      return `${event.error.code}${event.terminal ? ' (terminal)' : ''}`;
    case 'reauthRequired':
      return `${event.reason}, ${event.waiting} waiting`;
    case 'requestQueued':
      return `${event.method} ${event.url}, ${event.waiting} waiting`;
    case 'requestReplayed':
      return `${event.method} ${event.url}${event.lateUnauthorized ? ' (late 401)' : ''}`;
    case 'unauthorized':
      return `${event.status || 'network error'} ${event.method} ${event.url}: ${event.diagnosis.cause}`;
  }
}

/** 401 diagnoses of the same cause and hint, counted; the group seen last comes first. */
function groupDiagnoses(events: readonly TimelineEvent[]): DiagnosisGroup[] {
  const groups = new Map<string, DiagnosisGroup>();
  for (const { diagnosis, at } of events) {
    if (!diagnosis) continue;
    const key = `${diagnosis.cause}\n${diagnosis.hint}`;
    const count = (groups.get(key)?.count ?? 0) + 1;
    groups.set(key, { cause: diagnosis.cause, hint: diagnosis.hint, count, lastAt: at });
  }
  return [...groups.values()].sort((a, b) => b.lastAt - a.lastAt);
}

/** The session's lanes (status, refreshes, prompts) and its events, each record replaced when it changes. */
export function createSessionLog(now: () => number, retainMs: number, initial: SessionStatus) {
  let statuses: TimelineStatusSpan[] = [];
  let refreshes: TimelineRefresh[] = [];
  let prompts: TimelinePrompt[] = [];
  let events: TimelineEvent[] = [];
  let nextId = 1;

  const closeLast = <T extends { end: number | null }>(list: T[], change: Partial<T>): boolean => {
    const last = list.at(-1);
    if (!last || last.end !== null) return false;
    list[list.length - 1] = { ...last, ...change, end: now() };
    return true;
  };
  const prune = () => {
    const cutoff = now() - retainMs;
    const isKept = (item: { end: number | null }) => item.end === null || item.end >= cutoff;
    const first = events.findIndex((event) => event.at >= cutoff);
    events = events.slice(first === -1 ? events.length : first).slice(-MAX_EVENTS);
    refreshes = refreshes.filter(isKept);
    prompts = prompts.filter(isKept);
    statuses = statuses.filter(isKept);
  };
  const status = (next: SessionStatus) => {
    closeLast(statuses, {});
    statuses.push({ status: next, start: now(), end: null });
    prune();
  };
  status(initial);

  return {
    status,

    record(event: AuthEvent): void {
      const at = now();
      const diagnosis = event.type === 'unauthorized' ? { ...event.diagnosis } : null;
      events.push({ type: event.type, at, summary: summarize(event), diagnosis });
      switch (event.type) {
        case 'refreshStart':
          if (refreshes.at(-1)?.end !== null) {
            refreshes.push({
              id: nextId++,
              start: at,
              end: null,
              outcome: 'pending',
              code: null,
              terminal: false,
              waiting: event.waiting,
            });
          }
          break;
        case 'refreshSuccess':
          closeLast(refreshes, { outcome: 'ok' });
          break;
        case 'refreshFailure':
          closeLast(refreshes, { outcome: 'failed', code: event.error.code, terminal: event.terminal });
          break;
        case 'reauthRequired':
          if (prompts.at(-1)?.end !== null) {
            prompts.push({ id: nextId++, start: at, end: null, outcome: 'open', reason: event.reason });
          }
          break;
        case 'reauthResolved':
          closeLast(prompts, { outcome: 'resolved' });
          break;
        case 'reauthCancelled':
          closeLast(prompts, { outcome: 'cancelled' });
          break;
        case 'signedIn':
          closeLast(prompts, { outcome: 'resolved' });
          break;
        case 'signedOut':
          // A refresh a sign-out overtakes is discarded: it ends here for the picture.
          closeLast(refreshes, { outcome: 'failed', code: event.error?.code ?? 'SIGNED_OUT' });
          closeLast(prompts, { outcome: 'cancelled' });
          break;
      }
      prune();
    },

    clear(current: SessionStatus): void {
      [statuses, refreshes, prompts, events] = [[], [], [], []];
      status(current);
    },

    snapshot(requests: readonly TimelineRequest[]): Omit<TimelineSnapshot, 'lastChange'> {
      const isSending = requests.some((request) => request.sends.at(-1)?.end === null);
      return {
        requests,
        refreshes: [...refreshes],
        prompts: [...prompts],
        statuses: [...statuses],
        events: [...events],
        diagnoses: groupDiagnoses(events),
        isBusy: isSending || refreshes.at(-1)?.end === null,
        isOpen: requests.some((request) => request.outcome === 'pending') || prompts.at(-1)?.end === null,
      };
    },
  };
}
