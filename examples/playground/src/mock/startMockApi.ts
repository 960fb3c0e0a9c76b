import type { MockAuthStats } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { setupWorker } from 'msw/browser';
import { apiBase } from './demo';
import {
  type ControlName,
  isSameSummary,
  type KitSummary,
  type PageMessage,
  type ServerMessage,
  summarize,
} from './protocol';

/** The running mock backend, as the page sees it: controls, and the kit's counters (live). */
export interface MockApi {
  /** `shared`: one server for every tab (a SharedWorker); `tab`: this tab's own (no SharedWorker here). */
  mode: 'shared' | 'tab';
  control(name: ControlName, ...args: unknown[]): Promise<void>;
  /** The kit's full stats now (asks the server). */
  getStats(): Promise<MockAuthStats>;
  /** The last counters received; null before the first. */
  current(): KitSummary | null;
  subscribe(listener: () => void): () => void;
}

type Send = (message: PageMessage, transfer?: Transferable[]) => Promise<ServerMessage>;

// A request must settle even if the worker dies or stalls: a mock server that says nothing for this long is
// answered as a network error. Longer than any lever needs (a hung refresh is given up by reauth after 8 s).
const ANSWER_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 10_000;

function connectSharedServer(onSummary: (summary: KitSummary) => void): {
  send: Send;
  failed: Promise<string>;
} {
  const worker = new SharedWorker(new URL('./sharedServer.ts', import.meta.url), {
    type: 'module',
    name: 'reauth-playground-api',
  });
  const pending = new Map<number, { resolve(message: ServerMessage): void; reject(error: Error): void }>();
  let fail: (reason: string) => void = () => {};
  const failed = new Promise<string>((resolve) => {
    fail = (reason) => {
      for (const waiter of pending.values()) waiter.reject(new Error(reason));
      pending.clear();
      resolve(reason);
    };
  });
  worker.onerror = () => fail('the mock server worker failed to start or crashed');
  worker.port.onmessageerror = () => fail('a message from the mock server could not be read');
  worker.port.onmessage = ({ data }: MessageEvent<ServerMessage>) => {
    if (data.kind === 'summary') return onSummary(data.summary);
    pending.get(data.id)?.resolve(data);
    pending.delete(data.id);
    if (data.kind === 'done') onSummary(summarize(data.stats));
  };
  worker.port.start();
  // Leaving for good: the server stops sending this tab its counters (a page kept in the back-forward cache
  // keeps its port, and gets them again when it comes back).
  addEventListener('pagehide', (event) => {
    if (!event.persisted) worker.port.postMessage({ kind: 'bye' });
  });
  const send: Send = (message, transfer = []) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(message.id);
        reject(new Error(`the mock server did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`));
      }, ANSWER_TIMEOUT_MS);
      pending.set(message.id, {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      worker.port.postMessage(message, transfer);
    });
  return { send, failed };
}

/**
 * Starts msw's service worker with the playground's API. Where the browser has SharedWorker, the API runs
 * there (one server for all tabs) and this tab's handler forwards to it; else it runs in this tab.
 */
export async function startMockApi(): Promise<MockApi> {
  const base = apiBase(location.origin);
  let latest: KitSummary | null = null;
  const listeners = new Set<() => void>();
  const publish = (summary: KitSummary) => {
    if (isSameSummary(latest, summary)) return;
    latest = summary;
    for (const listener of listeners) listener();
  };
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  let nextId = 1;
  let mockApi: MockApi;
  let handlers: Parameters<typeof setupWorker>;

  const shared = typeof SharedWorker === 'function' ? connectSharedServer(publish) : null;
  const startFailure = shared
    ? await Promise.race([
        shared.send({ id: nextId++, kind: 'stats' }).then(
          () => null,
          (error: Error) => error.message,
        ),
        shared.failed,
        new Promise<string>((resolve) => setTimeout(() => resolve('no answer'), START_TIMEOUT_MS)),
      ])
    : 'no SharedWorker in this browser';

  if (shared && startFailure === null) {
    const { send } = shared;
    handlers = [
      http.all(`${base}/*`, async ({ request }) => {
        const body =
          request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer();
        const headers = [...request.headers];
        const message = {
          id: nextId++,
          kind: 'fetch',
          url: request.url,
          method: request.method,
          headers,
          body,
        };
        const answer = await send(message as PageMessage, body ? [body] : []).catch((error: Error) => {
          console.error(`[playground] ${request.method} ${new URL(request.url).pathname}: ${error.message}`);
          return null;
        });
        if (answer?.kind !== 'response' || answer.isNetworkError) return HttpResponse.error();
        const { status, statusText } = answer;
        return new HttpResponse(answer.body, { status, statusText, headers: answer.headers });
      }),
    ];
    mockApi = {
      mode: 'shared',
      async control(name, ...args) {
        const answer = await send({ id: nextId++, kind: 'control', name, args });
        if (answer.kind === 'done' && answer.error) throw new Error(answer.error);
      },
      async getStats() {
        const answer = await send({ id: nextId++, kind: 'stats' });
        if (answer.kind !== 'done') throw new Error('[playground] unexpected answer from the mock server');
        return answer.stats;
      },
      current: () => latest,
      subscribe,
    };
  } else {
    console.warn(
      `[playground] ${startFailure}: this tab runs its own mock server, and tabs don't share a session`,
    );
    // Loaded only here: most browsers run the server in the SharedWorker, and the page need not carry it.
    const { createPlaygroundApi } = await import('./api');
    const api = createPlaygroundApi(location.origin);
    handlers = api.handlers;
    setInterval(() => publish(summarize(api.stats)), 150);
    mockApi = {
      mode: 'tab',
      async control(name, ...args) {
        (api.controls[name] as (...values: unknown[]) => void)(...args);
        publish(summarize(api.stats));
      },
      getStats: async () => structuredClone(api.stats),
      current: () => latest,
      subscribe,
    };
  }

  await setupWorker(...handlers).start({
    onUnhandledRequest: 'bypass',
    quiet: true,
    serviceWorker: { url: `${import.meta.env.BASE_URL}mockServiceWorker.js` },
  });
  return mockApi;
}
