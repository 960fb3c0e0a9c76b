// @vitest-environment happy-dom
import { createSession } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';
import { afterEach, describe, expect, it, vi } from 'vitest';

const TOKEN = 'opaque-access-token-review-base';

afterEach(() => {
  for (const element of document.querySelectorAll('base')) element.remove();
});

describe('odd URL forms get the token exactly when fetch sends them to an allowed origin', () => {
  const allowed = ['https://api.review.test', 'https://xn--bcher-kva.review.test'];
  it.each([
    '//evil.test/x',
    '\\\\evil.test/x',
    '/\\evil.test/x',
    'http:evil.test/x',
    ' https://evil.test/x',
    '\thttps://evil.test/x',
    'HTTPS://API.REVIEW.TEST/x',
    'https://api.review.test@evil.test/x',
    'https://api.review.test\\@evil.test/x',
    'https://api.review.test\t.evil.test/x',
    'https://api.review.test:443/x',
    'https://api.review.test:8443/x',
    'https://api.review.test./x',
    'http://api.review.test/x',
    'https://bücher.review.test/x',
    'https://api.review.test%2Eevil.test/x',
  ])('%j', async (url) => {
    const session = createSession({ crossTab: false, autoRefresh: false });
    session.signIn({ accessToken: TOKEN });
    let authorization: string | null | undefined;
    const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
      authorization = new Headers(init?.headers).get('authorization');
      return new Response('ok');
    };
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const target = (() => {
      try {
        return new URL(url, document.baseURI).origin;
      } catch {
        return 'unparseable';
      }
    })();

    await createAuthFetch(session, { fetch, allowedOrigins: allowed })(url);

    expect(authorization ?? null).toBe(allowed.includes(target) ? `Bearer ${TOKEN}` : null);
  });
});

describe('a page with a <base href> on another origin', () => {
  // fetch and XHR resolve a relative URL against the document's base URL, which a <base href> sets: so must the
  // origin check.
  it('sends no token with a relative URL that the page resolves to a foreign origin', async () => {
    const base = document.createElement('base');
    base.href = 'https://cdn.review.test/assets/';
    document.head.append(base);
    expect(location.origin).not.toBe('https://cdn.review.test');
    expect(new URL('/api/items', document.baseURI).origin).toBe('https://cdn.review.test');

    const session = createSession({ crossTab: false, autoRefresh: false });
    session.signIn({ accessToken: TOKEN });
    const sent: { target: string; authorization: string | null }[] = [];
    const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      // Where fetch sends it: a string input is parsed against the document's base URL.
      const target = new URL(String(input), document.baseURI).origin;
      sent.push({ target, authorization: new Headers(init?.headers).get('authorization') });
      return new Response('ok');
    });
    const authFetch = createAuthFetch(session, { fetch });

    await authFetch('/api/items');

    expect(sent).toEqual([{ target: 'https://cdn.review.test', authorization: null }]);
  });
});
