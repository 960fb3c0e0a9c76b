// @vitest-environment happy-dom
import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios, { type AxiosAdapter } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  for (const element of document.querySelectorAll('base')) element.remove();
});

describe('a page with a <base href> on another origin, axios with a relative baseURL', () => {
  // Was a bug (review, 2026-11-30): with no allowedOrigins, the default allowed origin is baseURL's
  // origin resolved by originOf() against document.baseURI — the CDN's. Every request then goes there with the
  // token, where the fetch adapter (default: location.origin) sends none. Expected: the default stays the page's
  // own origin (DESIGN: "the origin of baseURL, else location.origin", read as the app's origin).
  it('sends no token to the <base href> origin', async () => {
    const base = document.createElement('base');
    base.href = 'https://cdn.review.test/assets/';
    document.head.append(base);
    expect(location.origin).not.toBe('https://cdn.review.test');

    const session = createSession({ crossTab: false, autoRefresh: false });
    session.signIn({ accessToken: 'opaque-access-token-review-base' });
    const sent: { target: string; authorization: unknown }[] = [];
    const adapter: AxiosAdapter = async (config) => {
      // Where XHR sends it: axios's full path, parsed against the document's base URL.
      const target = new URL(axios.getUri(config), document.baseURI).origin;
      sent.push({ target, authorization: config.headers.get('Authorization') ?? null });
      return { data: 'ok', status: 200, statusText: '', headers: {}, config };
    };
    const http = axios.create({ baseURL: '/api', adapter });
    attachAuth(http, session);
    vi.spyOn(console, 'warn').mockImplementation(() => {});

    await http.get('/items');

    expect(sent).toEqual([{ target: 'https://cdn.review.test', authorization: null }]);
  });
});
