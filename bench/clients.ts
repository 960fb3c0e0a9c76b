import { attachAuth } from '@reauth/axios';
import { createSession, type TokensInput } from '@reauth/core';
import axios, { type AxiosAdapter, type AxiosError, type AxiosInstance } from 'axios';
import {
  type AxiosAuthRefreshOptions,
  type AxiosAuthRefreshRequestConfig,
  createAuthRefresh,
} from 'axios-auth-refresh';
import { applyAuthTokenInterceptor, setAuthTokens } from 'axios-jwt';
import { BASE_URL } from './mockApi';

interface RefreshAnswer {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** The same instance setup for every client: only the auth layer differs. */
export function createBareClient(adapter: AxiosAdapter): AxiosInstance {
  return axios.create({ baseURL: BASE_URL, adapter });
}

/**
 * What an app without an auth library writes, word for word as issue 16 states it: one request interceptor,
 * `c => { c.headers.Authorization = ...; return c }`.
 */
export function createHeaderClient(adapter: AxiosAdapter, accessToken: string): AxiosInstance {
  const api = createBareClient(adapter);
  api.interceptors.request.use((c) => {
    c.headers.Authorization = `Bearer ${accessToken}`;
    return c;
  });
  return api;
}

/** reauth as its README sets it up: a session whose `refresh` posts to the API, attached to the instance. */
export function createReauthClient(adapter: AxiosAdapter, tokens: TokensInput): AxiosInstance {
  const api = createBareClient(adapter);
  const session = createSession({
    refresh: ({ refreshToken }) =>
      api
        .post<RefreshAnswer>('/auth/refresh', { refreshToken }, { skipAuth: true })
        .then((response) => response.data),
  });
  session.signIn(tokens);
  attachAuth(api, session);
  return api;
}

/**
 * axios-auth-refresh as its README sets it up: a request interceptor that reads the latest token at send
 * time (so stalled requests go out with the new one), and a refresh logic that stores the new token and
 * sets it on the failed request; the refresh call is marked `skipAuthRefresh`.
 */
export function createAuthRefreshClient(
  adapter: AxiosAdapter,
  tokens: { accessToken: string; refreshToken: string },
  options: AxiosAuthRefreshOptions,
): AxiosInstance {
  const api = createBareClient(adapter);
  let { accessToken, refreshToken } = tokens;
  api.interceptors.request.use((config) => {
    config.headers.set('Authorization', `Bearer ${accessToken}`);
    return config;
  });
  const skip: AxiosAuthRefreshRequestConfig = { skipAuthRefresh: true };
  const refreshAuthLogic = (failedRequest: AxiosError) =>
    api.post<RefreshAnswer>('/auth/refresh', { refreshToken }, skip).then(({ data }) => {
      accessToken = data.accessToken;
      refreshToken = data.refreshToken;
      failedRequest.response?.config.headers.set('Authorization', `Bearer ${accessToken}`);
    });
  createAuthRefresh(api, refreshAuthLogic, options);
  return api;
}

/**
 * axios-jwt as its README sets it up: `applyAuthTokenInterceptor(api, { requestRefresh })`, the refresh
 * posted on another instance (its README: not the one the interceptor is on), the tokens stored with
 * `setAuthTokens`. Node has no localStorage: its documented `getStorage` option gets an in-memory storage.
 * Its storage and its pending refresh are module globals: one axios-jwt client at a time per process.
 */
export async function createAxiosJwtClient(
  adapter: AxiosAdapter,
  tokens: { accessToken: string; refreshToken: string },
): Promise<AxiosInstance> {
  const api = createBareClient(adapter);
  const auth = createBareClient(adapter);
  const memory = new Map<string, string>();
  const getStorage = () => ({
    get: async (key: string) => memory.get(key) ?? null,
    set: async (key: string, value: string) => void memory.set(key, value),
    remove: async (key: string) => void memory.delete(key),
  });
  const requestRefresh = (refreshToken: string) =>
    auth.post<RefreshAnswer>('/auth/refresh', { refreshToken }).then(({ data }) => data);
  applyAuthTokenInterceptor(api, { requestRefresh, getStorage });
  await setAuthTokens(tokens);
  return api;
}
