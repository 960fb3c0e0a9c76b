export {
  type AdapterOptions,
  type AuthLoop,
  type AuthTransport,
  createAuthLoop,
  isRefreshableResponse,
  type Refusal,
} from './authLoop';
export {
  type Authorizer,
  type AuthorizerOptions,
  type AuthRequest,
  createAuthorizer,
  type Ticket,
  type UnauthorizedExchange,
} from './authorizer';
export {
  createEventLog,
  type EventLog,
  type EventLogEntry,
  type EventLogError,
  type EventLogOptions,
} from './createEventLog';
export { challengeError, type Diagnose401Input, diagnose401 } from './diagnose';
export { AuthError, type AuthErrorCode, isAuthError, misuse } from './errors';
export { decodeJwt } from './jwt';
export type { OriginPattern } from './origins';
export { createSession } from './session';
export type { LockLike } from './tabLock';
export type {
  AnySessionOptions,
  AsyncStorageLike,
  AuthEvent,
  AuthEventOf,
  AuthEventType,
  Claims,
  CookieMode,
  CookieRefreshContext,
  CookieSessionInput,
  Diagnosis,
  ReauthContext,
  ReauthHandler,
  ReauthReason,
  RefreshContext,
  RefreshCookieOptions,
  RequestSigner,
  Session,
  SessionBaseOptions,
  SessionCookieOptions,
  SessionOptions,
  SessionState,
  SessionStatus,
  SignedSend,
  SignInArgs,
  StorageLike,
  TokensInput,
  UnauthorizedCause,
  WakeSignal,
} from './types';
export { getHeader as getHeaderValue, getHttpStatus, type HeadersLike, waitFor, warnOnce } from './utils';
