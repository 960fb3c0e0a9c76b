import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { API, createFakeFetch } from './support/fakeFetch';
import { bearer, finish, setup, url } from './support/setup';

let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  vi.useFakeTimers();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const warnings = () => warn.mock.calls.map(([message]) => String(message));

describe('the token goes only to allowed origins', () => {
  it('sends it to an allowed origin string or RegExp, not to others', async () => {
    const { api, authFetch, tokens } = setup({
      auth: { allowedOrigins: [API, /^https:\/\/[a-z]+\.example\.com$/] },
    });
    for (const target of [
      url('/a'),
      'https://eu.example.com/b',
      'https://api.test.evil.com/c',
      'http://api.test/d',
    ]) {
      await finish(authFetch(target, { skipAuth: false }));
    }
    expect(api.sends.map((s) => [s.url, s.authorization])).toEqual([
      [url('/a'), bearer(tokens.accessToken)],
      ['https://eu.example.com/b', bearer(tokens.accessToken)],
      ['https://api.test.evil.com/c', null],
      ['http://api.test/d', null],
    ]);
  });

  it('decides on the URL of a Request input', async () => {
    const { api, authFetch, tokens } = setup();
    await finish(authFetch(new Request(url('/mine'))));
    await finish(authFetch(new Request('https://other.test/theirs')));
    expect(api.sends.map((s) => s.authorization)).toEqual([bearer(tokens.accessToken), null]);
  });

  it('with no location and no allowedOrigins (Node): warns once, and no absolute URL gets a token', async () => {
    expect(typeof location).toBe('undefined');
    const api = createFakeFetch();
    const session = createSession({ refresh: api.refresh });
    session.signIn(api.issueTokens());

    const authFetch = createAuthFetch(session, { fetch: api.fetch });
    expect(warnings()).toEqual([
      expect.stringMatching(/^\[reauth\] createAuthFetch: no allowedOrigins and no page/),
    ]);
    expect(warnings()[0]).toMatch(/Pass allowedOrigins/);
    createAuthFetch(session, { fetch: api.fetch }); // a server may create one per request: said once
    expect(warnings()).toHaveLength(1);

    const response = await finish(authFetch(url('/items')));
    expect(response.status).toBe(401);
    expect(api.sends.map((s) => s.authorization)).toEqual([null]);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(warnings().some((m) => m.includes('no token was sent to https://api.test'))).toBe(true);
  });

  it('in a browser, defaults to location.origin: relative and same-origin URLs get the token', async () => {
    vi.stubGlobal('location', new URL('https://app.test/page'));
    const api = createFakeFetch();
    const session = createSession({ refresh: api.refresh });
    const { accessToken } = api.issueTokens();
    session.signIn({ accessToken });
    const authFetch = createAuthFetch(session, {
      fetch: (input, init) => api.fetch(new URL(String(input), 'https://app.test'), init),
    });

    await finish(authFetch('/api/items'));
    await finish(authFetch('https://app.test/api/other'));
    await finish(authFetch('https://api.test/elsewhere'));

    expect(warnings().filter((m) => m.includes('no allowedOrigins'))).toEqual([]);
    expect(api.sends.map((s) => [new URL(s.url).pathname, s.authorization])).toEqual([
      ['/api/items', bearer(accessToken)],
      ['/api/other', bearer(accessToken)],
      ['/elsewhere', null],
    ]);
  });
});
