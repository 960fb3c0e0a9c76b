import { createAuthorizer, createEventLog, type Ticket } from '@reauth/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setup } from './support/harness';

afterEach(() => {
  vi.restoreAllMocks();
});

const API = 'https://api.example.test';

// What a Node transport does with an absolute URL: WHATWG-parse it alone (fetch/undici and axios's http adapter).
const transportOrigin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

const SHAPES = [
  'https://api.example.test/x',
  'https://API.EXAMPLE.TEST/x',
  'HTTPS://api.example.test/x',
  'https://api.example.test:443/x',
  'https://api.example.test./x',
  'https://user:pw@api.example.test/x',
  'https://api.example.test@evil.test/x',
  'https://api.example.test:443@evil.test/x',
  'https://api.example.test\\@evil.test/x',
  'https:\\\\evil.test/x',
  'https:/evil.test/x',
  'https:evil.test/x',
  'https:///evil.test/x',
  'https://\\evil.test/x',
  ' https://evil.test/x',
  'https://evil.test/x ',
  '\thttps://evil.test/x',
  'https://api.example.test\t.evil.test/x',
  'https://api.example.test\n.evil.test/x',
  'https://api.example.test\r@evil.test/x',
  'https://api.example.test%2eevil.test/x',
  'https://api.example.test%40evil.test/x',
  'https://api%2eexample%2etest/x',
  'https://xn--pi-7ka.example.test/x',
  'https://аpi.example.test/x',
  'https://[::1]/x',
  'https://api.example.test:444/x',
  'http://api.example.test/x',
  'ws://api.example.test/x',
  'wss://api.example.test/x',
  'blob:https://api.example.test/1234',
  'blob:https://evil.test/1234',
  'data:text/plain,https://api.example.test',
  'javascript:fetch("https://api.example.test")',
  'file:///etc/passwd',
  'file://api.example.test/x',
  '//evil.test/x',
  '//api.example.test/x',
  'https://api.example.test#@evil.test',
  'https://api.example.test?@evil.test',
  'https://api.example.test',
  'https://api.example.test:/x',
  'https://api.example.test:0443/x',
  'https://0x7f.0.0.1/x',
];

describe('the origin check agrees with where a Node transport sends', () => {
  for (const warm of [false, true]) {
    it(`for every URL shape, a token only where the transport's origin is allowed (cache ${warm ? 'warmed' : 'cold'})`, () => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const { session } = setup();
      session.signIn({ accessToken: 'access-1' });
      const wrong: string[] = [];
      for (const url of SHAPES) {
        const authorizer = createAuthorizer(session, { allowedOrigins: [API] });
        if (warm) authorizer.authorize({ url: `${API}/warm` });
        const ticket = authorizer.authorize({ url }) as Ticket;
        const gotToken = authorizer.credentials(ticket) !== null;
        const expected = transportOrigin(url) === API;
        if (gotToken && !expected) wrong.push(JSON.stringify(url));
      }
      expect(wrong).toEqual([]);
    });
  }

  it('one authorizer, every shape in a row (the cache carries from one URL to the next)', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { session } = setup();
    session.signIn({ accessToken: 'access-1' });
    const authorizer = createAuthorizer(session, { allowedOrigins: [API] });
    const wrong: string[] = [];
    for (const url of [...SHAPES, ...SHAPES.slice().reverse()]) {
      authorizer.authorize({ url: `${API}/warm` });
      const ticket = authorizer.authorize({ url }) as Ticket;
      if (authorizer.credentials(ticket) !== null && transportOrigin(url) !== API)
        wrong.push(JSON.stringify(url));
    }
    expect(wrong).toEqual([]);
  });
});

describe('in a page (a worker: location only), relative shapes resolve as the transport resolves them', () => {
  const PAGE = 'https://app.example.test/dir/page?q#h';
  const RELATIVE = [
    '/x',
    'x',
    '//evil.test/x',
    '\\\\evil.test/x',
    '/\\evil.test/x',
    '\t//evil.test/x',
    ' //evil.test/x',
    '/\t/evil.test/x',
    'https:evil.test/x',
    'http:evil.test/x',
    'https:/evil.test/x',
    '@evil.test',
    '..//evil.test',
    './/evil.test',
    '?//evil.test',
    '#//evil.test',
    '//app.example.test/x',
    '//app.example.test:443/x',
    '//APP.example.test./x',
    ...SHAPES,
  ];
  for (const allowed of [['https://app.example.test'], ['https://app.example.test', API]]) {
    it(`allowedOrigins ${JSON.stringify(allowed)}, each shape after a warm-up`, () => {
      vi.stubGlobal('location', { href: PAGE, origin: 'https://app.example.test' });
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        const { session } = setup();
        session.signIn({ accessToken: 'access-1' });
        const authorizer = createAuthorizer(session, { allowedOrigins: allowed });
        const wrong: string[] = [];
        for (const url of RELATIVE) {
          authorizer.authorize({ url: '/warm' });
          authorizer.authorize({ url: 'https://app.example.test/warm' });
          const ticket = authorizer.authorize({ url }) as Ticket;
          let origin: string | null = null;
          try {
            origin = new URL(url, PAGE).origin;
          } catch {}
          if (url === '/x') expect(authorizer.credentials(ticket)).toBe('Bearer access-1'); // the check can fail
          if (authorizer.credentials(ticket) !== null && !allowed.includes(origin ?? ''))
            wrong.push(JSON.stringify(url));
        }
        expect(wrong).toEqual([]);
      } finally {
        vi.unstubAllGlobals();
      }
    });
  }
});

