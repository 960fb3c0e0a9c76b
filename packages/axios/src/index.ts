import {
  type AuthorizerOptions,
  type AuthRequest,
  challengeError,
  createAuthorizer,
  type Session,
  type Ticket,
} from '@reauth/core';
import {
  type AxiosError,
  AxiosHeaders,
  type AxiosInstance,
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

const sendAsIs = [(data: unknown) => data];

/** The default `shouldRefresh`: any 401 but one that names a missing permission. */
export function isRefreshable(error: AxiosError): boolean {
  return error.response?.status === 401 && challengeError(error.response.headers) !== 'insufficient_scope';
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
  const expected =
    typeof instance?.interceptors?.request?.use !== 'function'
      ? 'an axios instance as the first'
      : typeof session?.getAccessToken !== 'function' && 'a session from createSession() as the second';
  if (expected) throw new TypeError(`[reauth] attachAuth(instance, session): expected ${expected} argument.`);
  const { shouldRefresh = isRefreshable, interceptNetworkError, ...rest } = options;
  const authorizer = createAuthorizer(session, { ...rest, baseURL: instance.defaults.baseURL }, 'attachAuth');
  const { header } = authorizer;
  // Each send's ticket rides on the headers object of axios's own per-request copy of the config: it travels
  // through dispatch into error.config, also when another interceptor returns a new config object. A symbol
  // key stays out of JSON, Object.keys and header copies. (A WeakMap here costs more GC than a whole request:
  // its keys die young, by the thousand.) Nothing is written onto the caller's objects.
  const TICKET = Symbol('reauth');
  type Carrier = AxiosHeaders & { [TICKET]?: Ticket };
  const cancelled = (config: InternalAxiosRequestConfig) => (error: unknown) =>
    Promise.reject(config.signal?.aborted ? new CanceledError(undefined, config) : error);
  // axios's config has the fields of an AuthRequest under the same names: no copy per request.
  const authorize = authorizer.authorize as unknown as (
    config: InternalAxiosRequestConfig,
    attempt: number,
    canWait: boolean,
  ) => Ticket | Promise<Ticket>;
  /** Puts the ticket's token on the headers; a replay never keeps the token of its first send. */
  const sign = (headers: AxiosHeaders, ticket: Ticket) => {
    const value = authorizer.credentials(ticket);
    if (value !== null) headers.set(header, value);
    else if (ticket.attempt) headers.delete(header);
    (headers as Carrier)[TICKET] = ticket;
    return headers;
  };
  const request = (config: InternalAxiosRequestConfig, canWait: boolean) => {
    const ticket = authorize(config, 0, canWait);
    if (!(ticket instanceof Promise)) return sign(config.headers, ticket) && config;
    return ticket.then((ready) => sign(config.headers, ready) && config, cancelled(config));
  };
  // Two registrations: when nothing has to wait (almost always) a synchronous one that never waits, so axios
  // keeps its synchronous path; while a refresh or a re-authentication runs, an asynchronous one that waits.
  // axios asks both registrations' runWhen, one right after the other, for the same config: decide once,
  // and let go of the config after the second question.
  let asked: InternalAxiosRequestConfig | undefined;
  let waits = false;
  const mustWait = (config: InternalAxiosRequestConfig) =>
    authorizer.mustWait(config as unknown as AuthRequest);
  const requestIds = [
    instance.interceptors.request.use(
      (config) => request(config, false) as InternalAxiosRequestConfig,
      undefined,
      {
        synchronous: true,
        runWhen: (config) => {
          asked = config;
          waits = mustWait(config);
          return !waits;
        },
      },
    ),
    instance.interceptors.request.use((config) => request(config, true), undefined, {
      runWhen: (config) => {
        const result = config === asked ? waits : mustWait(config);
        asked = undefined;
        return result;
      },
    }),
  ];

  // Replays go through an instance without interceptors: the app's request interceptors already ran on the
  // first send (their work is in the config), and the response interceptors after this one run once, on the
  // outcome returned from here.
  const replayer = instance.create();
  const responseId = instance.interceptors.response.use(undefined, async (first: unknown) => {
    let error = first;
    let ticket = ((error as AxiosError | null)?.config?.headers as Carrier | undefined)?.[TICKET];
    while (ticket && isAxiosError(error) && error.config) {
      const config = error.config;
      const status = error.response?.status;
      const hiddenByCors =
        interceptNetworkError &&
        !error.response &&
        error.code === 'ERR_NETWORK' &&
        authorizer.isExpiredByClaims(ticket);
      if (status !== 401 && !hiddenByCors) break;
      const exchange = {
        status: status ?? 0,
        headers: error.response?.headers,
        requestHeaders: config.headers,
        shouldRefresh: hiddenByCors || shouldRefresh(error),
      };
      const next = await authorizer.handleUnauthorized(ticket, exchange).catch(cancelled(config));
      if (!next) break;
      ticket = next;
      try {
        // The body was transformed on the first send: send the same bytes.
        const headers = sign(new AxiosHeaders(config.headers), ticket);
        return await replayer.request({ ...config, headers, transformRequest: sendAsIs });
      } catch (failed) {
        error = failed;
      }
    }
    throw error;
  });

  return () => {
    for (const id of requestIds) instance.interceptors.request.eject(id);
    instance.interceptors.response.eject(responseId);
  };
}
