import { connectTabs, type Tabs } from './crossTab';
import { AuthError } from './errors';
import type { Machine } from './machine';
import type { ResolvedOptions } from './options';
import type { LockLike } from './tabLock';

/**
 * Connects a session to the other tabs of its channel: their sign-ins, refresh results, sign-outs and
 * refused refresh tokens reach it as actions, and it answers a new tab with its tokens.
 *
 * @returns the channel, for the session's own news
 */
export function connectSessionTabs(
  machine: Machine,
  tabOptions: { channelName: string; lock: LockLike | undefined },
  options: ResolvedOptions,
): Tabs {
  const { dispatch } = machine;
  // Sessions of other keys may share a custom channel name: their news is not ours (`storageKey`). A lock held past
  // what any refresh of ours can hold it, with no holder heard from, is taken over (`refreshTimeoutMs`).
  return connectTabs({
    ...tabOptions,
    ...options,
    listener: {
      // A refresh result only continues the session it refreshed; an answer only starts one in a tab without.
      tokens(sent, kind, from) {
        // Tabs of another session model on the same key (a deploy rolling out, a switch of model): not ours.
        const next = machine.fit(sent);
        if (!next) return false;
        const tokens = machine.tokens();
        // While restoring, a refresh result is news of this session too: the pending read holds what it replaced.
        // With cookies every tab shares the one cookie: another tab's refresh renews this tab's session too.
        const isRestoring = machine.isRestoring();
        const isTaken =
          kind === 'signIn' ||
          (kind === 'refresh'
            ? options.cookies
              ? !!tokens || machine.phase().name !== 'idle'
              : !!from && (isRestoring || tokens?.refreshToken === from)
            : !tokens);
        if (isTaken) dispatch({ type: 'signIn', tokens: next, kind, fromTab: true });
        return isTaken;
      },
      signOut() {
        if (machine.store.getState().status !== 'signedOut' || machine.flight()) {
          dispatch({ type: 'end', error: new AuthError('SIGNED_OUT') });
        }
      },
      refused(refreshToken, since) {
        dispatch({ type: 'refusedElsewhere', refreshToken, since });
      },
      current: () => (machine.prompt() ? null : machine.tokens()),
    },
    // A dead tab's lease lapses well within the timeout, so the others' waits stay bounded by it.
    leaseMs: Math.min(options.refreshTimeoutMs / 2, 5_000),
  });
}
