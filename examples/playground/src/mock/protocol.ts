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
  | { kind: 'stats'; stats: MockAuthStats };
