import type { HeadersLike, RequestSigner, SignedSend } from '@reauth/core';
import { getHeaderValue } from '@reauth/core';
import { expect } from 'vitest';
import type { AuthModel, ModelRequest } from './authModel';
import type { TokenCheck } from './fakeAuth';
import type { Transport } from './scenario';

/** What a fake proof says: a JSON header value, so a test can read it back. */
export interface FakeProof {
  /** Unique per proof: DPoP's `jti`. */
  jti: number;
  htm: string;
  /** Origin and path, as DPoP's `htu`. */
  htu: string;
  /** A fingerprint of the access token the proof was made for (DPoP's `ath`). */
  ath: string;
  nonce?: string;
}

/** A short fingerprint of a token: proofs and assertions name it without carrying the token. */
export function fingerprint(token: string): string {
  let hash = 5381;
  for (let i = 0; i < token.length; i++) hash = ((hash * 33) ^ token.charCodeAt(i)) >>> 0;
  return hash.toString(36);
}

export const readProof = (header: string | undefined | null): FakeProof | null =>
  header ? (JSON.parse(header) as FakeProof) : null;

export interface FakeSigner extends RequestSigner {
  /** Every send signed, in order. */
  signs: SignedSend[];
  /** Every answer shown to `observe`: its URL and the DPoP-Nonce it carried (null when none). */
  observed: { url: string; nonce: string | null }[];
  /** The next `sign` calls reject with this (until set back to undefined). */
  failWith: unknown;
  /** The next `sign` resolves after this many ms (setTimeout: fake timers drive it). */
  delayMs: number;
}

/**
 * A signer shaped as `dpop()`'s: fresh proofs (a new `jti` each), the latest nonce of each origin learnt from the
 * answers it is shown. Proofs are readable JSON, not JWTs: the loop is under test, not the crypto.
 */
export function createFakeSigner(): FakeSigner {
  let jti = 0;
  const nonces = new Map<string, string>();
  const signer: FakeSigner = {
    scheme: 'DPoP',
    signs: [],
    observed: [],
    failWith: undefined,
    delayMs: 0,
    async sign(send) {
      signer.signs.push(send);
      if (signer.delayMs) await new Promise((resolve) => setTimeout(resolve, signer.delayMs));
      if (signer.failWith !== undefined) throw signer.failWith;
      const url = new URL(send.url);
      const proof: FakeProof = {
        jti: ++jti,
        htm: send.method,
        htu: `${url.origin}${url.pathname}`,
        ath: fingerprint(send.accessToken),
      };
      const nonce = nonces.get(url.origin);
      if (nonce !== undefined) proof.nonce = nonce;
      return { DPoP: JSON.stringify(proof) };
    },
    observe(url: string, headers: HeadersLike) {
      const nonce = getHeaderValue(headers, 'dpop-nonce');
      signer.observed.push({ url, nonce });
      if (nonce) nonces.set(new URL(url).origin, nonce);
    },
  };
  return signer;
}

/** A send as a DPoP resource server reads it. */
export interface DpopSend {
  method: string;
  /** Absolute: origin and path. */
  url: string;
  authorization: string | null;
  /** The DPoP header. */
  proof: string | null;
}

export interface DpopReply {
  status: number;
  headers: Record<string, string>;
  body: { ok: true } | { error: string };
}

/**
 * A resource server that checks DPoP as RFC 9449 §7 says (on fake proofs): the `DPoP` scheme, a proof for this
 * method, URL and token, never seen before, carrying the nonce it demands. `nonce` set: that nonce is demanded;
 * `rotate`: the nonce changes on every request (none is ever accepted); `nonceOnSuccess`: a 200 hands out the next nonce (which
 * is demanded from then on).
 */
