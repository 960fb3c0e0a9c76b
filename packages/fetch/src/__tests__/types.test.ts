import { createSession } from '@reauth/core';
import {
  type AuthFetch,
  type AuthRequestInit,
  type CreateAuthFetchOptions,
  createAuthFetch,
  isRefreshable,
} from '@reauth/fetch';
import { describe, expectTypeOf, it } from 'vitest';

// Checked by `tsc` (the @ts-expect-error lines fail the typecheck if they compile); the runtime part only
// makes sure the file loads.
describe('types', () => {
  it('returns a function assignable to typeof fetch, with fetch’s parameters', () => {
    const authFetch = createAuthFetch(createSession(), { allowedOrigins: ['https://api.test'] });
    const asFetch: typeof fetch = authFetch;
    expectTypeOf(asFetch).toBeFunction();
    expectTypeOf(authFetch).toEqualTypeOf<AuthFetch>();
    expectTypeOf(authFetch).parameter(0).toEqualTypeOf<RequestInfo | URL>();
    expectTypeOf(authFetch).returns.toEqualTypeOf<Promise<Response>>();
    // A library's fetch option takes it as it is.
    const takesFetch = (options: { fetch: typeof globalThis.fetch }) => options;
    expectTypeOf(takesFetch({ fetch: authFetch })).toHaveProperty('fetch');
  });

  it('types skipAuth through AuthRequestInit, which extends RequestInit', () => {
    expectTypeOf<AuthRequestInit>().toExtend<RequestInit>();
    expectTypeOf<AuthRequestInit['skipAuth']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<RequestInit>().toExtend<AuthRequestInit>();
  });

  it('types the options and refuses wrong ones', () => {
    expectTypeOf<CreateAuthFetchOptions['shouldRefresh']>().toEqualTypeOf<
      ((response: Response) => boolean) | undefined
    >();
    expectTypeOf(isRefreshable).toEqualTypeOf<(response: Response) => boolean>();
    expectTypeOf<{ fetch: typeof fetch }>().toExtend<CreateAuthFetchOptions>();
    expectTypeOf<{ maxRetries: string }>().not.toExtend<CreateAuthFetchOptions>();
    expectTypeOf<{ allowedOrigins: (string | RegExp)[] }>().toExtend<CreateAuthFetchOptions>();
    expectTypeOf<{ baseURL: string }>().not.toExtend<CreateAuthFetchOptions>();

    const session = createSession();
    const authFetch = createAuthFetch(session, { allowedOrigins: ['https://api.test'] });
    const misuse = () => {
      // @ts-expect-error maxRetries is a number
      createAuthFetch(session, { maxRetries: '2' });
      // @ts-expect-error not an option
      createAuthFetch(session, { retries: 2 });
      // @ts-expect-error fetch is a function
      createAuthFetch(session, { fetch: 'fetch' });
      // @ts-expect-error the session comes first
      createAuthFetch({ fetch });
      // @ts-expect-error skipAuth is a boolean
      authFetch('/x', { skipAuth: 'yes' });
    };
    expectTypeOf(misuse).toBeFunction();
  });
});
