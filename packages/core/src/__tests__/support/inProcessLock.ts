import type { LockLike } from '@reauth/core';

/** A lock in one process, first come first served (Web Locks as a browser gives them), recording what it was asked. */
export function inProcessLock() {
  let tail: Promise<unknown> = Promise.resolve();
  const requests: { name: string; signal: AbortSignal | undefined }[] = [];
  const lock: LockLike = {
    request(name, { signal }, callback) {
      requests.push({ name, signal });
      const run = tail.then(() => (signal?.aborted ? Promise.reject(signal.reason) : callback()));
      tail = run.catch(() => {});
      return run;
    },
  };
  return { lock, requests };
}
