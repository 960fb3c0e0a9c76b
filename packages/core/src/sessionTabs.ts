import { connectTabs, type Tabs } from './crossTab';
import { AuthError } from './errors';
import { requireReauth } from './reauth';
import { dropFlight, type FlightDeps } from './refreshFlight';
import type { LockLike } from './tabLock';
import type { SessionState } from './types';

/** What the cross-tab wiring needs of its session. */
export interface TabsDeps extends FlightDeps {
  getState(): SessionState;
}

/**
 * Connects a session to the other tabs of its channel: their sign-ins, refresh results, sign-outs and
 * refused refresh tokens reach it, and it answers a new tab with its tokens.
 *
 * @returns the channel, for the session's own news
 */
export function connectSessionTabs(
  ctx: TabsDeps,
  { channelName, lock }: { channelName: string; lock: LockLike | undefined },
): Tabs {
  return connectTabs(
    channelName,
    {
      // A refresh result only continues the session it refreshed; an answer only starts one in a tab without.
      tokens(next, kind, from) {
        const tokens = ctx.tokens();
        const isTaken =
          kind === 'signIn' || (kind === 'refresh' ? !!from && tokens?.refreshToken === from : !tokens);
        if (isTaken) ctx.accept(next, kind, true);
        return isTaken;
      },
      signOut() {
        if (ctx.getState().status !== 'signedOut') ctx.endSession(new AuthError('SIGNED_OUT'));
      },
      refused(refreshToken) {
        if (ctx.tokens()?.refreshToken !== refreshToken) return;
        // Refused in another tab: this tab must not present it again; it re-authenticates as if refused here.
        const lost = ctx.flight;
        ctx.flight = null;
        dropFlight(lost);
        requireReauth(ctx, 'refresh_rejected').catch(() => {});
        lost?.outcome.resolve('reauth');
      },
      current: () => (ctx.reauth ? null : ctx.tokens()),
    },
    // A dead tab's lease lapses well within the timeout, so the others' waits stay bounded by it.
    Math.min(ctx.refreshTimeoutMs / 2, 5_000),
    lock,
    // Sessions of other keys may share a custom channel name: their news is not ours.
    ctx.storageKey,
    // A lock held past what any refresh of ours can hold it, with no holder heard from, is taken over.
    ctx.refreshTimeoutMs,
  );
}
