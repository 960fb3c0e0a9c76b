export { attachAuth } from './attachAuth';
export { type AttachAuthOptions, isRefreshable } from './options';
