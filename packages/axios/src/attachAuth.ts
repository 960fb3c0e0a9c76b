import { type AuthRequest, createAuthorizer, misuse, type Session } from '@reauth/core';
import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { asAuthRequest, canceled, releasing } from './authRequest';
import type { AttachAuthOptions } from './options';
import { useReplays } from './replays';
import { createSign } from './sign';
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
  const where = 'attachAuth(instance, session)';
  // Production throws the engine's own TypeError at the same call (destructuring null).
  if (process.env.NODE_ENV !== 'production' && (typeof options !== 'object' || !options))
    throw misuse(where, 'expected an options object, or nothing');
  const { shouldRefresh } = options;
  // Development only: production throws the engine's own TypeError at this call (without an instance), or
  // createAuthorizer's `[reauth] attachAuth: expected a session from createSession()` (without a session).
  if (process.env.NODE_ENV !== 'production') {
    if (typeof instance?.interceptors?.request?.use !== 'function') {
      throw misuse(where, 'expected an axios instance as the first argument');
    }
    if (typeof session?.getAccessToken !== 'function') {
      throw misuse(where, 'expected a session from createSession() as the second argument');
    }
  }
  if (shouldRefresh !== undefined && typeof shouldRefresh !== 'function') {
    throw misuse(where, 'expected options.shouldRefresh to be a function (error) => boolean');
  }
  const authorizer = createAuthorizer(
    session,
    { ...options, baseURL: instance.defaults.baseURL },
    'attachAuth',
  );
  // Each send's ticket rides on axios's own per-request copy of the config under a symbol: it travels into
  // error.config, and through `{ ...config }` copies other interceptors make; it stays out of JSON and
  // Object.keys. (A WeakMap here costs more GC than a whole request: its keys die young, by the thousand.)
  // Nothing is written onto the caller's objects.
  const TICKET = Symbol('reauth');
  const sign = createSign(authorizer, TICKET);

  // axios runs a `synchronous` interceptor in the same turn as its runWhen, or (when another interceptor is
  // asynchronous) later, in a promise chain: only then may it wait, and it must, if a refresh began meanwhile.
  let turn: InternalAxiosRequestConfig | undefined;
  const endTurn = () => {
    turn = undefined;
  };
  const request = (config: InternalAxiosRequestConfig, canWait: boolean) => {
    // The URL as read now, when its origin is checked: axios reads a URL object again when it sends (after a
    // refresh or a proof), and the caller may have changed it by then. (This config is axios's own copy.)
    if (config.url != null && typeof config.url !== 'string') config.url = String(config.url);
    const ticket = authorizer.authorize(asAuthRequest(instance, config), 0, canWait);
    if (!(ticket instanceof Promise)) return sign(config, ticket);
    const signed = ticket.then(
      (ready) => sign(config, ready),
      (error: unknown) => {
        throw canceled(config, error);
      },
    );
    return releasing(config, signed);
  };
  // Two registrations: when nothing has to wait (almost always) a synchronous one, so axios keeps its
  // synchronous path; while a refresh or a re-authentication runs, an asynchronous one that waits.
  // axios asks both runWhen one right after the other for the same config: decide once.
  let waits = false;
  const { request: requests } = instance.interceptors;
  // Only another asynchronous interceptor can put ours after its turn (axios then chains them all).
  const isOtherAsync = (handler: { synchronous?: boolean } | null, id: number) =>
    !!handler && !handler.synchronous && id !== requestIds[1];
  const requestIds = [
    requests.use((config) => request(config, config !== turn) as InternalAxiosRequestConfig, null, {
      synchronous: true,
      runWhen: (config) => {
        turn = config;
        if (requests.handlers?.some(isOtherAsync) ?? true) queueMicrotask(endTurn);
        waits = authorizer.mustWait(config as unknown as AuthRequest);
        return !waits;
      },
    }),
    requests.use((config) => request(config, true), null, {
      runWhen: (config) => config === turn && waits,
    }),
  ];
  const responseId = useReplays(instance, authorizer, sign, TICKET, options);

  return () => {
    for (const id of requestIds) requests.eject(id);
    instance.interceptors.response.eject(responseId);
  };
}
