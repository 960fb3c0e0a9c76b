import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { describe, expect, it } from 'vitest';

// What the wrapped fetch is given: init's headers with the token, in any HeadersInit shape (as fetch takes them).
// A request with no headers of its own gets a plain record (fetch reads it once); headers of the caller's are
// merged into a Headers copy, the caller's own Authorization replaced whatever its case.
function setup() {
  const session = createSession({ crossTab: false, autoRefresh: false, refresh: async () => null as never });
  session.signIn({ accessToken: 'token-1', refreshToken: 'refresh-1', expiresIn: 3600 });
  const calls: { input: RequestInfo | URL; init: RequestInit | undefined }[] = [];
  const authFetch = createAuthFetch(session, {
    allowedOrigins: ['https://api.shapes.test'],
    fetch: async (input, init) => {
      new Request(input as RequestInfo, init); // as a real fetch does: throws on headers it can't read
      calls.push({ input, init });
      return new Response(null, { status: 204 });
    },
  });
  return { authFetch, calls };
}

describe('the headers the wrapped fetch is given', () => {
  it('a request with no headers: a plain record holding the token, the caller’s init untouched', async () => {
    const { authFetch, calls } = setup();
    const init = { method: 'GET' };
    await authFetch('https://api.shapes.test/items', init);
    expect(calls[0]?.init?.headers).toEqual({ Authorization: 'Bearer token-1' });
    expect(Object.getPrototypeOf(calls[0]?.init?.headers)).toBe(Object.prototype);
    expect(calls[0]?.init?.method).toBe('GET');
    expect(init).toEqual({ method: 'GET' });
  });

  it.each([
    ['a record', { authorization: 'Bearer stale', 'X-Trace': '7' }],
    [
      'pairs',
      [
        ['AUTHORIZATION', 'Bearer stale'],
        ['x-trace', '7'],
      ] as [string, string][],
    ],
    ['a Headers', new Headers({ Authorization: 'Bearer stale', 'x-trace': '7' })],
  ])(
    'headers of the caller’s (%s): one Authorization, the token’s, and the others kept',
    async (_, headers) => {
      const { authFetch, calls } = setup();
      await authFetch('https://api.shapes.test/items', { headers });
      const sent = new Headers(calls[0]?.init?.headers);
      expect(sent.get('authorization')).toBe('Bearer token-1');
      expect(sent.get('x-trace')).toBe('7');
      expect([...sent.keys()].sort()).toEqual(['authorization', 'x-trace']);
    },
  );

  it('a request to another origin: the init as the caller gave it, no token', async () => {
    const { authFetch, calls } = setup();
    const init = { headers: { 'X-Trace': '7' } };
    await authFetch('https://elsewhere.test/items', init);
    expect(calls[0]?.init).toBe(init);
  });

  it('headers: null (untyped JS) rejects as fetch itself does, with or without a token', async () => {
    const { authFetch } = setup();
    const init = { headers: null } as unknown as RequestInit;
    // No token (another origin): fetch itself rejects.
    await expect(authFetch('https://elsewhere.test/items', init)).rejects.toThrow(TypeError);
    // With a token: the same answer, not a request sent with the caller's headers replaced.
    await expect(authFetch('https://api.shapes.test/items', init)).rejects.toThrow(TypeError);
  });
});
