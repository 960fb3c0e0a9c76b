// The playground's backend, in a SharedWorker: every tab's msw handler forwards its requests here, so all tabs
// talk to one auth server (one refresh token family, one set of counters), as tabs of a real app do.
import './workerGlobals';
import { getResponse } from 'msw';
import { createPlaygroundApi } from './api';
import { isSameSummary, type KitSummary, type PageMessage, type ServerMessage, summarize } from './protocol';

interface SharedWorkerScope {
  location: Location;
  onconnect: ((event: MessageEvent) => void) | null;
}

const scope = self as unknown as SharedWorkerScope;
const api = createPlaygroundApi(scope.location.origin);
const ports = new Set<MessagePort>();
const snapshot = () => structuredClone(api.stats);

async function respond(message: Extract<PageMessage, { kind: 'fetch' }>): Promise<Response> {
  const request = new Request(message.url, {
    method: message.method,
    headers: message.headers,
    body: message.body,
  });
  try {
    const response = await getResponse(api.handlers, request);
    if (response) return response;
    const description = `No mock route for ${request.method} ${new URL(request.url).pathname}`;
    return Response.json({ error: 'not_found', error_description: description }, { status: 404 });
  } catch (error) {
    // A handler that throws is a bug of the mock: a 500 says so, and the request still settles.
    // The path only: a query may carry a secret.
    console.error(
      '[playground] the mock server failed on',
      request.method,
      new URL(request.url).pathname,
      error,
    );
    return Response.json(
      { error: 'server_error', error_description: 'The mock server failed' },
      { status: 500 },
    );
  }
}

async function answer(port: MessagePort, message: PageMessage): Promise<void> {
  const reply = (data: ServerMessage, transfer: Transferable[] = []) => port.postMessage(data, transfer);
  if (message.kind === 'stats') return reply({ id: message.id, kind: 'done', stats: snapshot() });
  if (message.kind === 'control') {
    try {
      const control = api.controls[message.name] as (...args: unknown[]) => void;
      control(...message.args);
      return reply({ id: message.id, kind: 'done', stats: snapshot() });
    } catch (error) {
      return reply({ id: message.id, kind: 'done', stats: snapshot(), error: String(error) });
    }
  }
  const response = await respond(message);
  const isNetworkError = response.type === 'error';
  const body = isNetworkError || response.body === null ? null : await response.arrayBuffer();
  reply(
    {
      id: message.id,
      kind: 'response',
      isNetworkError,
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body,
    },
    body ? [body] : [],
  );
}

// Every open tab shows the counters live: they change on requests from any tab, and some are recorded after
// the answer (a delayed refresh), so they are looked at a few times a second — five numbers, cheap.
let published: KitSummary | null = null;
setInterval(() => {
  const summary = summarize(api.stats);
  if (isSameSummary(published, summary)) return;
  published = summary;
  for (const port of ports) port.postMessage({ kind: 'summary', summary } satisfies ServerMessage);
}, 150);

scope.onconnect = (event) => {
  const port = event.ports[0];
  if (!port) return;
  ports.add(port);
  if (published) port.postMessage({ kind: 'summary', summary: published } satisfies ServerMessage);
  port.onmessage = (message: MessageEvent<PageMessage | { kind: 'bye' }>) => {
    if (message.data.kind === 'bye') ports.delete(port);
    else void answer(port, message.data);
  };
  port.start();
};
