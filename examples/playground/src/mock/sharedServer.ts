// The playground's backend, in a SharedWorker: every tab's msw handler forwards its requests here, so all tabs
// talk to one auth server (one refresh token family, one set of counters) and share its cookies, as tabs of a
// real app share one backend and the browser's cookie jar. One worker per session model: the page names it
// `reauth-playground-api:<model>` (protocol.ts), so a tab only ever reaches the server of its own model.
import './workerGlobals';
import { createMockServer } from './mockServer';
import {
  isSameSummary,
  type KitSummary,
  modelOfServerName,
  type PageMessage,
  type ServerMessage,
  summarize,
} from './protocol';

interface SharedWorkerScope {
  location: Location;
  name: string;
  onconnect: ((event: MessageEvent) => void) | null;
}

const scope = self as unknown as SharedWorkerScope;
const server = createMockServer(scope.location.origin, modelOfServerName(scope.name));
const ports = new Set<MessagePort>();
const done = (id: number, error?: string): ServerMessage => ({
  id,
  kind: 'done',
  stats: structuredClone(server.stats),
  cookies: server.cookies(),
  ...(error === undefined ? {} : { error }),
});

async function answer(port: MessagePort, message: PageMessage): Promise<void> {
  const reply = (data: ServerMessage, transfer: Transferable[] = []) => port.postMessage(data, transfer);
  if (message.kind === 'stats') return reply(done(message.id));
  if (message.kind === 'control') {
    try {
      const control = server.controls[message.name] as (...args: unknown[]) => void;
      control(...message.args);
      return reply(done(message.id));
    } catch (error) {
      return reply(done(message.id, String(error)));
    }
  }
  const { id, kind, ...request } = message;
  const response = await server.serve(request);
  reply({ id, kind: 'response', ...response }, response.body ? [response.body] : []);
}

// Every open tab shows the counters live: they change on requests from any tab, and some are recorded after
// the answer (a delayed refresh), so they are looked at a few times a second — five numbers, cheap.
let published: KitSummary | null = null;
setInterval(() => {
  const summary = summarize(server.stats, server.cookies());
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
