import { type AdapterOptions, type Authorizer, createAuthLoop } from '@reauth/core';
import { AxiosError, AxiosHeaders, type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import { canceled, release } from './authRequest';
import type { Carrier, createSign } from './sign';

const sendAsIs = [(data: unknown) => data];

/**
 * Registers the response interceptor that follows every 401 of a request that carries a ticket under `key`
 * through core's 401 loop, replaying it as axios sends.
 * @returns the interceptor's id
 */
export function useReplays(
  instance: AxiosInstance,
  authorizer: Authorizer,
  sign: ReturnType<typeof createSign>,
  key: symbol,
  options: AdapterOptions<AxiosError>,
): number {
  // Replays go through an instance without interceptors: the app's request interceptors already ran on the
  // first send (their work is in the config). Their outcome then goes through the response interceptors
  // registered before this one, as the first send's did; those after it see the outcome returned from here.
  // So every interceptor runs once per request, in its order.
  const replayer = instance.create();
  const throughEarlier = (outcome: Promise<AxiosResponse>) => {
    // axios's interceptor ids are indexes into `handlers` (an ejected one leaves a hole): ours, also after detach().
    for (const handler of (instance.interceptors.response.handlers ?? []).slice(0, id)) {
      if (handler) outcome = outcome.then(handler.fulfilled, handler.rejected);
    }
    return outcome;
  };
  // The loop's call is the config of the first send.
  const loop = createAuthLoop<Carrier, AxiosResponse, AxiosError>(
    authorizer,
    {
      send(config, ticket) {
        // The body was transformed on the first send: send the same bytes.
        const copy = { ...config, headers: new AxiosHeaders(config.headers), transformRequest: sendAsIs };
        return replayer.request(sign(copy, ticket));
      },
      inspect(_, outcome, failed) {
        const resolved = outcome as AxiosResponse | undefined;
        // A `validateStatus` that accepts 401 resolves it: it is followed as a rejected one (shouldRefresh is given
        // the error axios would have made), and handed back resolved.
        const error = failed
          ? outcome
          : resolved?.status === 401 &&
            new AxiosError(
              'Request failed with status code 401',
              'ERR_BAD_REQUEST',
              resolved.config,
              resolved.request,
              resolved,
            );
        if (!isAxiosError(error) || !error.config) return undefined;
        const { response, config } = error;
        // A 401, or a network error (no response) that may hide one.
        return (response ? response.status === 401 : error.code === 'ERR_NETWORK')
          ? {
              status: response ? 401 : 0,
              headers: response?.headers,
              requestHeaders: config.headers,
              body: config.data,
              refused: error,
            }
          : undefined;
      },
      // A signed send's answers reach the signer through its own transformResponse (sign.ts), before any
      // interceptor: the loop need not show them again.
      headersOf: () => undefined,
      waitError: canceled,
      finish(config, outcome, replayed) {
        release(config);
        return replayed ? throughEarlier(outcome) : outcome;
      },
    },
    options,
  );
  // What carries no ticket of ours (skipAuth's too: a ticket marks it) goes on as it came.
  const follow = (config: Carrier | undefined, sent: Promise<AxiosResponse>) =>
    config?.[key] ? loop.follow(config, config[key], sent) : sent;
  // An interceptor registered before this one may have turned the response into anything (`response.data`).
  const onResponse = (response: AxiosResponse | null | undefined) =>
    response?.status === 401
      ? follow(response.config as Carrier | undefined, Promise.resolve(response))
      : response;
  const onError = (error: unknown) =>
    follow((error as AxiosError | null)?.config as Carrier | undefined, Promise.reject(error));
  const id = instance.interceptors.response.use(
    onResponse as (response: AxiosResponse) => AxiosResponse | Promise<AxiosResponse>,
    onError,
  );
  return id;
}
