import type { AuthRequest } from '@reauth/core';
import { type AxiosInstance, CanceledError, type InternalAxiosRequestConfig } from 'axios';

// A CancelToken (axios's legacy cancellation) must cancel a waiting request as a signal does. The authorizer gets
// a signal for both, made when it first waits and let go (RELEASE) when the request settles: a token shared by
// many requests keeps no listener of ours.
const RELEASE = Symbol('reauth.release');
type Cancellable = InternalAxiosRequestConfig & { [RELEASE]?: () => void };

/** Lets go of the CancelToken a wait of this request listened to, if any. */
export const release = (config: Cancellable): void => config[RELEASE]?.();

/** `waiting`, letting go of the CancelToken when it settles — only where one was listened to: a `finally` per
 * waiting request costs memory in a burst. */
export const releasing = <T>(config: Cancellable, waiting: Promise<T>): Promise<T> => {
  const listened = config[RELEASE];
  return listened ? waiting.finally(listened) : waiting;
};

/** A wait that failed: axios's own CanceledError when the request's signal aborted it, else the error itself. */
export const canceled = (config: InternalAxiosRequestConfig, error: unknown): unknown =>
  config.signal?.aborted ? new CanceledError(undefined, config) : error;

/**
 * The request as the authorizer reads it. The config itself (axios's config has the fields of an AuthRequest
 * under the same names: no copy per request), except with a CancelToken (above) or `allowAbsoluteUrls: false`,
 * which makes axios join even an absolute URL to baseURL: the origin check must too.
 */
export function asAuthRequest(instance: AxiosInstance, config: Cancellable): AuthRequest {
  const { cancelToken, baseURL, url = '', signal: given } = config;
  const isJoined = config.allowAbsoluteUrls === false && !!baseURL;
  if (!cancelToken && !isJoined) return config as unknown as AuthRequest; // every request but those: nothing more read
  let joined = url;
  // axios's own joining (buildFullPath); an invalid URL fails the send anyway, with axios's error.
  try {
    if (isJoined) joined = instance.getUri(config);
  } catch {}
  let made: AbortController | undefined;
  return {
    url: joined,
    baseURL, // as axios has it (ignored beside the joined, absolute url): the authorizer copies nothing
    method: config.method,
    skipAuth: config.skipAuth,
    get signal() {
      if (cancelToken && !made) {
        const controller = new AbortController();
        // `canceled` turns an abort of `given` into axios's CanceledError; the token's reason is one already.
        const abort = (reason?: unknown) => controller.abort(reason);
        cancelToken.subscribe(abort);
        given?.addEventListener?.('abort', abort);
        if (given?.aborted) abort();
        config[RELEASE] = () => {
          cancelToken.unsubscribe(abort);
          given?.removeEventListener?.('abort', abort);
          made = undefined;
        };
        made = controller;
      }
      return made ? made.signal : (given as AbortSignal | undefined);
    },
  };
}
