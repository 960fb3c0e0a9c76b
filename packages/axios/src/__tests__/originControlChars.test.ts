import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it, vi } from 'vitest';

const TOKEN = 'opaque-access-token-review-origins';

/** An instance on https://api.review.test whose adapter records where each send goes, as axios's own would. */
function setup() {
  const session = createSession({ crossTab: false, autoRefresh: false });
  session.signIn({ accessToken: TOKEN });
  const sent: { origin: string; authorization: unknown }[] = [];
  const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    // axios's http adapter parses buildFullPath(baseURL, url) with WHATWG URL; XHR and fetch do too.
    sent.push({
      origin: new URL(axios.getUri(config)).origin,
      authorization: config.headers.get('Authorization'),
    });
    return { data: 'ok', status: 200, statusText: 'OK', headers: {}, config };
  };
  const http = axios.create({ baseURL: 'https://api.review.test', adapter });
  attachAuth(http, session);
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  return { http, sent };
}

describe('a per-request baseURL with a tab or newline in its host', () => {
  // The URL parser drops tabs and newlines, so 'https://api.review.test	.evil.test' is api.review.test.evil.test:
  // it must not share the origin cache entry of 'https://api.review.test' (which would send it the token).
  it.each([
    ['a tab', '\t'],
    ['a newline', '\n'],
  ])('sends no token to the host it really names (%s)', async (_, space) => {
    const { http, sent } = setup();
    await http.get('/items'); // an ordinary request: the origin of the base URL is decided as allowed

    await http.get('/items', { baseURL: `https://api.review.test${space}.evil.test` });

    expect(sent).toEqual([
      { origin: 'https://api.review.test', authorization: `Bearer ${TOKEN}` },
      { origin: 'https://api.review.test.evil.test', authorization: undefined },
    ]);
  });
});
