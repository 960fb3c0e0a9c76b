import {
  getHeaderValue,
  type HeadersLike,
  misuse,
  type RequestSigner,
  type SignedSend,
  warnOnce,
} from '@reauth/core';
import { DPoP, type DPoPHandle } from 'oauth4webapi';
import { generateKeyPair, persistedKeyPair } from './persistedKeyPair';

/**
 * The options of {@link dpop}. All optional: by default a new key, kept in IndexedDB where there is one.
 * @example
 * ```ts
 * const signer = await dpop({ name: 'acme-dpop' }); // its own database, e.g. one per environment
 * const fromMemory = await dpop({ storage: false }); // a new key each time, never stored
 * ```
 */
export interface DPoPOptions {
  /**
   * Your own ES256 key pair (ECDSA P-256, the public key extractable — WebCrypto always makes it so), used as
   * is: nothing is stored. Without it, a key pair is made with a non-extractable private key.
   */
  keyPair?: CryptoKeyPair | undefined;
  /**
   * Where the key made without `keyPair` is kept across reloads: an `IDBFactory`. Default: `indexedDB` where it
   * exists (browsers); `false` keeps it in memory only (a reload makes a new key, so DPoP-bound tokens end).
   */
  storage?: IDBFactory | false | undefined;
  /** The IndexedDB database that keeps the key. Default `'reauth-dpop'`; one per key an app needs. */
  name?: string | undefined;
}

/**
 * A DPoP signer (RFC 9449): give it to `createSession({ dpop })`, which asks it for a fresh proof for each send
 * (replays included) and shows it every answer's `DPoP-Nonce`, and to `oauthRefresh({ dpop })`, whose token
 * requests then use the same key and nonces. Tokens bound to its key are sent as `Authorization: DPoP <token>`.
 * @example
 * ```ts
 * const signer: DPoPSigner = await dpop();
 * const { DPoP } = await signer.sign({ method: 'GET', url: 'https://api.example.com/items', accessToken });
 * const jkt = await signer.thumbprint(); // the `cnf.jkt` of the tokens bound to this key
 * ```
 */
export interface DPoPSigner extends RequestSigner {
  readonly scheme: 'DPoP';
  /**
   * The JWK SHA-256 thumbprint (RFC 7638) of its public key: the `dpop_jkt` parameter of an authorization
   * request, and the `cnf.jkt` of the tokens bound to it.
   */
  thumbprint(): Promise<string>;
  /** The same thumbprint, known when `dpop()` resolves. */
  readonly jkt: string;
  /**
   * oauth4webapi's DPoP handle of the same key and nonces, for the token requests your app makes itself — the
   * authorization code exchange, so the first tokens are bound too:
   * `authorizationCodeGrantRequest(as, client, auth, params, redirectUri, verifier, { DPoP: signer.handle })`.
   */
  readonly handle: DPoPHandle;
}

/** oauth4webapi's handle: the proof and the nonce cache are its own, reached only through these two methods. */
interface ProofMaker {
  addProof(
    url: URL,
    headers: { set(name: string, value: string): void },
    htm: string,
    ath?: string,
  ): Promise<void>;
  cacheNonce(response: { headers: { get(name: string): string | null } }, url: URL): void;
}

/** Each signer's oauth4webapi handle, for `oauthRefresh({ dpop })`: internal, never part of the public API. */
export const dpopHandles: WeakMap<DPoPSigner, DPoPHandle> = new WeakMap();

const WHERE = 'dpop';
const EXPECTED_KEY =
  "`keyPair` must be an ES256 CryptoKeyPair (ECDSA P-256) whose public key is extractable, e.g. crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])";

const isKey = (key: unknown, type: KeyType): key is CryptoKey => {
  const { algorithm, type: actual } = (key ?? {}) as Partial<CryptoKey>;
  return (
    actual === type && algorithm?.name === 'ECDSA' && (algorithm as EcKeyAlgorithm).namedCurve === 'P-256'
  );
};

