export { authRetry } from './authRetry';
export { connectQueryClient } from './connectQueryClient';
export { isAuthFailure } from './isAuthFailure';
