import type { TokensInput } from '@reauth/core';
import { type AxiosInstance, isAxiosError } from 'axios';

/** POST /auth/login; the kit answers `{ accessToken, refreshToken, expiresIn }`, the shape `signIn` takes. */
export async function logIn(api: AxiosInstance, username: string, password: string): Promise<TokensInput> {
  // skipAuth: a login carries no token and its 401 (wrong password) is the form's business, not a refresh's.
  const { data } = await api.post<TokensInput>('/auth/login', { username, password }, { skipAuth: true });
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
