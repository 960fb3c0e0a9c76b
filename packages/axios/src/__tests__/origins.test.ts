import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bearer, rejection, setup } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function authorizationSentTo(context: ReturnType<typeof setup>, url: string) {
  const done = context.http.get(url).catch(() => {});
  await vi.advanceTimersByTimeAsync(100);
  await done;
  const send = context.api.sends.at(-1);
  expect(send?.url).toBe(url);
  return send?.authorization;
}

describe('the token goes only to allowed origins', () => {
  it("by default, to the instance's baseURL origin", async () => {
    const context = setup({ baseURL: 'https://api.test/v1' });
    const token = bearer(context.tokens.accessToken);

    expect(await authorizationSentTo(context, '/items')).toBe(token);
    expect(await authorizationSentTo(context, 'https://api.test/other')).toBe(token);
    expect(await authorizationSentTo(context, 'https://other.test/items')).toBeNull();
    expect(await authorizationSentTo(context, 'http://api.test/items')).toBeNull();
    expect(await authorizationSentTo(context, 'https://api.test:8443/items')).toBeNull();
  });

  it('never to a protocol-relative URL on another host', async () => {
    const context = setup();
    expect(await authorizationSentTo(context, '//evil.test/items')).toBeNull();
  });

  it('to relative URLs on an instance without a baseURL', async () => {
    const context = setup({ baseURL: null });
    expect(await authorizationSentTo(context, '/items')).toBe(bearer(context.tokens.accessToken));
    expect(await authorizationSentTo(context, 'https://api.test/items')).toBeNull();
  });

  it('never to strings that look relative but parse as another origin (no baseURL, as Node parses them)', async () => {
    const context = setup({ baseURL: null });
    // WHATWG URL parsing strips leading blanks and reads a special scheme without slashes as absolute.
    for (const url of [' https://evil.test/items', 'https:evil.test/items', '\thttps://evil.test/items']) {
      expect(await authorizationSentTo(context, url)).toBeNull();
    }
    expect(await authorizationSentTo(context, 'https://api.test@evil.test/items')).toBeNull();
  });

  it('with an empty baseURL, never lets a first relative request vouch for strings that parse elsewhere', async () => {
    const context = setup({ baseURL: '' });
    expect(await authorizationSentTo(context, '/items')).toBe(bearer(context.tokens.accessToken));
    expect(await authorizationSentTo(context, ' https://evil.test/x')).toBeNull();
    expect(await authorizationSentTo(context, '\thttps://evil.test/x')).toBeNull();
  });

  it('with a baseURL whose host is empty, sends no token to where axios would really go', async () => {
    // axios joins 'https://' and 'evil.test/steal' into 'https:/evil.test/steal': host evil.test.
    const context = setup({ baseURL: 'https://', attach: { allowedOrigins: ['https://api.test'] } });
    expect(await authorizationSentTo(context, 'evil.test/steal')).toBeNull();
  });

  describe('in a browser (a page at https://app.test)', () => {
    beforeEach(() => {
      vi.stubGlobal('location', { href: 'http://app.test/page', origin: 'http://app.test' });
    });
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it("joins a relative baseURL as axios does, so '\\\\host' and tabs cannot smuggle another host in", async () => {
      const context = setup({ baseURL: '/' });
      const token = bearer(context.tokens.accessToken);
      expect(await authorizationSentTo(context, '/items')).toBe(token);
      expect(await authorizationSentTo(context, '\\evil.test/x')).toBeNull();
      expect(await authorizationSentTo(context, '\t/evil.test/x')).toBeNull();
    });

    it("judges a protocol-relative URL by the page's scheme, not the baseURL's", async () => {
      const context = setup({
        baseURL: 'https://api.test',
        attach: { allowedOrigins: ['https://api.test'] },
      });
      // On an http page, //api.test/x goes out over http: not the allowed https origin.
      expect(await authorizationSentTo(context, '//api.test/x')).toBeNull();
    });
  });

  it('keeps deciding by origin when the same authority is asked for again (the decision is cached)', async () => {
    const context = setup();
    const token = bearer(context.tokens.accessToken);
    const sent = [];
    for (const url of [
      'https://api.test/a',
      'https://evil.test/a',
      'https://api.test/b',
      'https://evil.test/b',
    ]) {
      sent.push(await authorizationSentTo(context, url));
    }
    expect(sent).toEqual([token, null, token, null]);
  });

  it('to the origins listed in allowedOrigins, as strings and RegExps', async () => {
    const context = setup({
      attach: {
        allowedOrigins: ['https://api.test', 'https://cdn.test:8443/', /^https:\/\/[a-z]+\.example\.test$/],
      },
    });
    const token = bearer(context.tokens.accessToken);

    expect(await authorizationSentTo(context, '/items')).toBe(token);
    expect(await authorizationSentTo(context, 'https://cdn.test:8443/items')).toBe(token);
    expect(await authorizationSentTo(context, 'https://cdn.test/items')).toBeNull();
    expect(await authorizationSentTo(context, 'https://eu.example.test/items')).toBe(token);
    expect(await authorizationSentTo(context, 'https://example.test.evil.test/items')).toBeNull();
  });

  it('with a global RegExp, matches every request alike (no lastIndex state)', async () => {
    const context = setup({ attach: { allowedOrigins: [/api\.test/g] } });
    const token = bearer(context.tokens.accessToken);
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await authorizationSentTo(context, '/items'));
    expect(sent).toEqual([token, token, token]);
  });
});

describe('a 401 from another origin', () => {
  it('is handed back as is: no refresh, reported as unauthorized with origin_not_allowed', async () => {
    const { api, http, eventsOf } = setup();

    const error = rejection(http.get('https://other.test/items'));
    await vi.advanceTimersByTimeAsync(100);

    expect(await error).toBe(api.thrown[0]);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(api.sends).toHaveLength(1);
    expect(eventsOf('unauthorized')).toEqual([
      expect.objectContaining({
        url: 'https://other.test/items',
        handled: false,
        diagnosis: expect.objectContaining({ cause: 'origin_not_allowed' }),
      }),
    ]);
  });

  it('does not wait for a refresh in progress', async () => {
    const { api, http } = setup();
    api.expireAccessTokens();
    api.setRefreshDelay(1000);
    const own = http.get('/items');
    await vi.advanceTimersByTimeAsync(20);

    const foreign = rejection(http.get('https://other.test/items'));
    await vi.advanceTimersByTimeAsync(50);

    expect(await foreign).toBe(api.thrown.at(-1));
    expect(api.refresh).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2000);
    await own;
  });
});
