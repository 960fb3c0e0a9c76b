// The playground's backend, in a SharedWorker: every tab's msw handler forwards its requests here, so all tabs
// talk to one auth server (one refresh token family, one set of counters), as tabs of a real app do.
import './workerGlobals';
import { getResponse } from 'msw';
import { createPlaygroundApi } from './api';
import type { PageMessage, ServerMessage } from './protocol';

interface SharedWorkerScope {
  location: Location;
  onconnect: ((event: MessageEvent) => void) | null;
}

const scope = self as unknown as SharedWorkerScope;
const api = createPlaygroundApi(scope.location.origin);
const ports = new Set<MessagePort>();
const snapshot = () => structuredClone(api.stats);

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
  const request = new Request(message.url, {
    method: message.method,
    headers: message.headers,
    body: message.body,
  });
  const response =
    (await getResponse(api.handlers, request)) ??
    Response.json(
      { error: 'not_found', error_description: `No mock route for ${request.method} ${request.url}` },
      { status: 404 },
    );
  const body = response.type === 'error' || response.body === null ? null : await response.arrayBuffer();
  reply(
    {
      id: message.id,
      kind: 'response',
      isNetworkError: response.type === 'error',
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body,
    },
    body ? [body] : [],
  );
}

// Every open tab shows the server's counters live: they change on requests from any tab.
let published = '';
setInterval(() => {
  const json = JSON.stringify(api.stats);
  if (json === published) return;
  published = json;
  for (const port of ports) port.postMessage({ kind: 'stats', stats: snapshot() } satisfies ServerMessage);
}, 150);

scope.onconnect = (event) => {
  const port = event.ports[0];
  if (!port) return;
  ports.add(port);
  port.onmessage = (message: MessageEvent<PageMessage | { kind: 'bye' }>) => {
    if (message.data.kind === 'bye') ports.delete(port);
    else void answer(port, message.data);
  };
  port.start();
};
