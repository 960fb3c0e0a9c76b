// dpop() on its own, in Node (no IndexedDB: the key lives in memory): what it accepts, the proofs it makes
// (verified with jose against the key they embed), the key it makes, and the nonces it learns — per origin.
import { createHash } from 'node:crypto';
import { dpop, oauthRefresh } from '@reauth/oauth';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  exportJWK,
  type JWK,
  jwtVerify,
} from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

const ES256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const send = (url: string, accessToken = 'access-token-1', method = 'GET') => ({ method, url, accessToken });

/** The proof's header and claims, after checking its signature with the public key it embeds. */
async function verified(proof: string) {
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
  return {
    claims: payload,
    header: protectedHeader,
    jkt: await calculateJwkThumbprint(protectedHeader.jwk as JWK),
  };
}

async function proofOf(signer: Awaited<ReturnType<typeof dpop>>, url: string, accessToken?: string) {
  const headers = await signer.sign(send(url, accessToken));
  expect(Object.keys(headers)).toEqual(['DPoP']);
  return verified(headers.DPoP as string);
}

describe('dpop()', () => {
  it.each([
    ['options that are not an object', 'a string'],
    ['an RSA key pair', 'rsa'],
    ['a P-384 key pair', 'p384'],
    ['a public key that cannot be exported', 'hiddenPublic'],
    ['the keys swapped', 'swapped'],
    ['an empty database name', 'emptyName'],
    ['a storage that is not an IDBFactory', 'badStorage'],
  ])('refuses %s with a TypeError saying what to pass', async (_, kind) => {
    const options = await misused(kind);

    const outcome = await dpop(options as never).catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(TypeError);
    expect((outcome as Error).message).toMatch(/^\[reauth\] dpop: /);
    if (['rsa', 'p384', 'hiddenPublic', 'swapped'].includes(kind)) {
      expect((outcome as Error).message).toContain("generateKey({ name: 'ECDSA', namedCurve: 'P-256' }");
    }
  });

  it("is a RequestSigner for createSession: scheme 'DPoP', sign and observe", async () => {
    const signer = await dpop();

    expect(signer.scheme).toBe('DPoP');
    expect(typeof signer.sign).toBe('function');
    expect(typeof signer.observe).toBe('function');
    expect(Object.isFrozen(signer)).toBe(true);
  });

  it('signs each send anew: a valid ES256 dpop+jwt with a distinct jti, htm, htu without query or fragment, ath', async () => {
    const signer = await dpop();
    const url = 'https://api.example.test/v1/items?page=2&access_token=x#top';

    const first = await proofOf(signer, url, 'access-token-1');
    const second = await proofOf(signer, url, 'access-token-1');
    const post = await verified((await signer.sign(send(url, 'access-token-2', 'post'))).DPoP as string);

    expect(first.header).toMatchObject({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty: 'EC', crv: 'P-256' } });
    expect(first.header.jwk).not.toHaveProperty('d'); // only the public key travels
    expect(first.claims).toMatchObject({
      htm: 'GET',
      htu: 'https://api.example.test/v1/items',
      ath: sha256('access-token-1'),
      iat: expect.any(Number),
      jti: expect.any(String),
    });
    expect(first.claims).not.toHaveProperty('nonce');
    expect(second.claims.jti).not.toBe(first.claims.jti);
    expect(post.claims).toMatchObject({ htm: 'POST', ath: sha256('access-token-2') });
    expect(new Set([first.claims.jti, second.claims.jti, post.claims.jti]).size).toBe(3);
    expect(new Set([first.jkt, second.jkt, post.jkt, await signer.thumbprint()]).size).toBe(1);
  });

  it('makes an ES256 key pair whose private key cannot be exported, and signs with it', async () => {
    const generateKey = vi.spyOn(crypto.subtle, 'generateKey');

    const signer = await dpop();

    expect(generateKey).toHaveBeenCalledTimes(1);
    const made = (await generateKey.mock.results[0]?.value) as CryptoKeyPair;
    expect(made.privateKey.extractable).toBe(false);
    expect(made.privateKey.algorithm).toMatchObject(ES256);
    await expect(crypto.subtle.exportKey('jwk', made.privateKey)).rejects.toThrow();
    const madeJkt = await calculateJwkThumbprint(await exportJWK(made.publicKey));
    expect(await signer.thumbprint()).toBe(madeJkt);
    expect((await proofOf(signer, 'https://api.example.test/')).jkt).toBe(madeJkt);
  });

  it('uses a given key pair as is, and makes no key of its own', async () => {
    const keyPair = await crypto.subtle.generateKey(ES256, true, ['sign', 'verify']);
    const generateKey = vi.spyOn(crypto.subtle, 'generateKey');

    const signer = await dpop({ keyPair });

    const expected = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    expect(generateKey).not.toHaveBeenCalled();
    expect(await signer.thumbprint()).toBe(expected);
    expect((await proofOf(signer, 'https://api.example.test/')).jkt).toBe(expected);
  });

  it('each call without a key pair, with no IndexedDB, makes a new key (kept in memory)', async () => {
    const one = await dpop();
    const two = await dpop();

    expect(await one.thumbprint()).not.toBe(await two.thumbprint());
  });

  it("learns a server's DPoP-Nonce from the answers it observes, per origin, from any header container", async () => {
    const signer = await dpop();
    const api = 'https://api.example.test';
    const other = 'https://other.example.test';

    signer.observe(`${api}/items`, new Headers({ 'DPoP-Nonce': 'nonce-1' }));
    expect((await proofOf(signer, `${api}/elsewhere?x=1`)).claims.nonce).toBe('nonce-1');
    expect((await proofOf(signer, `${other}/items`)).claims).not.toHaveProperty('nonce');

    signer.observe(`${other}/items`, { 'dpop-nonce': 'nonce-other' }); // a plain object, as axios gives
    signer.observe(`${api}/items`, { get: (name: string) => (name === 'dpop-nonce' ? 'nonce-2' : null) });
    expect((await proofOf(signer, `${api}/items`)).claims.nonce).toBe('nonce-2');
    expect((await proofOf(signer, `${other}/items`)).claims.nonce).toBe('nonce-other');

    // An answer without a nonce keeps the one learnt; an unparsable URL or missing headers are ignored.
    signer.observe(`${api}/items`, new Headers());
    signer.observe('not a url', { 'dpop-nonce': 'lost' });
    signer.observe(`${api}/items`, undefined);
    expect((await proofOf(signer, `${api}/items`)).claims.nonce).toBe('nonce-2');
  });

  it('with IndexedDB failing, keeps the key in memory and warns once in development, with no key material', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const failing = {
      open() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    } as unknown as IDBFactory;

    const first = await dpop({ storage: failing, name: 'failing-db' });
    const second = await dpop({ storage: failing, name: 'failing-db' });

    expect(await first.thumbprint()).not.toBe(await second.thumbprint());
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0]?.[0]);
    expect(message).toMatch(/^\[reauth\] dpop: .*IndexedDB "failing-db" \(SecurityError\).*memory/);
    expect(message).not.toContain(await first.thumbprint());
    expect((await proofOf(first, 'https://api.example.test/')).jkt).toBe(await first.thumbprint());
  });

  it('with storage: false, keeps the key in memory without a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});

    await dpop({ storage: false });

    expect(warn).not.toHaveBeenCalled();
  });

  it('oauthRefresh refuses a dpop that is not the signer of dpop()', async () => {
    const lookalike = {
      scheme: 'DPoP' as const,
      sign: async () => ({}),
      observe() {},
      thumbprint: async () => '',
      handle: undefined as never,
      jkt: '',
    };
    const options = { tokenEndpoint: 'https://auth.example.test/token', clientId: 'web' };

    expect(() => oauthRefresh({ ...options, dpop: lookalike })).toThrow(
      "[reauth] oauthRefresh: `dpop` must be the signer of `await dpop()` from '@reauth/oauth'.",
    );
    expect(() => oauthRefresh({ ...options, dpop: undefined })).not.toThrow();
    expect(typeof oauthRefresh({ ...options, dpop: await dpop() })).toBe('function');
  });
});

