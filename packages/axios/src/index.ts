import {
  type Authorizer,
  type AuthorizerOptions,
  createAuthorizer,
  getHeaderValue,
  type Session,
  type Ticket,
} from '@reauth/core';
import {
  type AxiosError,
  type AxiosInstance,
  type AxiosRequestConfig,
  CanceledError,
  type InternalAxiosRequestConfig,
  isAxiosError,
} from 'axios';

declare module 'axios' {
  // biome-ignore lint/suspicious/noExplicitAny: must repeat axios's own declaration to merge with it
  interface AxiosRequestConfig<D = any> {
    /** reauth: send this request without a token and never intercept its 401 (login, refresh, public calls). */
    skipAuth?: boolean;
  }
}

export interface AttachAuthOptions extends Omit<AuthorizerOptions, 'baseURL'> {
  /**
   * Whether a 401 calls for a refresh. Default: yes, unless `WWW-Authenticate` says
   * `error="insufficient_scope"` (a permission problem, which a new token does not fix).
   */
  shouldRefresh?: (error: AxiosError) => boolean;
  /**
   * Treat a network error on a request whose token is expired by its own claims as a 401: browsers hide a
   * 401 behind a network error when the API sends no CORS headers on it. Default false.
   */
  interceptNetworkError?: boolean;
}

/** Marks a replay on the adapter's own copy of the config; a class instance, so axios keeps it by identity. */
class Replay {
  constructor(readonly attempt: number) {}
}
const REPLAY = 'reauth:replay';
const sendAsIs = [(data: unknown) => data];

/** The default `shouldRefresh`: any 401 but one that names a missing permission. */
export function isRefreshable(error: AxiosError): boolean {
  const challenge = getHeaderValue(error.response?.headers, 'www-authenticate') ?? '';
  return error.response?.status === 401 && !/error\s*=\s*"?insufficient_scope/i.test(challenge);
}

/**
 * Adds reauth to an axios instance: the token on every request to an allowed origin, one refresh for any
 * number of 401s, waiting requests replayed with the new token, re-authentication when the refresh is refused.
 *
 * @param instance from `axios.create()` (or `axios` itself)
 * @param session from `createSession()`
 * @param options allowed origins, retries, header and the 401 policy
 * @returns detach: removes both interceptors
 * @example
 * const api = axios.create({ baseURL: 'https://api.example.com' });
 * const detach = attachAuth(api, session);
 * await api.get('/items'); // token attached, refreshed and replayed as needed
 * await api.post('/auth/login', credentials, { skipAuth: true });
 */
export function attachAuth(
  instance: AxiosInstance,
  session: Session,
  options: AttachAuthOptions = {},
): () => void {
  if (typeof instance?.request !== 'function' || typeof instance.interceptors?.request?.use !== 'function') {
    throw new TypeError(
      '[reauth] attachAuth(instance, session): expected an axios instance (axios.create()) as the first argument.',
    );
  }
  if (typeof session?.getAccessToken !== 'function') {
    throw new TypeError(
      '[reauth] attachAuth(instance, session): expected a session from createSession() as the second argument.',
    );
  }
  const { shouldRefresh = isRefreshable, interceptNetworkError = false, ...rest } = options;
  const authorizer: Authorizer = createAuthorizer(
    session,
    { ...rest, baseURL: instance.defaults.baseURL },
    'attachAuth',
  );
  // Keyed by the config axios hands the interceptors (its own copy), and by its headers in case another
  // interceptor returned a new config object; never written onto the caller's objects.
  const tickets = new WeakMap<object, Ticket>();
  const toCancel = (error: unknown, config: InternalAxiosRequestConfig) =>
    config.signal?.aborted ? new CanceledError(undefined, config) : error;

  const requestId = instance.interceptors.request.use(async (config) => {
    const mark = (config as unknown as Record<string, unknown>)[REPLAY];
    const request = {
      url: config.url ?? '',
      method: config.method,
      baseURL: config.baseURL,
      signal: config.signal as AbortSignal | undefined,
      skipAuth: config.skipAuth,
    };
    const ticket = await authorizer
      .authorize(request, mark instanceof Replay ? mark.attempt : 0)
      .catch((error: unknown) => Promise.reject(toCancel(error, config)));
    const value = authorizer.credentials(ticket);
    if (value !== null) config.headers.set(authorizer.header, value);
    else if (ticket.attempt > 0 && ticket.mode === 'auth') config.headers.delete(authorizer.header);
    tickets.set(config, ticket);
    tickets.set(config.headers, ticket);
    return config;
  });

  const responseId = instance.interceptors.response.use(undefined, async (error: unknown) => {
    if (!isAxiosError(error) || !error.config) throw error;
    const config = error.config;
    const ticket = tickets.get(config) ?? tickets.get(config.headers);
    const status = error.response?.status;
    const hiddenByCors =
      interceptNetworkError &&
      !error.response &&
      error.code === 'ERR_NETWORK' &&
      !!ticket &&
      authorizer.isExpiredByClaims(ticket);
    if (!ticket || (status !== 401 && !hiddenByCors)) throw error;
    const replay = await authorizer
      .handleUnauthorized(ticket, {
        status: status ?? 0,
        headers: error.response?.headers,
        requestHeaders: config.headers,
        shouldRefresh: hiddenByCors || shouldRefresh(error),
        signal: config.signal as AbortSignal | undefined,
      })
      .catch((reason: unknown) => Promise.reject(toCancel(reason, config)));
    if (!replay) throw error;
    // The body was transformed on the first send: replay the same bytes.
    const next: AxiosRequestConfig & { [REPLAY]: Replay } = {
      ...config,
      transformRequest: sendAsIs,
      [REPLAY]: new Replay(ticket.attempt + 1),
    };
    return instance.request(next);
  });

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}
