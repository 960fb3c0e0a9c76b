import type { AuthEventType, Diagnosis, ReauthReason, SessionStatus } from '@reauth/core';

/** One trip through axios's transport: the first send or a replay. Times are the timeline's clock (ms). */
export interface TimelineSend {
  readonly start: number;
  /** null while in flight. */
  readonly end: number | null;
  /** The HTTP status answered, or null (in flight, or no response: see `error`). */
  readonly status: number | null;
  /** axios's error code when no response came (`ERR_NETWORK`, `ERR_CANCELED`). */
  readonly error: string | null;
  /** A replay after a 401 (the second send onwards). */
  readonly replay: boolean;
  /** Replayed at once because someone refreshed meanwhile (no refresh of its own). */
  readonly lateUnauthorized: boolean;
  /** Why the server refused it, from the session's `unauthorized` event (401 sends only). */
  readonly diagnosis: Diagnosis | null;
}

/** Time a request spent waiting for a refresh or a sign-in: before its first send, or between 401 and replay. */
export interface TimelineWait {
  readonly start: number;
  readonly end: number | null;
}

export type TimelineOutcome = 'pending' | 'ok' | 'failed';

/** A request as the app made it, across all its sends. */
export interface TimelineRequest {
  readonly id: number;
  readonly method: string;
  /** Origin and path: no query, no credentials. */
  readonly url: string;
  /** The path (and `?…` when a query was sent): the row's label. */
  readonly path: string;
  readonly skipAuth: boolean;
  readonly start: number;
  readonly end: number | null;
  readonly outcome: TimelineOutcome;
  /** The final HTTP status, when the request ended with a response. */
  readonly status: number | null;
  /** The final error code when it ended without one (`REAUTH_CANCELLED`, `ERR_NETWORK`, …). */
  readonly code: string | null;
  readonly sends: readonly TimelineSend[];
  readonly waits: readonly TimelineWait[];
}

export interface TimelineRefresh {
  readonly id: number;
  readonly start: number;
  readonly end: number | null;
  readonly outcome: 'pending' | 'ok' | 'failed';
  /** The AuthError code of a failed refresh. */
  readonly code: string | null;
  /** Failed for good (re-authentication follows). */
  readonly terminal: boolean;
  /** Requests waiting when it began. */
  readonly waiting: number;
}

export interface TimelinePrompt {
  readonly id: number;
  readonly start: number;
  readonly end: number | null;
  readonly outcome: 'open' | 'resolved' | 'cancelled';
  readonly reason: ReauthReason;
}

export interface TimelineStatusSpan {
  readonly status: SessionStatus;
  readonly start: number;
  readonly end: number | null;
}

/** A session event, reduced to what the timeline shows (no user claims, no error objects). */
export interface TimelineEvent {
  readonly type: AuthEventType;
  readonly at: number;
  readonly summary: string;
  readonly diagnosis: Diagnosis | null;
}

/** 401s of the same cause and hint, counted. */
export interface DiagnosisGroup {
  readonly cause: Diagnosis['cause'];
  readonly hint: string;
  readonly count: number;
  readonly lastAt: number;
}

/** What the timeline holds now. Immutable: a new object after each change. */
export interface TimelineSnapshot {
  /** Oldest first. */
  readonly requests: readonly TimelineRequest[];
  readonly refreshes: readonly TimelineRefresh[];
  readonly prompts: readonly TimelinePrompt[];
  readonly statuses: readonly TimelineStatusSpan[];
  readonly events: readonly TimelineEvent[];
  /** Latest group first. */
  readonly diagnoses: readonly DiagnosisGroup[];
  /** A send or a refresh is on the wire. */
  readonly isBusy: boolean;
  /** A request or a sign-in prompt is still open (possibly only waiting). */
  readonly isOpen: boolean;
  /** When anything last changed, by the timeline's clock. */
  readonly lastChange: number;
}
