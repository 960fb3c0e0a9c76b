import type { toStored } from './tokens';

/** Where tokens announced to the other tabs come from: a sign-in, a refresh, or an answer to a new tab. */
export type TokensKind = 'signIn' | 'refresh' | 'state';

/**
 * Which sign-in or sign-out a tab's session comes from: `seq`, a Lamport stamp ordered across tabs, then a
 * random `id`. A sign-in and a sign-out (or two sign-ins) that cross on the channel converge on the later one.
 */
export interface Generation {
  seq: number;
  id: string;
}

/**
 * The lease's messages: a tab claims the lease (`at` orders claims), repeats its claim while it holds the
 * lease, and releases it.
 */
export type LeaseMessage = { type: 'claim'; id: string; at: number } | { type: 'release'; id: string };

/**
 * What tabs of one session say to each other, on a channel other sessions may share: each message carries the
 * session's storage `key`. Tokens travel in it (same origin only), never in a log.
 */
export type TabMessage = (
  | LeaseMessage
  /** A Web Locks holder took the lock; after its result, it left it. */
  | { type: 'locked' | 'unlocked'; id: string }
  /** @param from for a refresh result, the refresh token it replaced */
  | {
      type: 'tokens';
      kind: TokensKind;
      tokens: ReturnType<typeof toStored>;
      gen: Generation | null;
      from?: string | undefined;
    }
  | { type: 'signOut'; gen: Generation }
  /**
   * A refresh token the server refused (null: the shared refresh cookie): no tab may present it again. `since`:
   * when the refused refresh was sent (a cookie refused then says nothing of a sign-in made after).
   */
  | { type: 'refused'; refreshToken: string | null; since?: number | undefined }
  /** A new tab asks for the session. */
  | { type: 'hello' }
) & { key?: string | undefined };
