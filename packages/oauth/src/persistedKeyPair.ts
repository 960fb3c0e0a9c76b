const STORE = 'keys';
const KEY = 'dpop';
/** How long `dpop()` waits for IndexedDB to open before it keeps the key in memory. */
const OPEN_TIMEOUT_MS = 3_000;

/** A new ES256 key pair whose private key can never be exported: only used to sign, where it was made. */
export function generateKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
}

/**
 * The key pair kept in IndexedDB database `name`, made and stored there the first time. CryptoKeys are
 * structured-cloneable, so a non-extractable private key is stored as the object it is, never as key material.
 * Two tabs making it at once end with one key: the store's `add` fails for the later one, which reads the winner's.
 * Rejects when IndexedDB fails (blocked, quota, a database of that name that is not ours).
 */
export async function persistedKeyPair(
  indexedDB: IDBFactory,
  name: string,
  isUsable: (value: unknown) => value is CryptoKeyPair,
): Promise<CryptoKeyPair> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    // Some engines never answer an open (Safari 14.1): the app must not wait for its key forever.
    let isLate = false;
    const timer = setTimeout(() => {
      isLate = true;
      reject(new DOMException(`IndexedDB did not open within ${OPEN_TIMEOUT_MS} ms`, 'TimeoutError'));
    }, OPEN_TIMEOUT_MS);
    const open = indexedDB.open(name);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onsuccess = () => {
      clearTimeout(timer);
      if (isLate) open.result.close();
      else resolve(open.result);
    };
    open.onerror = () => {
      clearTimeout(timer);
      reject(open.error);
    };
  });
  const read = async (): Promise<CryptoKeyPair | undefined> => {
    const value = await settle(db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY));
    if (value === undefined) return undefined;
    if (isUsable(value)) return value;
    throw new Error(`IndexedDB "${name}" holds something that is not a DPoP key pair`);
  };
  try {
    const stored = await read();
    if (stored) return stored;
    const created = await generateKeyPair();
    try {
      await new Promise<void>((resolve, reject) => {
        const transaction = db.transaction(STORE, 'readwrite');
        transaction.objectStore(STORE).add(created, KEY);
        transaction.oncomplete = () => resolve();
        transaction.onabort = transaction.onerror = () => reject(transaction.error);
      });
      return created;
    } catch (error) {
      // Another tab (or call) stored its key first: use that one, so both send proofs of the same key.
      const winner = await read();
      if (winner) return winner;
      throw error;
    }
  } finally {
    db.close();
  }
}

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
