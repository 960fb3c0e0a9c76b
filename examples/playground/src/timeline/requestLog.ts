import type { AuthEventOf } from '@reauth/core';
import type { TimelineOutcome, TimelineRequest, TimelineSend } from './types';

/** What the log needs to know of a request beyond what it shows. */
interface Tracking {
  /** `METHOD origin/path`: how session events (which carry method + URL) find their request. */
  readonly key: string;
  /** Which `trackRequests` call saw it begin; null for a send the adapter saw alone. */
  readonly source: number | null;
  /** A handled 401 whose `requestQueued` / `requestReplayed` has not come yet. */
  expecting: boolean;
  /** The next send is a late-401 replay. */
  late: boolean;
}

const pageBase = () => (typeof location === 'undefined' ? 'http://localhost/' : location.href);

/** Origin + path of a URL (query, hash and credentials left out) and the row label. */
export function splitUrl(url: string): { url: string; path: string } {
  try {
    const parsed = new URL(url, pageBase());
    return { url: parsed.origin + parsed.pathname, path: parsed.pathname + (parsed.search ? '?…' : '') };
  } catch {
    const bare = url.split(/[?#]/)[0] ?? '';
    return { url: bare, path: bare };
  }
}

const keyOf = (method: string, url: string) => `${method.toUpperCase()} ${splitUrl(url).url}`;
const isOpen = (send: TimelineSend | undefined) => send !== undefined && send.end === null;
const hasOpenWait = (request: TimelineRequest) => request.waits.at(-1)?.end === null;

/**
 * The requests of a timeline, oldest first, each replaced (never mutated) when it changes. Session events are
 * matched to the oldest open request with their method + URL that is in the right phase for them.
 */
export function createRequestLog(now: () => number, limit: number) {
  const requests = new Map<number, TimelineRequest>();
  const tracking = new Map<number, Tracking>();
  let nextId = 1;

  const update = (id: number, change: (request: TimelineRequest) => TimelineRequest) => {
    const request = requests.get(id);
    if (request) requests.set(id, change(request));
    return request !== undefined;
  };
  const closeWait = (request: TimelineRequest, at: number): TimelineRequest =>
    hasOpenWait(request)
      ? {
          ...request,
          waits: [...request.waits.slice(0, -1), { start: request.waits.at(-1)!.start, end: at }],
        }
      : request;
  const find = (key: string, accept: (request: TimelineRequest, track: Tracking) => boolean) => {
    for (const [id, track] of tracking) {
      const request = requests.get(id);
      if (track.key === key && request?.outcome === 'pending' && accept(request, track)) return id;
    }
    return undefined;
  };

  function settle(id: number, status: number | null, code: string | null): void {
    const at = now();
    const outcome: TimelineOutcome = status !== null && status < 400 ? 'ok' : 'failed';
    update(id, (request) =>
      request.outcome === 'pending' ? { ...closeWait(request, at), end: at, outcome, status, code } : request,
    );
  }

  return {
    values: () => [...requests.values()],
    clear() {
      requests.clear();
      tracking.clear();
    },

    begin(method: string, url: string, skipAuth: boolean, source: number | null): number {
      const id = nextId++;
      const shown = splitUrl(url);
      const upper = method.toUpperCase();
      requests.set(id, {
        id,
        method: upper,
        ...shown,
        skipAuth,
        start: now(),
        end: null,
        outcome: 'pending',
        status: null,
        code: null,
        sends: [],
        waits: [],
      });
      tracking.set(id, { key: `${upper} ${shown.url}`, source, expecting: false, late: false });
      for (const oldest of requests.keys()) {
        if (requests.size <= limit) break;
        requests.delete(oldest);
        tracking.delete(oldest);
      }
      return id;
    },

    startSend(id: number): number {
      const at = now();
      const track = tracking.get(id);
      const late = track?.late ?? false;
      if (track) track.late = false;
      let index = -1;
      update(id, (request) => {
        const waited = closeWait(request, at);
        index = waited.sends.length;
        const send: TimelineSend = {
          start: at,
          end: null,
          status: null,
          error: null,
          replay: index > 0,
          lateUnauthorized: late,
          diagnosis: null,
        };
        return { ...waited, sends: [...waited.sends, send] };
      });
      return index;
    },

    endSend(id: number, index: number, status: number | null, error: string | null): void {
      const at = now();
      update(id, (request) => ({
        ...request,
        sends: request.sends.map((send, i) => (i === index ? { ...send, end: at, status, error } : send)),
      }));
      // A send nobody saw begin (no trackRequests): it is the whole request.
      if (tracking.get(id)?.source === null) settle(id, status, error);
    },

    settle,

    /** An outcome without its config (an AuthError from the gate): the oldest request of `source` waiting. */
    settleOrphan(source: number, status: number | null, code: string | null): void {
      let fallback: number | undefined;
      for (const [id, track] of tracking) {
        const request = requests.get(id);
        if (track.source !== source || request?.outcome !== 'pending' || isOpen(request.sends.at(-1)))
          continue;
        if (hasOpenWait(request)) {
          fallback = id;
          break;
        }
        fallback ??= id;
      }
      if (fallback !== undefined) settle(fallback, status, code);
    },

    unauthorized(event: AuthEventOf<'unauthorized'>): void {
      const id = find(keyOf(event.method, event.url), (request) => {
        const last = request.sends.at(-1);
        return !!last && last.end !== null && last.diagnosis === null && (last.status ?? 0) === event.status;
      });
      if (id === undefined) return;
      update(id, (request) => ({
        ...request,
        sends: [
          ...request.sends.slice(0, -1),
          { ...request.sends.at(-1)!, diagnosis: { ...event.diagnosis } },
        ],
      }));
      tracking.get(id)!.expecting = event.handled;
    },

    queued(event: AuthEventOf<'requestQueued'>): void {
      const key = keyOf(event.method, event.url);
      const id =
        find(key, (request, track) => track.expecting && !hasOpenWait(request)) ??
        find(key, (request) => request.sends.length === 0 && request.waits.length === 0);
      const at = now();
      if (id !== undefined)
        update(id, (request) => ({ ...request, waits: [...request.waits, { start: at, end: null }] }));
    },

    replayed(event: AuthEventOf<'requestReplayed'>): void {
      const id = find(keyOf(event.method, event.url), (_, track) => track.expecting);
      const track = id === undefined ? undefined : tracking.get(id);
      if (track) {
        track.expecting = false;
        track.late = event.lateUnauthorized;
      }
    },
  };
}

export type RequestLog = ReturnType<typeof createRequestLog>;
