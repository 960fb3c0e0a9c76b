export {
  type ClientAuth,
  ClientSecretBasic,
  ClientSecretPost,
  type DPoPHandle,
  None,
  PrivateKeyJwt,
  ResponseBodyError,
} from 'oauth4webapi';
export { type DPoPOptions, type DPoPSigner, dpop } from './dpop';
export { type OAuthRefreshOptions, oauthRefresh } from './oauthRefresh';
