import { attachAuth } from '@reauth/axios';
import axios, {
  type AxiosAdapter,
  AxiosError,
  AxiosHeaders,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
  isAxiosError,
} from 'axios';
import type { Scheduler } from 'fast-check';
import {
  type Answered,
  API_ORIGIN,
  type AuthModel,
  createAuthModel,
  FOREIGN_ORIGIN,
  type ModelReply,
  type ModelSetup,
  type Transport,
} from '#test-support/model';

// The names this file exported when it held the model itself (test/crossTab imports them from here).
export {
  ACCESS_TTL_MS,
  DEFAULT_LEEWAY_MS,
  type IssuedToken,
  type ModelAnswer,
  type ModelSend,
  type RefreshFailure,
} from '#test-support/model';

function toResponse(config: InternalAxiosRequestConfig, reply: ModelReply): AxiosResponse {
  if (reply === 'network') throw new AxiosError('Network Error', 'ERR_NETWORK', config, {});
  const { status, data } = reply;
  const headers = new AxiosHeaders(reply.headers ?? {});
  const response = { status, statusText: String(status), headers, config, data, request: {} };
  if (status < 400) return response;
  const code = status < 500 ? 'ERR_BAD_REQUEST' : 'ERR_BAD_RESPONSE';
  throw new AxiosError(`Request failed with status code ${status}`, code, config, {}, response);
}

const answered = ({ status, data }: AxiosResponse): Answered => ({ status, data });

/**
 * The model as an axios adapter: POST /auth/refresh (`{ refreshToken }`), any other path is protected; an
 * absolute URL goes to its own origin (the API's, or the foreign one).
 */
export function modelAdapter(model: AuthModel): AxiosAdapter {
  return async (config) => {
    const authorization = config.headers.get('Authorization');
    const absolute = /^https?:\/\//.test(config.url ?? '') ? new URL(config.url as string) : null;
    const request = {
      reqId: String(config.headers.get('x-req-id') ?? 'anonymous'),
      url: absolute ? absolute.pathname : (config.url ?? ''),
      origin: absolute ? absolute.origin : API_ORIGIN,
      bearer: typeof authorization === 'string' ? authorization.replace(/^Bearer /, '') : null,
      sent: {
        method: (config.method ?? 'get').toUpperCase(),
        href: (absolute ?? new URL(config.url ?? '', API_ORIGIN)).href,
        authorization: typeof authorization === 'string' ? authorization : null,
        proof: (config.headers.get('DPoP') as string | undefined) ?? null,
      },
      body: config.data,
      signal: config.signal as AbortSignal | undefined,
    };
    return toResponse(config, await model.serve(request, () => new CanceledError(undefined, config)));
  };
}

/**
 * axios for the interleaving properties: GET /items and POST /echo on an instance with reauth attached, and GET
 * on the foreign origin through the same instance.
 */
export const axiosTransport: Transport = {
  methods: ['GET', 'POST'],
  resolvesErrorStatuses: false,
  connect(model, session) {
    const api = axios.create({ baseURL: API_ORIGIN, adapter: modelAdapter(model) });
    attachAuth(api, session);
    return {
      send: (command, config) =>
        (command.method === 'GET' ? api.get('/items', config) : api.post('/echo', command, config)).then(
          answered,
        ),
      refresh: async (refreshToken, signal, headers) =>
        (await api.post('/auth/refresh', { refreshToken }, { skipAuth: true, signal, headers })).data,
      sendForeign: (config) => api.get(`${FOREIGN_ORIGIN}/asset`, config).then(answered),
    };
  },
  isAbort: (error) => error instanceof CanceledError,
  answerOf: (error) => (isAxiosError(error) && error.response ? answered(error.response) : undefined),
};

/** The model with its axios adapter in one object (test/crossTab uses it). */
export interface PropertyModel extends AuthModel {
  adapter: AxiosAdapter;
}

/**
 * A fresh model whose answers land as `s` orders them, and its axios adapter.
 * @param setup the session model (default: both tokens in JS)
 */
export function createPropertyModel(s: Scheduler, setup?: ModelSetup): PropertyModel {
  const model = createAuthModel(s, setup);
  return Object.assign(model, { adapter: modelAdapter(model) });
}