describe('RegExp entries', () => {
  it('warns of a RegExp anchored at both ends of the source but not around an alternation (a look-alike gets the token)', () => {
    const said: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args) => void said.push(args.join(' ')));
    const { session } = setup();
    session.signIn({ accessToken: 'access-1' });
    const pattern = /^https:\/\/api\.example\.test|https:\/\/admin\.example\.test$/;
    const authorizer = createAuthorizer(session, { allowedOrigins: [pattern] });
    const lookAlike = authorizer.authorize({ url: 'https://api.example.test.attacker.test/x' }) as Ticket;
    // The RegExp is the app's, and it does match the look-alike; a development warning says why, and what to write.
    expect(authorizer.credentials(lookAlike)).not.toBeNull();
    expect(said.join('\n')).toMatch(/has a \| outside any group, so \^ anchors only its first alternative/);
  });

  it('warns of a RegExp whose dots are not escaped (/^https:\\/\\/api.example.test$/ matches https://apixexample.test)', () => {
    const said: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args) => void said.push(args.join(' ')));
    const { session } = setup();
    session.signIn({ accessToken: 'access-1' });
    const authorizer = createAuthorizer(session, { allowedOrigins: [/^https:\/\/api.example.test$/] });
    const lookAlike = authorizer.authorize({ url: 'https://apixexample.test/x' }) as Ticket;
    expect(authorizer.credentials(lookAlike)).not.toBeNull();
    expect(said.join('\n')).toMatch(/has a \. that is not escaped: it matches any character/);
  });
});

describe('no token in what is said about a request', () => {
  it('says nothing of a RegExp that is tight: escaped dots, a grouped alternation, a quantified wildcard, a class', () => {
    const said: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args) => void said.push(args.join(' ')));
    const { session } = setup();
    createAuthorizer(session, {
      allowedOrigins: [
        /^https:\/\/(api|admin)\.example\.test$/,
        /^https:\/\/[a-z0-9-]+\.api\.example\.test$/,
        /^https:\/\/.+\.example\.test(:\d+)?$/,
        /^https:\/\/[.a-z]+\.example\.test$/,
      ],
    });
    expect(said).toEqual([]);
  });

  it('keeps a percent-encoded opaque token (?t=encodeURIComponent(token)) out of the unauthorized event and the console', async () => {
    const said: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args) => void said.push(args.join(' ')));
    const { session } = setup();
    const token = 'op+aq/ue=tok3n';
    session.signIn({ accessToken: token });
    const log = createEventLog(session);
    const authorizer = createAuthorizer(session, { allowedOrigins: [API] });
    const ticket = authorizer.authorize({ url: `${API}/file?t=${encodeURIComponent(token)}` }) as Ticket;
    await authorizer
      .handleUnauthorized(ticket, { status: 401, shouldRefresh: false, requestHeaders: {} })
      .catch(() => null);
    const told = JSON.stringify([log.entries(), said, ticket.url]);
    // Booleans: a failure must not print the token either.
    expect({ encoded: told.includes(encodeURIComponent(token)), raw: told.includes(token) }).toEqual({
      encoded: false,
      raw: false,
    });
  });

  it('keeps a token in a path segment out of the event URL when the URL parser re-encodes it (a quote or brace in an opaque token)', () => {
    const { session } = setup();
    const token = 'opaque"tok<en>{x}';
    session.signIn({ accessToken: token });
    const authorizer = createAuthorizer(session, { allowedOrigins: [API] });
    const ticket = authorizer.authorize({ url: `${API}/dl/${token}` }) as Ticket;
    const encoded = new URL(`${API}/dl/${token}`).pathname.slice(4);
    expect({ encoded: ticket.url.includes(encoded), raw: ticket.url.includes(token) }).toEqual({
      encoded: false,
      raw: false,
    });
  });
});
