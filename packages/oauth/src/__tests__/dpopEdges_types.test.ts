import {
  createSession,
  type HeadersLike,
  type RequestSigner,
  type Session,
  type SignedSend,
} from '@reauth/core';
import { type DPoPSigner, dpop, oauthRefresh } from '@reauth/oauth';
import { describe, expect, expectTypeOf, it } from 'vitest';

// Checked by `tsc` too: each assignment must compile under the repo's strict options.

describe('DPoP types', () => {
  it('a DPoPSigner goes to createSession in the default and refresh-cookie models, and to oauthRefresh', async () => {
    const signer: DPoPSigner = await dpop({ storage: false });
    const asSigner: RequestSigner = signer;
    expectTypeOf(signer).toExtend<RequestSigner>();
    const tokens = createSession({ dpop: signer });
    expectTypeOf(tokens).toEqualTypeOf<Session<undefined>>();
    const refreshCookie = createSession({
      cookies: 'refresh',
      dpop: signer,
      refresh: async () => ({ accessToken: 'a' }),
    });
    expectTypeOf(refreshCookie).toEqualTypeOf<Session<'refresh'>>();
    const withOauth = createSession({
      dpop: signer,
      refresh: oauthRefresh({
        tokenEndpoint: 'https://as.example.test/token',
        clientId: 'web',
        dpop: signer,
      }),
    });
    expect(withOauth.getState().status).toBe('signedOut');
    void asSigner;
  });

  it('a hand-written signer compiles under strict mode, with observe taking a Headers', () => {
    const mine = {
      scheme: 'DPoP',
      async sign(send: SignedSend) {
        return { DPoP: `${send.method} ${send.url}` };
      },
      observe(_url: string, headers: HeadersLike) {
        void headers;
      },
    } satisfies RequestSigner;
    const narrow: RequestSigner = {
      scheme: 'DPoP',
      sign: async () => ({ DPoP: 'x' }),
      observe: (_url: string, headers: Headers) => void headers.get('dpop-nonce'),
    };
    createSession({ dpop: mine });
    createSession({ dpop: narrow });
  });

  it("cookies: 'session' with dpop throws a TypeError that says why", () => {
    const signer: RequestSigner = { scheme: 'DPoP', sign: async () => ({}), observe() {} };
    expect(() => createSession({ cookies: 'session', dpop: signer })).toThrow(TypeError);
    expect(() => createSession({ cookies: 'session', dpop: signer })).toThrow(
      /\[reauth\] createSession: `dpop` can't bind a cookie session/,
    );
  });
});
