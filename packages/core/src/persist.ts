import { type AnyStorage, decodeStored, readStoredTokens, type TokenSet, writeStoredTokens } from './tokens';
import { waitFor, warnOnce } from './utils';

/**
 * Writes a session's tokens to its storage. An asynchronous storage writes one value at a time, the latest one
 * next: the last write wins, and no write overtakes another. A write that does not settle within `timeoutMs`
 * counts as refused, so it never holds back the writes after it (a sign-out's removal above all).
 */
export function createTokenWriter(storage: AnyStorage, key: string, timeoutMs: number) {
  // False after a write storage refused: what it holds (if anything) is older than the session.
  let isCurrent = true;
  let isWriting = false;
  let queued: { set: TokenSet | null } | null = null;
  let writing!: Promise<void>;
  const write = (set: TokenSet | null): void => {
    if (isWriting) {
      queued = { set };
      return;
    }
    const written = writeStoredTokens(storage, key, set);
    if (typeof written === 'boolean') {
      isCurrent = written;
      return;
    }
    isWriting = true;
    writing = waitFor(written, undefined, timeoutMs)
      .then(undefined, () => false)
      .then((isWritten) => {
        isCurrent = isWritten;
        isWriting = false;
        const next = queued;
        queued = null;
        if (next) write(next.set);
      });
  };
  /**
   * Undefined when no write is under way; else a promise that resolves once every write asked for so far has
   * settled. A read asked for after a write (a restore after a sign-out) waits for it: else it would answer with
   * what the write replaces (the removal still queued behind an earlier write, or a storage answering reads
   * ahead of writes it was given earlier).
   */
  const settled = (): Promise<void> | undefined => (isWriting ? writing.then(settled) : undefined);
  return { write, isCurrent: () => isCurrent, settled };
}

/**
 * What an asynchronous storage's pending read answered (undecoded: the caller decodes it only if it still wants
 * it); null for nothing, a failed read, or none within `timeoutMs` (a development warning; the entry is left as
 * it is).
 */
export function readLater(read: Promise<string | null | undefined>, timeoutMs: number): Promise<unknown> {
  const timedOut = Symbol();
  // With no timeout, `read` comes back as the storage gave it: a thenable may lack `catch`, or call back what
  // `then` was given unchecked. A promise adopts it by the rules.
  return Promise.resolve(waitFor(read, undefined, timeoutMs, () => timedOut)).catch((error) => {
    if (error === timedOut && process.env.NODE_ENV !== 'production') {
      warnOnce(`storage did not answer within ${timeoutMs} ms; the session starts signed out.`);
    }
    return null;
  });
}

/** The tokens storage holds now, also from an asynchronous storage (read without removing anything). */
export async function readNow(storage: AnyStorage, key: string): Promise<TokenSet | null> {
  let pending: Promise<string | null | undefined> | undefined;
  const seen = readStoredTokens(storage, key, (read) => {
    pending = read;
  });
  if (!pending) return seen;
  return pending.then(
    (raw) => decodeStored(raw, storage, key, true),
    () => null,
  );
}
