export { createMockAuthServer } from './createMockAuthServer';
export type {
  MockAuthControls,
  MockAuthPaths,
  MockAuthServer,
  MockAuthServerOptions,
  MockAuthStats,
  MockUser,
  ProtectedRequestRecord,
  ProtectOptions,
  RefreshFailureKind,
  RefreshRecord,
  TokenResponse,
} from './types';
