export {
  type ClientAuth,
  ClientSecretBasic,
  ClientSecretPost,
  None,
  PrivateKeyJwt,
  ResponseBodyError,
} from 'oauth4webapi';
export { type DPoPOptions, type DPoPSigner, dpop } from './dpop';
export { type OAuthRefreshOptions, oauthRefresh } from './oauthRefresh';