/** Whether `value` is an ES256 key pair oauth4webapi can sign DPoP proofs with. */
const isUsable = (value: unknown): value is CryptoKeyPair => {
  const { privateKey, publicKey } = (value ?? {}) as Partial<CryptoKeyPair>;
  return isKey(privateKey, 'private') && isKey(publicKey, 'public') && publicKey.extractable;
};

/**
 * Makes a DPoP signer (RFC 9449, sender-constrained tokens) on oauth4webapi: every send carries a fresh proof
 * (`htm`, `htu`, `ath`, a new `jti`, and the latest `DPoP-Nonce` of that origin). Without `keyPair` it makes a
 * WebCrypto ES256 key pair whose private key cannot be exported, and in browsers keeps it in IndexedDB, so a
 * reload — or another tab — uses the same key and the tokens bound to it stay usable. Where IndexedDB is missing
 * (a server, React Native) or fails (some private modes), the key lives in memory.
 * @param options your own `keyPair`, or where to keep the one made
 * @returns the signer, for `createSession({ dpop })` and `oauthRefresh({ dpop })`
 * @example
 * ```ts
 * const signer = await dpop();
 * const session = createSession({
 *   dpop: signer,
 *   refresh: oauthRefresh({ issuer: 'https://auth.example.com', clientId: 'web', dpop: signer }),
 * });
 * ```
 */
export async function dpop(options: DPoPOptions = {}): Promise<DPoPSigner> {
  if (typeof options !== 'object' || options === null) {
    throw misuse(WHERE, 'expected options { keyPair?, storage?, name? } or nothing');
  }
  const { keyPair, name = 'reauth-dpop', storage = globalThis.indexedDB ?? false } = options;
  if (keyPair !== undefined && !isUsable(keyPair)) throw misuse(WHERE, EXPECTED_KEY);
  if (typeof name !== 'string' || name === '') {
    throw misuse(WHERE, '`name` must be a non-empty IndexedDB database name');
  }
  if (storage !== false && typeof storage?.open !== 'function') {
    throw misuse(
      WHERE,
      '`storage` must be an IDBFactory such as indexedDB, or false to keep the key in memory',
    );
  }

  const keys = keyPair ?? (storage ? await persisted(storage, name) : await generateKeyPair());
  const handle = DPoP({}, keys);
  // Known at once: the session checks restored tokens against it (a token bound to another key is not used).
  const jkt = await handle.calculateThumbprint();
  const proofs = handle as DPoPHandle & ProofMaker;
  const signer: DPoPSigner = Object.freeze({
    scheme: 'DPoP',
    async sign({ method, url, accessToken }: SignedSend) {
      let proof = '';
      const headers = {
        set(_name: string, value: string) {
          proof = value;
        },
      };
      await proofs.addProof(new URL(url), headers, method.toUpperCase(), accessToken);
      return { DPoP: proof };
    },
    observe(url: string, answer: HeadersLike) {
      try {
        proofs.cacheNonce({ headers: { get: (header) => getHeaderValue(answer, header) } }, new URL(url));
      } catch {} // a URL that cannot be parsed has no nonce to learn
    },
    jkt,
    thumbprint: async () => jkt,
    handle,
  });
  dpopHandles.set(signer, handle);
  return signer;
}

async function persisted(storage: IDBFactory, name: string): Promise<CryptoKeyPair> {
  try {
    return await persistedKeyPair(storage, name, isUsable);
  } catch (error) {
    if (process.env.NODE_ENV !== 'production') {
      warnOnce(
        `dpop: the key could not be kept in IndexedDB "${name}" (${(error as Error)?.name ?? 'error'}); it lives in memory, so DPoP-bound tokens end with this page.`,
        `dpop:${name}`,
      );
    }
    return generateKeyPair();
  }
}
