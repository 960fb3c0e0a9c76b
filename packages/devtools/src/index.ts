import type { ReactElement } from 'react';
import { ReauthDevtoolsPanel, type ReauthDevtoolsProps } from './ReauthDevtoolsPanel';

export type { ReauthDevtoolsProps } from './ReauthDevtoolsPanel';
export type { DevtoolsPosition } from './styles';

// `process.env.NODE_ENV` is replaced by the app's bundler (Vite, webpack, Next.js, Parcel, Rsbuild do it by
// default): a production build sees `"production" !== 'development'`, keeps `() => null` and drops the panel.

/**
 * A floating panel showing a reauth session at work: status, user, time to expiry, waiting requests and the
 * event timeline with the diagnosis of each 401. Renders nothing unless `process.env.NODE_ENV` is
 * `'development'`, so production builds drop it.
 *
 * @example
 * <ReauthDevtools session={session} initialIsOpen={false} position="bottom-left" />
 */
export const ReauthDevtools: (props: ReauthDevtoolsProps) => ReactElement | null =
  process.env.NODE_ENV !== 'development' ? () => null : ReauthDevtoolsPanel;
