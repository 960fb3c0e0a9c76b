import { type AnyStorage, decodeStored, type TokenSet, writeStoredTokens } from './tokens';
import { waitFor, warnOnce } from './utils';

/**
 * Writes a session's tokens to its storage. An asynchronous storage writes one value at a time, the latest one
 * next: the last write wins, and no write overtakes another.
 */
export function createTokenWriter(storage: AnyStorage, key: string) {
  // False after a write storage refused: what it holds (if anything) is older than the session.
  let isCurrent = true;
  let isWriting = false;
  let queued: { set: TokenSet | null } | null = null;
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
    written.then((isWritten) => {
      isCurrent = isWritten;
      isWriting = false;
      const next = queued;
      queued = null;
      if (next) write(next.set);
    });
  };
  return { write, isCurrent: () => isCurrent };
}

/**
 * What an asynchronous storage's pending read holds, as tokens; null for nothing, a failed read, or none within
 * `timeoutMs` (a development warning; the entry is left as it is).
 */
export function readLater(
  read: Promise<string | null | undefined>,
  storage: AnyStorage,
  key: string,
  timeoutMs: number,
): Promise<TokenSet | null> {
  const timedOut = Symbol();
  return waitFor(read, undefined, timeoutMs, () => timedOut).then(
    (raw) => decodeStored(raw, storage, key),
    (error) => {
      if (error === timedOut && process.env.NODE_ENV !== 'production') {
        warnOnce(`storage did not answer within ${timeoutMs} ms; the session starts signed out.`);
      }
      return null;
    },
  );
}
