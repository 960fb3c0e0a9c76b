import type { CookieSessionInput, TokensInput } from '@reauth/core';
import { type AxiosInstance, isAxiosError } from 'axios';

/** What a login answers, in each session model: the shape `signIn` (and the prompt's `complete`) takes. */
export type SignInInput = TokensInput | CookieSessionInput;

/**
 * POST /auth/login. The kit answers `{ accessToken, refreshToken, expiresIn }` (tokens in JS), `{ accessToken,
 * expiresIn }` and a refresh cookie (`cookies: 'refresh'`), or `{ user }` and a session cookie (`cookies:
 * 'session'`): each is what `signIn` takes in that model.
 */
export async function logIn(api: AxiosInstance, username: string, password: string): Promise<SignInInput> {
  // skipAuth: a login carries no token and its 401 (wrong password) is the form's business, not a refresh's.
  // withCredentials: the browser keeps the cookie a login sets (cross-origin, only with credentials).
  const { data } = await api.post<SignInInput>(
    '/auth/login',
    { username, password },
    { skipAuth: true, withCredentials: true },
  );
  return data;
}

/** What a failed login tells the person at the form. */
export function loginErrorMessage(error: unknown): string {
  if (isAxiosError<{ error_description?: string }>(error)) {
    if (error.response?.status === 401) return 'Wrong username or password.';
    if (error.response)
      return error.response.data?.error_description ?? `The server answered ${error.response.status}.`;
    return 'The auth server could not be reached. Try again.';
  }
  return 'Sign-in failed. Try again.';
}
