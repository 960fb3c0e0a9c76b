import type { MockAuthStats } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { setupWorker } from 'msw/browser';
import { apiBase, createPlaygroundApi } from './api';
import type { ControlName, PageMessage, ServerMessage } from './protocol';

/** The running mock backend, as the page sees it: controls, and the kit's counters (live). */
export interface MockApi {
  /** `shared`: one server for every tab (a SharedWorker); `tab`: this tab's own (no SharedWorker here). */
  mode: 'shared' | 'tab';
  control(name: ControlName, ...args: unknown[]): Promise<void>;
  /** The counters now (asks the server). */
  getStats(): Promise<MockAuthStats>;
  /** The last counters received; null before the first. */
  current(): MockAuthStats | null;
  subscribe(listener: () => void): () => void;
}

type Send = (message: PageMessage, transfer?: Transferable[]) => Promise<ServerMessage>;

function connectSharedServer(onStats: (stats: MockAuthStats) => void): Send {
  const worker = new SharedWorker(new URL('./sharedServer.ts', import.meta.url), {
    type: 'module',
    name: 'reauth-playground-api',
  });
  const pending = new Map<number, (message: ServerMessage) => void>();
  worker.port.onmessage = ({ data }: MessageEvent<ServerMessage>) => {
    if (data.kind === 'stats') return onStats(data.stats);
    pending.get(data.id)?.(data);
    pending.delete(data.id);
    if (data.kind === 'done') onStats(data.stats);
  };
  worker.port.start();
  addEventListener('pagehide', () => worker.port.postMessage({ kind: 'bye' }));
  return (message, transfer = []) =>
    new Promise((resolve) => {
      pending.set(message.id, resolve);
      worker.port.postMessage(message, transfer);
    });
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), ms)),
  ]);

/**
 * Starts msw's service worker with the playground's API. Where the browser has SharedWorker, the API runs
 * there (one server for all tabs) and this tab's handler forwards to it; else it runs in this tab.
 */
export async function startMockApi(): Promise<MockApi> {
  const base = apiBase(location.origin);
  let latest: MockAuthStats | null = null;
  const listeners = new Set<() => void>();
  const publish = (stats: MockAuthStats) => {
    latest = stats;
    for (const listener of listeners) listener();
  };
  let nextId = 1;
  let mockApi: MockApi;
  let handlers: Parameters<typeof setupWorker>;

  const shared = typeof SharedWorker === 'function' ? connectSharedServer(publish) : null;
  const isSharedUp =
    shared !== null &&
    (await withTimeout(shared({ id: nextId++, kind: 'stats' }), 5_000).then(
      () => true,
      () => false,
    ));

  if (shared && isSharedUp) {
    handlers = [
      http.all(`${base}/*`, async ({ request }) => {
        const body =
          request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer();
        const answer = await shared(
          {
            id: nextId++,
            kind: 'fetch',
            url: request.url,
            method: request.method,
            headers: [...request.headers],
            body,
          },
          body ? [body] : [],
        );
        if (answer.kind !== 'response' || answer.isNetworkError) return HttpResponse.error();
        const { status, statusText, headers } = answer;
        return new HttpResponse(answer.body, { status, statusText, headers });
      }),
    ];
    mockApi = {
      mode: 'shared',
      async control(name, ...args) {
        const answer = await shared({ id: nextId++, kind: 'control', name, args });
        if (answer.kind === 'done' && answer.error) throw new Error(answer.error);
      },
      async getStats() {
        const answer = await shared({ id: nextId++, kind: 'stats' });
        if (answer.kind !== 'done') throw new Error('[playground] unexpected answer from the mock server');
        publish(answer.stats);
        return answer.stats;
      },
      current: () => latest,
      subscribe,
    };
  } else {
    if (shared) console.warn('[playground] the shared mock server did not start; this tab runs its own');
    const api = createPlaygroundApi(location.origin);
    handlers = api.handlers;
    const refresh = () => publish(structuredClone(api.stats));
    let published = '';
    setInterval(() => {
      const json = JSON.stringify(api.stats);
      if (json !== published) {
        published = json;
        refresh();
      }
    }, 150);
    mockApi = {
      mode: 'tab',
      async control(name, ...args) {
        (api.controls[name] as (...values: unknown[]) => void)(...args);
        refresh();
      },
      async getStats() {
        refresh();
        return structuredClone(api.stats);
      },
      current: () => latest,
      subscribe,
    };
  }

  function subscribe(listener: () => void) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  await setupWorker(...handlers).start({
    onUnhandledRequest: 'bypass',
    quiet: true,
    serviceWorker: { url: `${import.meta.env.BASE_URL}mockServiceWorker.js` },
  });
  return mockApi;
}
