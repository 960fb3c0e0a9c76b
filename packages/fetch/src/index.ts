export { createAuthFetch } from './createAuthFetch';
export {
  type AuthFetch,
  type AuthRequestInit,
  type CreateAuthFetchOptions,
  type FetchLike,
  isRefreshable,
} from './options';
