import type { AuthServer } from '../support/authServer';
import { type Client, type ClientOptions, createClient, createMapStorage } from '../support/setup';

let channels = 0;

/** Tabs of one origin, in one process: sessions on one real BroadcastChannel, each with its own axios instance. */
export function openTabs(
  server: AuthServer,
  count: number,
  { shared = false, ...options }: ClientOptions & { shared?: boolean } = {},
) {
  const channelName = `reauth-it:${process.pid}:${++channels}`;
  const storage = createMapStorage();
  const open = (extra: ClientOptions['session'] = {}): Client =>
    createClient(server, {
      ...options,
      session: {
        storage: shared ? storage : createMapStorage(),
        crossTab: { channelName },
        ...options.session,
        ...extra,
      },
    });
  return { tabs: Array.from({ length: count }, () => open()), open, storage, channelName };
}

/** Lets messages between tabs (real BroadcastChannel: a later event-loop turn) arrive. */
export const nextTurns = () => new Promise((resolve) => setTimeout(resolve, 20));
