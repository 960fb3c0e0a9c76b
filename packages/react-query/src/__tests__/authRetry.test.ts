import { AuthError, type AuthErrorCode } from '@reauth/core';
import { authRetry, isAuthFailure } from '@reauth/react-query';
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { AxiosError, AxiosHeaders } from 'axios';
import { describe, expect, it } from 'vitest';

const axiosError = (status: number) =>
  new AxiosError('Request failed', 'ERR_BAD_REQUEST', undefined, undefined, {
    status,
    statusText: '',
    data: null,
    headers: {},
    config: { headers: new AxiosHeaders() },
  });
/** The shape of ky's HTTPError: the status only on `response`. */
class HTTPError extends Error {
  constructor(readonly response: Response) {
    super(`Request failed with status code ${response.status}`);
  }
}
const codes: AuthErrorCode[] = [
  'SESSION_EXPIRED',
  'REAUTH_CANCELLED',
  'SIGNED_OUT',
  'REFRESH_TIMEOUT',
  'REFRESH_UNAVAILABLE',
];

const authFailures: [string, unknown][] = [
  ...codes.map((code): [string, unknown] => [`AuthError ${code}`, new AuthError(code)]),
  ['axios 401', axiosError(401)],
  ['axios 403', axiosError(403)],
  ['ky-like HTTPError 401', new HTTPError(new Response(null, { status: 401 }))],
  ['ky-like HTTPError 403', new HTTPError(new Response(null, { status: 403 }))],
  ['a plain { status: 401 }', { status: 401 }],
  ['an Error with status 403', Object.assign(new Error('forbidden'), { status: 403 })],
  ['a Response 401 thrown as is', new Response(null, { status: 401 })],
  ['a Response 403 thrown as is', new Response(null, { status: 403 })],
];
const otherErrors: [string, unknown][] = [
  ['axios 500', axiosError(500)],
  ['axios 404', axiosError(404)],
  ['axios network error (no response)', new AxiosError('Network Error', 'ERR_NETWORK')],
  ['ky-like HTTPError 500', new HTTPError(new Response(null, { status: 500 }))],
  ['a Response 500', new Response(null, { status: 500 })],
  ['a TypeError (fetch failed)', new TypeError('Failed to fetch')],
  ['a status as a string', { status: '401' }],
  ['a response that is a string', { response: '401' }],
  ['a response of null', { response: null, status: null }],
  ['an object without prototype', Object.create(null)],
  ['null', null],
  ['undefined', undefined],
  ['a string', '401 Unauthorized'],
  ['the number 401', 401],
];

describe('isAuthFailure', () => {
  it.each(authFailures)('counts %s as an auth failure', (_, error) => {
    expect(isAuthFailure(error)).toBe(true);
  });
  it.each(otherErrors)('does not count %s (and does not throw on it)', (_, error) => {
    expect(isAuthFailure(error)).toBe(false);
  });
});

describe('authRetry', () => {
  it.each(authFailures)('never retries %s, whatever the failure count', (_, error) => {
    for (const failureCount of [0, 1, 2, 5]) expect(authRetry(failureCount, error)).toBe(false);
  });
  it.each(otherErrors)('retries %s as TanStack does: after failures 0, 1 and 2, not after 3', (_, error) => {
    expect([0, 1, 2, 3, 4].map((failureCount) => authRetry(failureCount, error))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  /** How many times an observed query's function runs when it always throws `error`, with `retry` or TanStack's default. */
  async function attemptsWith(error: unknown, retry?: typeof authRetry) {
    const client = new QueryClient({
      defaultOptions: { queries: { retryDelay: 0, ...(retry && { retry }) } },
    });
    let attempts = 0;
    const observer = new QueryObserver(client, {
      queryKey: ['q'],
      queryFn: () => {
        attempts += 1;
        throw error;
      },
    });
    await new Promise<void>((settled) => {
      observer.subscribe((result) => result.status === 'error' && settled());
    });
    observer.destroy();
    return attempts;
  }

  it('runs a failing query as often as TanStack’s default for other errors, and once for an auth failure', async () => {
    expect(await attemptsWith(axiosError(500))).toBe(4);
    expect(await attemptsWith(axiosError(500), authRetry)).toBe(4);
    expect(await attemptsWith(axiosError(401), authRetry)).toBe(1);
    expect(await attemptsWith(new AuthError('SESSION_EXPIRED'), authRetry)).toBe(1);
  });
});
