declare const process: { env: { NODE_ENV?: string } };

/** Development-only warnings: bundlers fold `process.env.NODE_ENV` away in production. */
export function isDev(): boolean {
  try {
    return process.env.NODE_ENV !== 'production';
  } catch {
    return false;
  }
}

const warned = new Set<string>();
/** Warns once per distinct message, in development only. Callers never pass a token. */
export function warnOnce(message: string): void {
  if (!isDev() || warned.has(message)) return;
  warned.add(message);
  console.warn(`[reauth] ${message}`);
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // settled by design even when no one waits
  return { promise, resolve, reject };
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Waits for `promise`, rejecting at once (in the same task as the abort event) when `signal` aborts
 * and, with `timeoutMs`, with `onTimeout()` when it runs out. The promise itself goes on.
 */
export function waitFor<T>(
  promise: Promise<T>,
  signal?: AbortSignal,
  timeoutMs = Number.POSITIVE_INFINITY,
  onTimeout?: () => unknown,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (!signal && !Number.isFinite(timeoutMs)) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => settle(reject, abortReason(signal!));
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => settle(reject, onTimeout?.()), timeoutMs)
      : undefined;
    function settle<V>(fn: (value: V) => void, value: V) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn(value);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => settle(resolve, value),
      (error) => settle(reject, error),
    );
  });
}

/** The HTTP status an error carries: axios errors, fetch `Response`s, and errors with a `status`. */
export function getHttpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { status?: unknown; response?: { status?: unknown } };
  const status = candidate.response?.status ?? candidate.status;
  return typeof status === 'number' ? status : undefined;
}

/** Any header container: `Headers`, axios headers, or a plain object with names in any case. */
export type HeadersLike = { get(name: string): unknown } | Record<string, unknown> | null | undefined;

export function getHeader(headers: HeadersLike, name: string): string | null {
  if (!headers) return null;
  if (typeof headers.get === 'function') {
    const value = (headers as { get(name: string): unknown }).get(name);
    if (value != null) return String(value);
  }
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) {
      const value = (headers as Record<string, unknown>)[key];
      return value == null ? null : String(value);
    }
  }
  return null;
}

const SECRET_PARAM = /token|secret|password|passwd|code|key|auth|session|signature/i;
/** A URL fit for events and logs: credential-like query parameters redacted, the hash dropped. */
export function redactUrl(url: string): string {
  const [beforeHash = ''] = url.split('#');
  const queryAt = beforeHash.indexOf('?');
  if (queryAt < 0) return beforeHash;
  const query = beforeHash
    .slice(queryAt + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      return SECRET_PARAM.test(name) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${beforeHash.slice(0, queryAt)}?${query}`;
}
