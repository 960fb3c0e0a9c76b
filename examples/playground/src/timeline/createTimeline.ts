import { type AuthEvent, isAuthError, type Session } from '@reauth/core';
import type { AxiosAdapter, AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { createRequestLog } from './requestLog';
import { createSessionLog } from './sessionLog';
import type { TimelineSnapshot } from './types';

export type * from './types';

export interface TimelineOptions {
  /** The clock (ms). Default `Date.now`. */
  now?: () => number;
  /** Requests kept, the latest. Default 200. */
  limit?: number;
  /** Session events, refreshes, prompts and statuses kept this long (ms). Default 5 minutes. */
  retainMs?: number;
  /** Runs the batched notification. Default: the next animation frame (a timer where there is none). */
  schedule?: (flush: () => void) => void;
}

export interface Timeline {
  /** Wraps axios's transport: records every send (first sends and replays), its start, end and status. */
  wrapAdapter(adapter: AxiosAdapter): AxiosAdapter;
  /**
   * Registers the interceptors that see each request begin (before attachAuth's gate) and settle. Call AFTER
   * `attachAuth(instance, session)`: axios runs request interceptors last-registered first. @returns detach
   */
  trackRequests(instance: AxiosInstance): () => void;
  /** Immutable: a new object after each change (for `useSyncExternalStore`). */
  getSnapshot(): TimelineSnapshot;
  /** Called at most once per animation frame however many events came. @returns unsubscribe */
  subscribe(listener: () => void): () => void;
  /** The timeline's clock, for drawing "now". */
  now(): number;
  clear(): void;
  /** Stops listening to the session and to every tracked instance. */
  dispose(): void;
}

const defaultSchedule = (flush: () => void) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush);
  else setTimeout(flush, 16);
};

/**
 * Records what a session and an axios instance do, as lanes over time: session status, refreshes, sign-in
 * prompts, and every request with its sends, 401s (diagnosed), waits and outcome. Holds no token.
 *
 * @param session from `createSession`
 * @param options clock, how many requests to keep, how notifications are batched
 * @returns the recorder; draw it with `<TimelineView timeline={timeline} />`
 * @example
 * const timeline = createTimeline(session);
 * const api = axios.create({ baseURL, adapter: timeline.wrapAdapter(axios.getAdapter(axios.defaults.adapter)) });
 * attachAuth(api, session);
 * timeline.trackRequests(api);
 */
export function createTimeline(session: Session, options: TimelineOptions = {}): Timeline {
  const { now = Date.now, limit = 200, retainMs = 5 * 60_000, schedule = defaultSchedule } = options;
  if (!(Number.isInteger(limit) && limit > 0))
    throw new TypeError('[playground] createTimeline: `limit` must be a whole number above 0.');
  const requests = createRequestLog(now, limit);
  const lanes = createSessionLog(now, retainMs, session.getState().status);
  // Axios's merged per-request config carries the request's id: its replays are `{ ...config }` copies of it.
  const ID = Symbol('timeline');
  type Tagged = InternalAxiosRequestConfig & { [ID]?: number };
  const listeners = new Set<() => void>();
  const detachers = new Set<() => void>();
  let snapshot: TimelineSnapshot | undefined;
  let lastChange = now();
  let isScheduled = false;
  let sources = 0;
  let isDisposed = false;

  const flush = () => {
    isScheduled = false;
    for (const listener of [...listeners]) listener();
  };
  const changed = () => {
    snapshot = undefined;
    lastChange = now();
    if (isScheduled || listeners.size === 0) return;
    isScheduled = true;
    schedule(flush);
  };

  const onEvent = (event: AuthEvent) => {
    if (event.type === 'unauthorized') requests.unauthorized(event);
    else if (event.type === 'requestQueued') requests.queued(event);
    else if (event.type === 'requestReplayed') requests.replayed(event);
    lanes.record(event);
    changed();
  };
  detachers.add(session.on('*', onEvent));
  detachers.add(
    session.subscribe((state, previous) => {
      if (state.status === previous.status) return;
      lanes.status(state.status);
      changed();
    }),
  );

  const joinUrl = ({ baseURL, url = '' }: InternalAxiosRequestConfig) =>
    !baseURL || /^[a-z][a-z\d+.-]*:/i.test(url)
      ? url
      : `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
  const codeOf = (error: unknown): string => {
    if (isAuthError(error)) return error.code;
    const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
    return typeof code === 'string' ? code : typeof name === 'string' ? name : 'ERROR';
  };
  const statusOf = (error: unknown): number | null => {
    const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
    return typeof status === 'number' ? status : null;
  };

  return {
    wrapAdapter(adapter) {
      return (config: Tagged) => {
        if (isDisposed) return adapter(config);
        const id =
          config[ID] ?? requests.begin(config.method ?? 'get', joinUrl(config), !!config.skipAuth, null);
        const index = requests.startSend(id);
        changed();
        return adapter(config).then(
          (response) => {
            requests.endSend(id, index, response.status, null);
            changed();
            return response;
          },
          (error: unknown) => {
            const status = statusOf(error);
            requests.endSend(id, index, status, status === null ? codeOf(error) : null);
            changed();
            throw error;
          },
        );
      };
    },

    trackRequests(instance) {
      const source = ++sources;
      const uri = (config: InternalAxiosRequestConfig) => {
        try {
          return instance.getUri(config);
        } catch {
          return joinUrl(config);
        }
      };
      const requestId = instance.interceptors.request.use(
        (config: Tagged) => {
          config[ID] = requests.begin(config.method ?? 'get', uri(config), !!config.skipAuth, source);
          changed();
          return config;
        },
        undefined,
        { synchronous: true },
      );
      const settle = (config: Tagged | undefined, status: number | null, code: string | null) => {
        const id = config?.[ID];
        if (id === undefined) requests.settleOrphan(source, status, code);
        else requests.settle(id, status, code);
        changed();
      };
      const responseId = instance.interceptors.response.use(
        (response: AxiosResponse) => {
          settle(response?.config, typeof response?.status === 'number' ? response.status : 200, null);
          return response;
        },
        (error: unknown) => {
          const status = statusOf(error);
          settle(
            (error as { config?: Tagged } | null)?.config,
            status,
            status === null ? codeOf(error) : null,
          );
          return Promise.reject(error);
        },
      );
      const detach = () => {
        instance.interceptors.request.eject(requestId);
        instance.interceptors.response.eject(responseId);
        detachers.delete(detach);
      };
      detachers.add(detach);
      return detach;
    },

    getSnapshot() {
      snapshot ??= Object.freeze({ ...lanes.snapshot(requests.values()), lastChange });
      return snapshot;
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    now,

    clear() {
      requests.clear();
      lanes.clear(session.getState().status);
      changed();
    },

    dispose() {
      isDisposed = true;
      for (const detach of [...detachers]) detach();
      listeners.clear();
    },
  };
}
