import {
  type AuthRequest,
  createAuthLoop,
  createAuthorizer,
  misuse,
  type Session,
  type Ticket,
} from '@reauth/core';
import {
  AxiosError,
  AxiosHeaders,
  type AxiosInstance,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
  isAxiosError,
} from 'axios';
import { asAuthRequest, canceled, release, releasing } from './authRequest';
import type { AttachAuthOptions } from './options';

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
  const { shouldRefresh, interceptNetworkError } = options;
  if (typeof instance?.interceptors?.request?.use !== 'function') {
    throw misuse('attachAuth', 'expected an axios instance as the first argument');
  }
  if (shouldRefresh !== undefined && typeof shouldRefresh !== 'function') {
    throw misuse('attachAuth', 'expected options.shouldRefresh to be a function (error) => boolean');
  }
  const authorizer = createAuthorizer(
    session,
    { ...options, baseURL: instance.defaults.baseURL },
    'attachAuth',
  );
  const { header } = authorizer;
  // axios and follow-redirects drop Authorization (not other headers) on a redirect to another origin.
  const isCustomHeader = header.toLowerCase() !== 'authorization';
  // Each send's ticket rides on axios's own per-request copy of the config under a symbol: it travels into
  // error.config, and through `{ ...config }` copies other interceptors make; it stays out of JSON and
  // Object.keys. (A WeakMap here costs more GC than a whole request: its keys die young, by the thousand.)
  // Nothing is written onto the caller's objects.
  const TICKET = Symbol('reauth');
  type Carrier = InternalAxiosRequestConfig & { [TICKET]?: Ticket };
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
  const request = (config: InternalAxiosRequestConfig) => {
    const ticket = authorizer.authorize(asAuthRequest(instance, config), 0, config !== turn);
    if (!(ticket instanceof Promise)) return sign(config, ticket);
    const signed = ticket.then(
      (ready) => sign(config, ready),
      (error: unknown) => Promise.reject(canceled(config, error)),
    );
    return releasing(config, signed);
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
  const throughEarlier = (outcome: Promise<AxiosResponse>) => {
    // axios's interceptor ids are indexes into `handlers` (an ejected one leaves a hole): ours, also after detach().
    for (const handler of (instance.interceptors.response.handlers ?? []).slice(0, responseId)) {
      if (handler) outcome = outcome.then(handler.fulfilled, handler.rejected);
    }
    return outcome;
  };
  /** One request's 401 loop: its first config, and whether it was sent again. */
  type Call = { config: Carrier; replayed: boolean };
  // A `validateStatus` that accepts 401 resolves it: it is followed as a rejected one, and handed back resolved.
  const asFailure = (response: AxiosResponse) =>
    new AxiosError(
      'Request failed with status code 401',
      'ERR_BAD_REQUEST',
      response.config,
      response.request,
      response,
    );
  const loop = createAuthLoop<Call, AxiosResponse, AxiosError>(
    authorizer,
    {
      send(call, ticket) {
        call.replayed = true;
        const { config } = call;
        // The body was transformed on the first send: send the same bytes.
        const copy = { ...config, headers: new AxiosHeaders(config.headers), transformRequest: sendAsIs };
        return replayer.request(sign(copy, ticket));
      },
      inspect(_, outcome, failed) {
        const resolved = outcome as AxiosResponse | undefined;
        const error = failed ? outcome : resolved?.status === 401 && asFailure(resolved);
        if (!isAxiosError(error) || !error.config) return undefined;
        const { response, config } = error;
        const sent = { requestHeaders: config.headers, body: config.data, refused: error };
        if (response?.status === 401) return { status: 401, headers: response.headers, ...sent };
        return !response && error.code === 'ERR_NETWORK' ? { status: 0, ...sent } : undefined;
      },
      waitError: ({ config }, error) => canceled(config, error),
    },
    { shouldRefresh, interceptNetworkError },
  );
  const follow = (config: Carrier, sent: Promise<AxiosResponse>) => {
    const call: Call = { config, replayed: false };
    const done = (outcome: Promise<AxiosResponse>) => {
      release(config);
      return call.replayed ? throughEarlier(outcome) : outcome;
    };
    return loop.follow(call, config[TICKET] as Ticket, sent).then(
      (response) => done(Promise.resolve(response)),
      (error: unknown) => done(Promise.reject(error)),
    );
  };
  // An interceptor registered before this one may have turned the response into anything (`response.data`).
  const onResponse = (response: AxiosResponse | null | undefined) =>
    response?.status === 401 && (response.config as Carrier | undefined)?.[TICKET]
      ? follow(response.config, Promise.resolve(response))
      : response;
  const onError = (error: unknown) => {
    const config = (error as AxiosError | null)?.config as Carrier | undefined;
    return config?.[TICKET] ? follow(config, Promise.reject(error)) : Promise.reject(error);
  };
  const responseId = instance.interceptors.response.use(
    onResponse as (response: AxiosResponse) => AxiosResponse | Promise<AxiosResponse>,
    onError,
  );

  return () => {
    for (const id of requestIds) instance.interceptors.request.eject(id);
    instance.interceptors.response.eject(responseId);
  };
}