async function misused(kind: string): Promise<unknown> {
  switch (kind) {
    case 'rsa':
      return {
        keyPair: await crypto.subtle.generateKey(
          {
            name: 'RSASSA-PKCS1-v1_5',
            modulusLength: 2048,
            publicExponent: new Uint8Array([1, 0, 1]),
            hash: 'SHA-256',
          },
          false,
          ['sign', 'verify'],
        ),
      };
    case 'p384':
      return {
        keyPair: await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, [
          'sign',
          'verify',
        ]),
      };
    case 'hiddenPublic': {
      const { privateKey, publicKey } = await crypto.subtle.generateKey(ES256, false, ['sign', 'verify']);
      const jwk = await crypto.subtle.exportKey('jwk', publicKey);
      return {
        keyPair: {
          privateKey,
          publicKey: await crypto.subtle.importKey('jwk', jwk, ES256, false, ['verify']),
        },
      };
    }
    case 'swapped': {
      const { privateKey, publicKey } = await crypto.subtle.generateKey(ES256, false, ['sign', 'verify']);
      return { keyPair: { privateKey: publicKey, publicKey: privateKey } };
    }
    case 'emptyName':
      return { name: '' };
    case 'badStorage':
      return { storage: localStorageLike };
    default:
      return kind;
  }
}

const localStorageLike = { getItem: () => null, setItem() {} };

describe('signer.jkt', () => {
  it("is its key's JWK thumbprint, known when dpop() resolves (the session checks restored tokens' cnf.jkt against it)", async () => {
    const signer = await dpop({ storage: false });
    const { DPoP } = await signer.sign({
      method: 'GET',
      url: 'https://api.example.test/x',
      accessToken: 'at',
    });
    const { jwk } = decodeProtectedHeader(DPoP as string);
    expect(signer.jkt).toBe(await calculateJwkThumbprint(jwk as JWK));
    expect(await signer.thumbprint()).toBe(signer.jkt);
    expect((await dpop({ storage: false })).jkt).not.toBe(signer.jkt);
  });
});
