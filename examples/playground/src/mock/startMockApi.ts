import type { MockAuthStats } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { setupWorker } from 'msw/browser';
import { DEFAULT_MODEL, type SessionModel } from '../model';
import { apiBase } from './demo';
import {
  type ControlName,
  isSameSummary,
  type KitSummary,
  type PageMessage,
  type RequestParts,
  type ResponseParts,
  type ServerMessage,
  serverName,
  summarize,
} from './protocol';

/** The running mock backend, as the page sees it: controls, and the kit's counters (live). */
export interface MockApi {
  /** `shared`: one server for every tab (a SharedWorker); `tab`: this tab's own (no SharedWorker here). */
  mode: 'shared' | 'tab';
  /** The session model the server serves: the page's. */
  model: SessionModel;
  control(name: ControlName, ...args: unknown[]): Promise<void>;
  /** The kit's full stats now (asks the server). */
  getStats(): Promise<MockAuthStats>;
  /** The last counters received; null before the first. */
  current(): KitSummary | null;
  subscribe(listener: () => void): () => void;
}

type Send = (message: PageMessage, transfer?: Transferable[]) => Promise<ServerMessage>;
/** Hands a request to the mock server; null when it could not answer (the page answers a network error). */
type Serve = (request: RequestParts) => Promise<ResponseParts | null>;

// A request must settle even if the worker dies or stalls: a mock server that says nothing for this long is
// answered as a network error. Longer than any lever needs (a hung refresh is given up by reauth after 8 s).
const ANSWER_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 10_000;

// Chromium's `extendedLifetime` keeps the SharedWorker running while its only tab reloads (or navigates within the
// origin): without it the worker ends with its last page, and the server with every token and cookie it issued,
// so a reload could never restore a session. Spread in, since TypeScript's WorkerOptions does not know it yet
// (and Vite reads the `type` after it). Other browsers ignore it: there a reload starts a new server.
const KEEP_ACROSS_RELOADS = { extendedLifetime: true };

function connectSharedServer(
  model: SessionModel,
  onSummary: (summary: KitSummary) => void,
): { send: Send; failed: Promise<string> } {
  const worker = new SharedWorker(new URL('./sharedServer.ts', import.meta.url), {
    ...KEEP_ACROSS_RELOADS,
    type: 'module',
    name: serverName(model),
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
    if (data.kind === 'done') onSummary(summarize(data.stats, data.cookies));
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
 * The page's one handler: every API request goes to the mock server as the browser would send it (its
 * credentials mode tells whether the browser's cookies go along), and comes back as the server answered.
 */
const forwardTo = (base: string, serve: Serve) =>
  http.all(`${base}/*`, async ({ request }) => {
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : await request.arrayBuffer();
    const answer = await serve({
      url: request.url,
      method: request.method,
      headers: [...request.headers],
      body,
      credentials: request.credentials,
    });
    if (!answer || answer.isNetworkError) return HttpResponse.error();
    const { status, statusText, headers } = answer;
    return new HttpResponse(answer.body, { status, statusText, headers });
  });

/**
 * Starts msw's service worker with the playground's API for `model`. Where the browser has SharedWorker, the API
 * runs there (one server per model for all tabs) and this tab's handler forwards to it; else it runs in this tab.
 */
export async function startMockApi(model: SessionModel = DEFAULT_MODEL): Promise<MockApi> {
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
  let serve: Serve;

  const shared = typeof SharedWorker === 'function' ? connectSharedServer(model, publish) : null;
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
    serve = async (request) => {
      const message: PageMessage = { id: nextId++, kind: 'fetch', ...request };
      const answer = await send(message, request.body ? [request.body] : []).catch((error: Error) => {
        console.error(`[playground] ${request.method} ${new URL(request.url).pathname}: ${error.message}`);
        return null;
      });
      return answer?.kind === 'response' ? answer : null;
    };
    mockApi = {
      mode: 'shared',
      model,
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
    const { createMockServer } = await import('./mockServer');
    const server = createMockServer(location.origin, model);
    serve = (request) => server.serve(request);
    const update = () => publish(summarize(server.stats, server.cookies()));
    setInterval(update, 150);
    mockApi = {
      mode: 'tab',
      model,
      async control(name, ...args) {
        (server.controls[name] as (...values: unknown[]) => void)(...args);
        update();
      },
      getStats: async () => structuredClone(server.stats),
      current: () => latest,
      subscribe,
    };
  }

  const registration = await setupWorker(forwardTo(base, serve)).start({
    onUnhandledRequest: 'bypass',
    quiet: true,
    serviceWorker: { url: `${import.meta.env.BASE_URL}mockServiceWorker.js` },
  });
  if (!isControlledBy(registration?.active ?? null)) {
    // Nothing has been sent or made yet: a reload starts this page again, controlled (as msw itself does when it
    // finds its worker registered but not in control). Once: a page still not controlled after it says so.
    if (sessionStorage.getItem(RELOADED_FOR_CONTROL) === null) {
      sessionStorage.setItem(RELOADED_FOR_CONTROL, 'yes');
      location.reload();
      return new Promise<never>(() => {});
    }
    sessionStorage.removeItem(RELOADED_FOR_CONTROL);
    throw new Error("msw's service worker does not control this page: reload it");
  }
  sessionStorage.removeItem(RELOADED_FOR_CONTROL);
  return mockApi;
}

const RELOADED_FOR_CONTROL = 'reauth-playground:reloaded-for-msw';

/**
 * Whether msw's worker, just started, controls this page: else no request of the page reaches it, and each would
 * go to the network unmocked (the static server's index.html, read as JSON). It happens on a reload of the only
 * tab, about once in 20 on a loaded machine: the old page's "CLIENT_CLOSED" makes msw's worker unregister itself
 * ("no more clients"), the new page loads uncontrolled, and its start() registers the same worker again, already
 * active, so no activation claims the page. (A worker that does activate claims the page before start()
 * resolves; were its event late, the cost is one reload more.)
 */
function isControlledBy(worker: ServiceWorker | null): boolean {
  const { controller } = navigator.serviceWorker;
  return controller !== null && (worker === null || controller === worker);
}
