import type { MockAuthStats } from '@reauth/msw';
import { modelOf, type SessionModel } from '../model';
import type { CookieInfo } from './cookieJar';

/**
 * The SharedWorker's name for a session model: one server per model, so every tab that reaches a server uses its
 * model (a SharedWorker is shared by the tabs that ask for the same script and name).
 */
export const serverName = (model: SessionModel) => `reauth-playground-api:${model}`;

/** The session model a server's name says. */
export const modelOfServerName = (name: string): SessionModel =>
  modelOf(`?model=${encodeURIComponent(name.slice(name.indexOf(':') + 1))}`);

/** The controls a page may pull on the shared mock server (the kit's, minus issueTokens). */
export type ControlName =
  | 'expireAccessTokens'
  | 'revokeRefreshTokens'
  | 'failNextRefresh'
  | 'delayRefresh'
  | 'advanceClock'
  | 'reset';

/** A request as the page's msw handler hands it to the mock server. */
export interface RequestParts {
  url: string;
  method: string;
  headers: [string, string][];
  body: ArrayBuffer | null;
  /** The request's credentials mode: the browser's cookies go with it unless `omit`. */
  credentials: RequestCredentials;
}

/** The mock server's answer, as the page's msw handler answers with it. Never a `Set-Cookie`: the jar keeps it. */
export interface ResponseParts {
  isNetworkError: boolean;
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer | null;
}

/** A request the page's msw handler forwards to the shared server. */
export interface ForwardedRequest extends RequestParts {
  id: number;
  kind: 'fetch';
}

export type PageMessage =
  | ForwardedRequest
  | { id: number; kind: 'control'; name: ControlName; args: unknown[] }
  | { id: number; kind: 'stats' };

/** What every tab shows of the server's counters, sent to every tab when it changes. */
export interface KitSummary {
  logins: number;
  refreshes: number;
  reuseDetected: number;
  requests: number;
  unauthorized: number;
  /** The cookies the browser holds for the API (names, paths: never a value). */
  cookies: CookieInfo[];
}

export type ServerMessage =
  | ({ id: number; kind: 'response' } & ResponseParts)
  | { id: number; kind: 'done'; stats: MockAuthStats; cookies: CookieInfo[]; error?: string }
  | { kind: 'summary'; summary: KitSummary };

/** The counters a person reads, from the kit's stats and the cookie jar. */
export const summarize = (stats: MockAuthStats, cookies: CookieInfo[]): KitSummary => ({
  logins: stats.logins,
  refreshes: stats.refreshes,
  reuseDetected: stats.reuseDetected,
  requests: stats.requests.length,
  unauthorized: stats.requests.filter((request) => request.status === 401).length,
  cookies,
});

const cookieKey = (cookies: CookieInfo[]) =>
  cookies.map(({ name, path, isHttpOnly }) => `${name};${path};${isHttpOnly}`).join('\n');

/** Whether two summaries differ (cheap: five numbers and a cookie or two). */
export const isSameSummary = (a: KitSummary | null, b: KitSummary) =>
  !!a &&
  a.logins === b.logins &&
  a.refreshes === b.refreshes &&
  a.reuseDetected === b.reuseDetected &&
  a.requests === b.requests &&
  a.unauthorized === b.unauthorized &&
  cookieKey(a.cookies) === cookieKey(b.cookies);
