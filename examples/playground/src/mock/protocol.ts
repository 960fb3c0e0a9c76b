import type { MockAuthStats } from '@reauth/msw';

/** The controls a page may pull on the shared mock server (the kit's, minus issueTokens). */
export type ControlName =
  | 'expireAccessTokens'
  | 'revokeRefreshTokens'
  | 'failNextRefresh'
  | 'delayRefresh'
  | 'advanceClock'
  | 'reset';

/** A request the page's msw handler forwards to the shared server. */
export interface ForwardedRequest {
  id: number;
  kind: 'fetch';
  url: string;
  method: string;
  headers: [string, string][];
  body: ArrayBuffer | null;
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
}

export type ServerMessage =
  | {
      id: number;
      kind: 'response';
      isNetworkError: boolean;
      status: number;
      statusText: string;
      headers: [string, string][];
      body: ArrayBuffer | null;
    }
  | { id: number; kind: 'done'; stats: MockAuthStats; error?: string }
  | { kind: 'summary'; summary: KitSummary };

/** The counters a person reads, from the kit's stats. */
export const summarize = (stats: MockAuthStats): KitSummary => ({
  logins: stats.logins,
  refreshes: stats.refreshes,
  reuseDetected: stats.reuseDetected,
  requests: stats.requests.length,
  unauthorized: stats.requests.filter((request) => request.status === 401).length,
});

/** Whether two summaries differ (cheap: five numbers). */
export const isSameSummary = (a: KitSummary | null, b: KitSummary) =>
  !!a &&
  a.logins === b.logins &&
  a.refreshes === b.refreshes &&
  a.reuseDetected === b.reuseDetected &&
  a.requests === b.requests &&
  a.unauthorized === b.unauthorized;
