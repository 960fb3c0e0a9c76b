import { attachAuth } from '@reauth/axios';
import { type AuthEvent, type Claims, createSession, decodeJwt, type Session } from '@reauth/core';
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import type { AuthServer, TokenResponse } from '../../../test/support/authServer';
import { type Entry, type Timeline, times } from './timeline';

/** The app's side of the demo: an axios instance with reauth attached, and the session behind it. */
export interface DemoClient {
  api: AxiosInstance;
  session: Session;
  /** Every session event so far, in order. */
  events: AuthEvent[];
  /** `POST /auth/login` (skipAuth), as a login form would. */
  login(credentials: Credentials, signal?: AbortSignal): Promise<TokenResponse>;
}

export interface Credentials {
  username: string;
  password: string;
}

/** `http://127.0.0.1:4000/api/items/7` → `/api/items/:id`, so requests to one route count together. */
export function route(url: string): string {
  const path = /^https?:/.test(url) ? new URL(url).pathname : (url.split('?')[0] ?? url);
  return path.replace(/\/\d+(?=\/|$)/g, '/:id');
}

// A short, printable identity: the first characters of a jti or a server-side id, never a token.
const shortId = (id: unknown): string => (typeof id === 'string' ? `#${id.slice(0, 6)}` : '#?');

const tokenIdOf = (token: string): string => shortId(decodeJwt(token)?.jti);

/**
 * An axios instance with reauth attached, whose requests, answers and session events feed `timeline`.
 * @param server where the API and its refresh endpoint live
 */
export function createDemoClient(server: AuthServer, timeline: Timeline): DemoClient {
  const api = axios.create({ baseURL: server.url });
  const events: AuthEvent[] = [];

  function guardTokens(data: unknown): void {
    if (typeof data !== 'object' || data === null) return;
    const { accessToken, refreshToken } = data as Partial<TokenResponse>;
    for (const token of [accessToken, refreshToken]) if (typeof token === 'string') timeline.guard(token);
  }

  // Registered before attachAuth: this request interceptor runs after reauth's (it sees the token that is
  // really sent) and this response interceptor runs before reauth's (it sees the raw answer, 401s included).
  api.interceptors.request.use((config) => {
    const request = `${(config.method ?? 'get').toUpperCase()} ${route(config.url ?? '')}`;
    const bearer = config.headers.get('Authorization');
    guardTokens(config.data);
    if (typeof bearer === 'string') {
      const token = bearer.replace(/^Bearer\s+/i, '');
      timeline.guard(token);
      timeline.add('REQ', `${request} sent with token ${tokenIdOf(token)}`);
    } else {
      timeline.add('REQ', `${request} sent ${config.skipAuth ? '(skipAuth)' : 'without a token'}`);
    }
    return config;
  });
  api.interceptors.response.use(
    (response) => {
      describeAnswer(response);
      return response;
    },
    (error: unknown) => {
      if (isAxiosError(error) && error.response) describeAnswer(error.response);
      return Promise.reject(error);
    },
  );

  function describeAnswer(response: AxiosResponse): void {
    guardTokens(response.data);
    timeline.add('API', ...answerLine(response, server));
  }

  const session = createSession({
    refresh: async ({ refreshToken, signal }) => {
      const response = await api.post<TokenResponse>(
        '/auth/refresh',
        { refreshToken },
        { skipAuth: true, signal },
      );
      return response.data;
    },
  });
  attachAuth(api, session);
  session.on('*', (event) => {
    events.push(event);
    timeline.add('AUTH', ...describeEvent(event, session.getState().user));
  });

  return {
    api,
    session,
    events,
    login: async (credentials, signal) => {
      const options = signal ? { skipAuth: true, signal } : { skipAuth: true };
      return (await api.post<TokenResponse>('/auth/login', credentials, options)).data;
    },
  };
}

function answerLine({ status, config, data }: AxiosResponse, server: AuthServer): Line {
  const path = route(config.url ?? '');
  const body = (data ?? {}) as { error?: string; error_description?: string };
  if (path === '/auth/refresh') {
    const call = server.stats.refreshCalls.at(-1);
    const verdict = status === 200 ? 'redeemed and rotated' : `refused: ${body.error}`;
    return [
      `${status} refresh token ${shortId(call?.tokenId)} ${verdict}`,
      { tone: status === 200 ? 'good' : 'bad' },
    ];
  }
  const request = `${(config.method ?? 'get').toUpperCase()} ${path}`;
  if (status < 400) return [`${status} ${request}`, { tone: 'good' }];
  const reason = body.error_description ? `${body.error}: ${body.error_description}` : body.error;
  return [`${status} ${request} (${reason})`, { tone: status === 401 ? 'warn' : 'bad' }];
}

type Line = [text: string | ((count: number) => string), entry?: Entry];

function describeEvent(event: AuthEvent, user: Claims | null): Line {
  const request = 'url' in event ? `${event.method} ${route(event.url)}` : '';
  switch (event.type) {
    case 'signedIn': {
      const roles = Array.isArray(event.user?.roles) ? event.user.roles.join(', ') : 'none';
      const lifetime = event.expiresAt === null ? '?' : Math.round((event.expiresAt - event.at) / 1000);
      const who = `${event.user?.sub} (roles: ${roles})`;
      return [`signed in as ${who}, token ${shortId(user?.jti)} good for ${lifetime} s`, { tone: 'good' }];
    }
    case 'signedOut':
      return [`signed out${event.error ? ` (${event.error.code})` : ''}`, { tone: 'bad' }];
    case 'refreshStart':
      return ['refresh starts: one flight for every request that needs it'];
    case 'refreshSuccess':
      return [`refresh done in ${event.durationMs} ms, new token ${shortId(user?.jti)}`, { tone: 'good' }];
    case 'refreshFailure': {
      const next = event.terminal ? 'the user must sign in again' : 'tokens kept, next request may retry';
      return [`refresh failed (${event.error.code}): ${next}`, { tone: 'bad' }];
    }
    case 'reauthRequired':
      return [`re-authentication required (${event.reason}); requests keep waiting`, { tone: 'warn' }];
    case 'reauthResolved':
      return ['re-authentication resolved: the queue resumes', { tone: 'good' }];
    case 'reauthCancelled':
      return [`re-authentication cancelled (${event.error.code})`, { tone: 'bad' }];
    case 'requestQueued':
      return [(n) => `${times(n, request)} queued`, { key: `queued ${request}` }];
    case 'requestReplayed': {
      const how = event.lateUnauthorized ? 'replayed at once (late 401, token already new)' : 'replayed';
      return [(n) => `${times(n, request)} ${how}`, { key: `${how} ${request}` }];
    }
    case 'unauthorized': {
      const { cause, hint } = event.diagnosis;
      const decision = event.handled ? 'refresh and replay' : 'not handled, passed to the caller';
      const text = (n: number) => `${times(n, '401')} unauthorized (${cause}) on ${request}: ${decision}`;
      const entry: Entry = { key: `401 ${cause} ${request} ${event.handled}`, tone: 'warn' };
      return [text, event.handled ? entry : { ...entry, detail: `diagnosis: ${hint}` }];
    }
  }
}
