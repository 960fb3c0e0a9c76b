import { createAuthFetch } from '@reauth/fetch';
import type { AuthModel, Method, ModelReply, Transport } from '#test-support/model';

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
const API = 'https://api.test';

function toResponse(reply: ModelReply): Response {
  if (reply === 'network') throw new TypeError('fetch failed');
  return new Response(JSON.stringify(reply.data), { status: reply.status, headers: reply.headers ?? {} });
}

/**
 * The model as a fetch: it builds a Request as fetch does, reads the body from its stream once the send is
 * under way, rejects with the signal's reason on abort and with a TypeError on a network error.
 */
export function modelFetch(model: AuthModel): Fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const { signal } = request;
    const abortReason = () => signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
    const reply = await model.serve(
      {
        reqId: request.headers.get('x-req-id') ?? 'anonymous',
        url: new URL(request.url).pathname,
        bearer: request.headers.get('authorization')?.replace(/^Bearer /, '') ?? null,
        sent: {
          method: request.method,
          href: request.url,
          authorization: request.headers.get('authorization'),
          proof: request.headers.get('dpop'),
        },
        readBody: () => request.text().then((text) => text || null),
        signal,
      },
      abortReason,
    );
    return toResponse(reply);
  };
}

/** GET: the hot path; POST: a string body; PUT: bytes, built into a Request; PATCH: a Request as input. */
function send(authFetch: Fetch, method: Method, init: RequestInit, body: string) {
  if (method === 'GET') return authFetch(`${API}/items`, init);
  if (method === 'POST') return authFetch(`${API}/echo`, { ...init, method, body });
  if (method === 'PUT')
    return authFetch(`${API}/echo`, { ...init, method, body: new TextEncoder().encode(body) });
  return authFetch(new Request(`${API}/echo`, { ...init, method, body }));
}

/** fetch for the interleaving properties: createAuthFetch over the model, every way of giving a body. */
export const fetchTransport: Transport = {
  methods: ['GET', 'POST', 'PUT', 'PATCH'],
  resolvesErrorStatuses: true,
  connect(model, session) {
    const authFetch = createAuthFetch(session, { fetch: modelFetch(model), allowedOrigins: [API] });
    return {
      send: async (command, init) => {
        const response = await send(authFetch, command.method, init, JSON.stringify(command));
        return { status: response.status, data: await response.json() };
      },
      refresh: async (refreshToken, signal, headers) => {
        const body = JSON.stringify({ refreshToken });
        const response = await authFetch(`${API}/auth/refresh`, {
          method: 'POST',
          body,
          skipAuth: true,
          signal,
          headers,
        });
        if (!response.ok) throw response; // isRefreshRejected reads its status
        return response.json();
      },
    };
  },
  isAbort: (error) => error instanceof DOMException && error.name === 'AbortError',
  answerOf: () => undefined,
};
