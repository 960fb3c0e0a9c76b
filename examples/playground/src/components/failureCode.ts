import { isAuthError } from '@reauth/core';
import { isAxiosError } from 'axios';

/** Why a request failed, as a short code: an AuthError's code, the HTTP status, or the network error's code. */
export const failureCode = (error: unknown) => {
  if (isAuthError(error)) return error.code;
  if (isAxiosError(error))
    return error.response ? `HTTP ${error.response.status}` : (error.code ?? 'ERR_NETWORK');
  return 'error';
};
