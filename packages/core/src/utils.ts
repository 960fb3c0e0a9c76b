const warned = new Set<string>();
/**
 * Writes a development warning, prefixed `[reauth]`, once per distinct `key` (default: the message) for the
 * life of the module — shared by reauth's packages. Call it behind `process.env.NODE_ENV !== 'production'`
 * so that production builds drop the message. Callers never pass a token.
 * @param message one sentence: what happened and what to do
 * @param key what counts as the same warning
 */
export function warnOnce(message: string, key = message): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`[reauth] ${message}`);
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  const result = {} as Deferred<T>;
  result.promise = new Promise<T>((resolve, reject) => {
    result.resolve = resolve;
    result.reject = reject;
  });
  result.promise.catch(() => {}); // settled by design even when no one waits
  return result;
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Waits for `promise`, rejecting at once (in the same task as the abort event) when `signal` aborts, and with
 * `onTimeout()` after `timeoutMs`. The promise itself goes on (for the others who wait on it). Exported for
 * reauth's own packages.
 */
export function waitFor<T>(
  promise: Promise<T>,
  signal?: AbortSignal,
  timeoutMs?: number,
  onTimeout?: () => unknown,
): Promise<T> {
  if (!signal && !((timeoutMs as number) < Infinity)) return promise;
  return new Promise<T>((resolve, reject) => {
    const settle = (fn: (value: never) => void, value: unknown) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      fn(value as never);
    };
    const abort = () => settle(reject, abortReason(signal!));
    const timer =
      (timeoutMs as number) < Infinity
        ? setTimeout(() => settle(reject, onTimeout?.()), timeoutMs)
        : undefined;
    if (signal?.aborted) return abort();
    signal?.addEventListener('abort', abort);
    promise.then(
      (value) => settle(resolve, value),
      (error) => settle(reject, error),
    );
  });
}

/**
 * The HTTP status an error carries, in the shapes transports throw: axios and ky errors
 * (`error.response.status`), a fetch `Response` thrown as it is, any error with a numeric `status`.
 * @param error anything caught
 * @returns the status, or undefined when it carries none
 */
export function getHttpStatus(error: unknown): number | undefined {
  const candidate = error as { status?: unknown; response?: { status?: unknown } } | null;
  const status = candidate?.response?.status ?? candidate?.status;
  return typeof status === 'number' ? status : undefined;
}

/** Any header container: `Headers`, axios headers, or a plain object with names in any case. */
export type HeadersLike = { get(name: string): unknown } | Record<string, unknown> | null | undefined;

/** A header's value from any container, names in any case. */
export function getHeader(headers: HeadersLike, name: string): string | null {
  let value =
    typeof headers?.get === 'function' ? (headers as { get(name: string): unknown }).get(name) : null;
  for (const key in value == null ? headers : null) {
    if (key.toLowerCase() === name.toLowerCase()) value = (headers as Record<string, unknown>)[key];
  }
  return value == null ? null : String(value);
}

/** A URL fit for events and logs: user info dropped, credential-like query parameters redacted, no hash. */
export function redactUrl(url: string): string {
  return url
    .replace(/#.*/, '')
    .replace(/^([a-z][a-z\d+\-.]*:\/\/)[^/?#]*@/i, '$1')
    .replace(
      /([?&][^=&]*(?:token|secret|passw|code|key|auth|session|signature|jwt)[^=&]*=)[^&]*/gi,
      '$1[redacted]',
    )
    .replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[redacted]');
}
