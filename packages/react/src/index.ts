export { AuthProvider, type AuthProviderProps } from './AuthProvider';
export { RequireAuth, type RequireAuthProps } from './RequireAuth';
export type { Auth, ReauthPrompt } from './types';
export { useAuth } from './useAuth';
export { useReauthPrompt } from './useReauthPrompt';
