import { type AttachAuthOptions, attachAuth, isRefreshable } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios, { type AxiosError, type AxiosRequestConfig } from 'axios';
import { describe, expectTypeOf, it } from 'vitest';

// Checked by `tsc` (the @ts-expect-error lines fail the typecheck if they compile); the runtime part only
// makes sure the file loads.
describe('types', () => {
  it('accepts skipAuth in every axios request config', () => {
    expectTypeOf<AxiosRequestConfig>().toHaveProperty('skipAuth');
    expectTypeOf<AxiosRequestConfig['skipAuth']>().toEqualTypeOf<boolean | undefined>();
    const http = axios.create();
    const login = () => http.post('/auth/login', {}, { skipAuth: true });
    expectTypeOf(login).returns.resolves.toHaveProperty('data');
  });

  it('returns detach as () => void', () => {
    expectTypeOf(attachAuth).returns.toEqualTypeOf<() => void>();
    expectTypeOf(attachAuth).parameter(2).toEqualTypeOf<AttachAuthOptions | undefined>();
  });

  it('types the options and refuses wrong ones', () => {
    expectTypeOf<AttachAuthOptions['shouldRefresh']>().toEqualTypeOf<
      ((error: AxiosError) => boolean) | undefined
    >();
    expectTypeOf(isRefreshable).toEqualTypeOf<(error: AxiosError) => boolean>();
    expectTypeOf<{ maxRetries: string }>().not.toExtend<AttachAuthOptions>();
    expectTypeOf<{ allowedOrigins: number[] }>().not.toExtend<AttachAuthOptions>();
    expectTypeOf<{ allowedOrigins: (string | RegExp)[] }>().toExtend<AttachAuthOptions>();
    expectTypeOf<{ interceptNetworkError: 'yes' }>().not.toExtend<AttachAuthOptions>();

    const session = createSession();
    const http = axios.create();
    const misuse = () => {
      // @ts-expect-error maxRetries is a number
      attachAuth(http, session, { maxRetries: '2' });
      // @ts-expect-error not an option
      attachAuth(http, session, { retries: 2 });
      // @ts-expect-error shouldRefresh is a function
      attachAuth(http, session, { shouldRefresh: true });
      // @ts-expect-error the session comes second
      attachAuth(session, http);
      // @ts-expect-error skipAuth is a boolean
      http.get('/x', { skipAuth: 'yes' });
    };
    expectTypeOf(misuse).toBeFunction();
  });
});