export function createDpopResource(check: (token: string | null) => TokenCheck) {
  const seen = new Set<number>();
  let counter = 0;
  const state = {
    nonce: undefined as string | undefined,
    rotate: false,
    nonceOnSuccess: false,
    /** Every reply's cause, in order: 'ok', 'scheme', 'proof', 'replayed', 'nonce', or a TokenCheck. */
    verdicts: [] as string[],
  };
  const refuse = (verdict: string, error: string, extra: Record<string, string> = {}): DpopReply => {
    state.verdicts.push(verdict);
    return {
      status: 401,
      headers: { 'www-authenticate': `DPoP error="${error}", algs="ES256"`, ...extra },
      body: { error },
    };
  };
  const answer = (send: DpopSend): DpopReply => {
    const token = /^DPoP (.+)$/.exec(send.authorization ?? '')?.[1] ?? null;
    if (send.authorization !== null && token === null) return refuse('scheme', 'invalid_token');
    if (token === null) return refuse('missing', 'invalid_token');
    const proof = readProof(send.proof);
    if (!proof || proof.htm !== send.method || proof.htu !== send.url || proof.ath !== fingerprint(token)) {
      return refuse('proof', 'invalid_dpop_proof');
    }
    if (seen.has(proof.jti)) return refuse('replayed', 'invalid_dpop_proof');
    seen.add(proof.jti);
    // A nonce that rotates on every request is stale whenever it arrives.
    if (state.rotate) state.nonce = `n${++counter}`;
    if (state.nonce !== undefined && proof.nonce !== state.nonce) {
      return refuse('nonce', 'use_dpop_nonce', { 'dpop-nonce': state.nonce });
    }
    const verdict = check(token);
    if (verdict !== 'valid') return refuse(verdict, 'invalid_token');
    state.verdicts.push('ok');
    const headers: Record<string, string> = {};
    if (state.nonceOnSuccess) headers['dpop-nonce'] = state.nonce = `s${++counter}`;
    return { status: 200, headers, body: { ok: true } };
  };
  return { state, answer };
}

/**
 * What a DPoP resource server checks of every send, as the interleaving properties see it: a token goes with the
 * DPoP scheme and a proof made for that send (method, URL, token) that was never sent before; no proof goes
 * without a token.
 */
export function createProofChecker() {
  const signer = createFakeSigner();
  const seen = new Set<number>();
  const violations: string[] = [];
  const verify = ({ sent, bearer, reqId }: ModelRequest): string | null => {
    if (!sent) {
      violations.push(`${reqId}: the transport did not report what it sent`);
      return bearer;
    }
    const { method, href, authorization, proof } = sent;
    const found = readProof(proof);
    if (authorization === null) {
      if (found) violations.push(`${reqId}: a proof sent without a token`);
      return null;
    }
    const token = /^DPoP (.+)$/.exec(authorization)?.[1];
    if (!token) {
      violations.push(`${reqId}: a token sent with another scheme than DPoP`);
      return bearer;
    }
    if (!found) {
      violations.push(`${reqId}: a token sent without a proof`);
      return token;
    }
    const url = new URL(href);
    if (
      found.htm !== method ||
      found.htu !== `${url.origin}${url.pathname}` ||
      found.ath !== fingerprint(token)
    ) {
      violations.push(`${reqId}: a proof made for another send`);
    }
    if (seen.has(found.jti)) violations.push(`${reqId}: a proof sent twice (jti ${found.jti})`);
    seen.add(found.jti);
    return token;
  };
  return { signer, verify, violations, proofs: () => seen.size };
}

/**
 * `transport` with a DPoP signer on each run's session, and a resource server that checks every send's proof
 * ({@link createProofChecker}) before the model answers it: the interleaving properties then also prove a fresh,
 * matching proof on every send and replay, whatever order things land in.
 */
export function withDpop(transport: Transport): Transport & { proofsChecked(): number } {
  let checker = createProofChecker();
  let checked = 0;
  return {
    ...transport,
    sessionOptions() {
      checker = createProofChecker();
      return { ...transport.sessionOptions?.(), dpop: checker.signer };
    },
    connect(model, session) {
      const serve: AuthModel['serve'] = (request, abortError) =>
        model.serve({ ...request, bearer: checker.verify(request) }, abortError);
      return transport.connect({ ...model, serve }, session);
    },
    checkRun(run) {
      transport.checkRun?.(run);
      expect(checker.violations).toEqual([]);
      checked += checker.proofs();
    },
    proofsChecked: () => checked,
  };
}
