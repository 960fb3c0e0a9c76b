// Review probes: oauthRefresh misused as a hurried user would misuse it. Each misuse must be a TypeError at the
// oauthRefresh call (not a failure at the first refresh, which would sign the user out), saying what to do.
import { ClientSecretPost, dpop, oauthRefresh } from '@reauth/oauth';
import { afterEach, describe, expect, it, vi } from 'vitest';

const call = (options: unknown) => () => oauthRefresh(options as never);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('oauthRefresh misuse is a TypeError at the call', () => {
  it('no options at all', () => {
    expect(call(undefined)).toThrow(TypeError);
  });

  it('a clientId that is not a string', () => {
    expect(call({ issuer: 'https://as.example', clientId: 42 })).toThrow(/`clientId`/);
  });

  it('a relative tokenEndpoint names the option and asks for an absolute URL', () => {
    expect(call({ tokenEndpoint: '/oauth/token', clientId: 'app' })).toThrow(
      /`tokenEndpoint` must be an absolute https:\/\/ URL/,
    );
  });

  it('a tokenEndpoint of another scheme (ftp:) is refused', () => {
    expect(call({ tokenEndpoint: 'ftp://as.example/token', clientId: 'app' })).toThrow(TypeError);
  });

  it('an http:// issuer without allowInsecureRequests names allowInsecureRequests', () => {
    expect(call({ issuer: 'http://as.example', clientId: 'app' })).toThrow(/allowInsecureRequests: true/);
  });

  it('an http:// tokenEndpoint is refused even when the issuer is https', () => {
    expect(
      call({ issuer: 'https://as.example', tokenEndpoint: 'http://as.example/token', clientId: 'app' }),
    ).toThrow(/`tokenEndpoint` is http:\/\//);
  });

  it('a dpop that is the un-awaited promise of dpop() says to await it', async () => {
    const pending = dpop({ storage: false });
    expect(call({ issuer: 'https://as.example', clientId: 'app', dpop: pending })).toThrow(
      /`dpop` must be the signer of `await dpop\(\)`/,
    );
    await pending;
  });

  it('a hand-made signer object (not from dpop()) is refused', () => {
    const fake = { scheme: 'DPoP', sign: async () => ({ DPoP: 'x' }), observe() {} };
    expect(call({ issuer: 'https://as.example', clientId: 'app', dpop: fake })).toThrow(/`dpop`/);
  });

  // The most common slip with oauth4webapi's client authentications: passing the factory instead of calling it
  // (`clientAuth: ClientSecretPost` for `ClientSecretPost(secret)`). Accepted, every token request then goes out
  // without any client credentials, the server answers invalid_client (401) — terminal — and the user is signed
  // out at the first refresh. A demanding user expects the misuse to be caught where it was made.
  // A heuristic (a factory takes at most 2 parameters, a client authentication 3 or 4), so a development warning
  // rather than a TypeError: a hand-written authentication with rest parameters would trip it.
  it('clientAuth given as the factory itself (ClientSecretPost, not ClientSecretPost(secret)): a warning to call it', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    call({ issuer: 'https://as.example', clientId: 'app', clientAuth: ClientSecretPost })();
    expect(warn.mock.calls.join('\n')).toMatch(/`clientAuth` looks like a factory passed uncalled/);
    warn.mockClear();
    call({ issuer: 'https://as.example', clientId: 'app', clientAuth: ClientSecretPost('s') })();
    expect(warn).not.toHaveBeenCalled();
  });

  // fetch refuses a URL with user info ("Request cannot be constructed from a URL that includes credentials:
  // <the URL>"), so such an endpoint fails every refresh — and undici's message quotes the URL, password included,
  // into the session's error. Expected: refused at the call, without echoing the password.
  it('a tokenEndpoint with user:password@ is a TypeError at the call that does not echo the password', () => {
    const make = call({ tokenEndpoint: 'https://web:SECRET-pw@as.example/token', clientId: 'web' });
    expect(make).toThrow(TypeError);
    expect(() => {
      try {
        make();
      } catch (error) {
        if (String((error as Error).message).includes('SECRET')) throw new Error('echoed');
      }
    }).not.toThrow();
  });
});
