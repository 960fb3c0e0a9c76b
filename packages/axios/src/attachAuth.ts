import { type AuthRequest, createAuthorizer, type Session, type Ticket } from '@reauth/core';
import {
  AxiosError,
  AxiosHeaders,
  type AxiosInstance,
  type AxiosResponse,
  CanceledError,
  type InternalAxiosRequestConfig,
  isAxiosError,
} from 'axios';
import { type AttachAuthOptions, isRefreshable } from './options';

const sendAsIs = [(data: unknown) => data];

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
  const { shouldRefresh = isRefreshable, interceptNetworkError, ...rest } = options;
  const expected =
    typeof instance?.interceptors?.request?.use !== 'function'
      ? 'an axios instance as the first argument'
      : typeof session?.getAccessToken !== 'function'
        ? 'a session from createSession() as the second argument'
        : typeof shouldRefresh !== 'function' && 'options.shouldRefresh to be a function (error) => boolean';
  if (expected) throw new TypeError(`[reauth] attachAuth(instance, session): expected ${expected}.`);
  const authorizer = createAuthorizer(session, { ...rest, baseURL: instance.defaults.baseURL }, 'attachAuth');
  const { header } = authorizer;
  // axios and follow-redirects drop Authorization (not other headers) on a redirect to another origin.
  const isCustomHeader = header.toLowerCase() !== 'authorization';
  // Each send's ticket rides on axios's own per-request copy of the config under a symbol: it travels into
  // error.config, and through `{ ...config }` copies other interceptors make; it stays out of JSON and
  // Object.keys. (A WeakMap here costs more GC than a whole request: its keys die young, by the thousand.)
  // Nothing is written onto the caller's objects.
  const TICKET = Symbol('reauth');
  type Carrier = InternalAxiosRequestConfig & { [TICKET]?: Ticket };
  const cancelled = (config: InternalAxiosRequestConfig) => (error: unknown) =>
    Promise.reject(config.signal?.aborted ? new CanceledError(undefined, config) : error);
  // axios's config has the fields of an AuthRequest under the same names: no copy per request.
  const authorize = authorizer.authorize as unknown as (
    config: InternalAxiosRequestConfig,
    attempt: number,
    canWait: boolean,
  ) => Ticket | Promise<Ticket>;
  /** Puts the ticket's token on the config's headers (a replay never keeps the token of its first send). */
  const sign = <C extends InternalAxiosRequestConfig>(config: C, ticket: Ticket): C => {
    const headers = AxiosHeaders.from(config.headers); // another interceptor may have made it a plain object
    const value = authorizer.credentials(ticket);
    if (value !== null) headers.set(header, value);
    else if (ticket.attempt) headers.delete(header);
    if (isCustomHeader && !config.sensitiveHeaders?.includes(header)) {
      config.sensitiveHeaders = [...(config.sensitiveHeaders ?? []), header];
    }
    config.headers = headers;
    (config as Carrier)[TICKET] = ticket;
    return config;
  };
  // axios runs a `synchronous` interceptor in the same turn as its runWhen, or (when another interceptor is
  // asynchronous) later, in a promise chain: only then may it wait, and it must, if a refresh began meanwhile.
  let turn: InternalAxiosRequestConfig | undefined;
  const endTurn = () => {
    turn = undefined;
  };
  // A CancelToken (axios's legacy cancellation) must cancel a waiting request as a signal does. The authorizer
  // gets a signal for both, made when it first waits and let go when the wait ends (RELEASE): a token shared by
  // many requests keeps no listener of ours.
  const RELEASE = Symbol('reauth.release');
  type Cancellable = InternalAxiosRequestConfig & { [RELEASE]?: () => void };
  // axios's own joining (buildFullPath); an invalid URL fails the send anyway, with axios's error.
  const fullUri = (config: InternalAxiosRequestConfig, url: string) => {
    try {
      return instance.getUri(config);
    } catch {
      return url;
    }
  };
  // The config itself is the AuthRequest (no copy per request), except with a CancelToken (above) or
  // `allowAbsoluteUrls: false`, which makes axios join even an absolute URL to baseURL: the origin check must too.
  const asAuthRequest = (config: Cancellable): InternalAxiosRequestConfig => {
    const { cancelToken, baseURL } = config;
    const isJoined = config.allowAbsoluteUrls === false && !!baseURL;
    if (!cancelToken && !isJoined) return config; // every request but those: nothing more read
    const { url = '', method, skipAuth, signal: given } = config;
    let signal = given as AbortSignal | undefined;
    const request: AuthRequest = {
      url: isJoined ? fullUri(config, url) : url,
      baseURL, // as axios has it (ignored beside the joined, absolute url): the authorizer copies nothing
      method,
      skipAuth,
      get signal() {
        if (cancelToken && signal === given) {
          const controller = new AbortController();
          // `cancelled` turns an abort of `given` into axios's CanceledError; the token's reason is one already.
          const abort = (reason: unknown) => controller.abort(reason);
          cancelToken.subscribe(abort);
          given?.addEventListener?.('abort', abort);
          if (given?.aborted) abort(undefined);
          config[RELEASE] = () => {
            cancelToken.unsubscribe(abort);
            given?.removeEventListener?.('abort', abort);
            signal = given as AbortSignal | undefined;
          };
          signal = controller.signal;
        }
        return signal;
      },
    };
    return request as unknown as InternalAxiosRequestConfig;
  };
  // Only where a CancelToken was listened to: a `finally` per waiting request costs memory in a burst.
  const releasing = <T>(config: Cancellable, waiting: Promise<T>) => {
    const release = config[RELEASE];
    return release ? waiting.finally(release) : waiting;
  };
  const request = (config: InternalAxiosRequestConfig) => {
    const ticket = authorize(asAuthRequest(config), 0, config !== turn);
    return ticket instanceof Promise
      ? releasing(
          config,
          ticket.then((ready) => sign(config, ready), cancelled(config)),
        )
      : sign(config, ticket);
  };
  // Two registrations: when nothing has to wait (almost always) a synchronous one, so axios keeps its
  // synchronous path; while a refresh or a re-authentication runs, an asynchronous one that waits.
  // axios asks both runWhen one right after the other for the same config: decide once.
  let waits = false;
  const requestIds = [
    instance.interceptors.request.use(
      request as (config: InternalAxiosRequestConfig) => InternalAxiosRequestConfig,
      undefined,
      {
        synchronous: true,
        runWhen: (config) => {
          turn = config;
          queueMicrotask(endTurn);
          waits = authorizer.mustWait(config as unknown as AuthRequest);
          return !waits;
        },
      },
    ),
    instance.interceptors.request.use(request, undefined, { runWhen: (config) => config === turn && waits }),
  ];

  // Replays go through an instance without interceptors: the app's request interceptors already ran on the
  // first send (their work is in the config). Their outcome then goes through the response interceptors
  // registered before this one, as the first send's did; those after it see the outcome returned from here.
  // So every interceptor runs once per request, in its order.
  const replayer = instance.create();
  const settle = (outcome: Promise<AxiosResponse>) => {
    // axios's interceptor ids are indexes into `handlers` (an ejected one leaves a hole): ours, also after detach().
    for (const handler of (instance.interceptors.response.handlers ?? []).slice(0, responseId)) {
      if (handler) outcome = outcome.then(handler.fulfilled, handler.rejected);
    }
    return outcome;
  };
  const onError = async (first: unknown): Promise<unknown> => {
    let error = first;
    let ticket = ((error as AxiosError | null)?.config as Carrier | undefined)?.[TICKET];
    let replayed = false;
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
        body: config.data,
      };
      // Called first: a wait in it has read the signal (and listened to a CancelToken) by the time it returns.
      const handling = authorizer.handleUnauthorized(ticket, exchange).catch(cancelled(config));
      const next = await releasing(config, handling);
      if (!next) break;
      ticket = next;
      replayed = true;
      // The body was transformed on the first send: send the same bytes.
      const replay = sign(
        { ...config, headers: new AxiosHeaders(config.headers), transformRequest: sendAsIs },
        next,
      );
      const outcome = await replayer.request(replay).then(
        (response) => ({ response }),
        (failed: unknown) => ({ failed }),
      );
      if (!('response' in outcome)) error = outcome.failed;
      // A 401 that `validateStatus` resolved is a failure all the same: it may join another refresh.
      else if (outcome.response.status === 401) error = asFailure(outcome.response);
      else return settle(Promise.resolve(outcome.response));
    }
    // Such a 401 that nothing could fix goes back resolved, as the caller's validateStatus asked.
    const outcome = resolved.has(error as AxiosError)
      ? Promise.resolve((error as AxiosError).response)
      : Promise.reject(error);
    return replayed ? settle(outcome as Promise<AxiosResponse>) : outcome;
  };
  // A `validateStatus` that accepts 401 resolves it: handled as a rejected one (see the end of onError).
  const resolved = new WeakSet<AxiosError>();
  const asFailure = (response: AxiosResponse) => {
    const { config, request: sent } = response;
    const failure = new AxiosError(
      'Request failed with status code 401',
      'ERR_BAD_REQUEST',
      config,
      sent,
      response,
    );
    resolved.add(failure);
    return failure;
  };
  // An interceptor registered before this one may have turned the response into anything (`response.data`).
  const onResponse = (response: AxiosResponse | null | undefined) =>
    response?.status === 401 && (response.config as Carrier | undefined)?.[TICKET]
      ? (onError(asFailure(response)) as Promise<AxiosResponse>)
      : response;
  const responseId = instance.interceptors.response.use(
    onResponse as (response: AxiosResponse) => AxiosResponse | Promise<AxiosResponse>,
    onError,
  );

  return () => {
    for (const id of requestIds) instance.interceptors.request.eject(id);
    instance.interceptors.response.eject(responseId);
  };
}
