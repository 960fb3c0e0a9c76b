export {
  type ClientAuth,
  ClientSecretBasic,
  ClientSecretPost,
  None,
  PrivateKeyJwt,
  ResponseBodyError,
} from 'oauth4webapi';
export { type OAuthRefreshOptions, oauthRefresh } from './oauthRefresh';
