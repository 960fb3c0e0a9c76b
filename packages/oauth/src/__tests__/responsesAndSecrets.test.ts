// Review probes: how oauthRefresh reads what real (and not so real) token endpoints answer — terminal vs
// transient as DESIGN says (400/401 OAuth errors terminal; 5xx, network, malformed answers transient), and no
// token, client secret or proof in anything a user could log.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSession, getHttpStatus, isAuthError, type RefreshContext } from '@reauth/core';
import { ClientSecretPost, dpop, oauthRefresh, ResponseBodyError } from '@reauth/oauth';
import { afterEach, describe, expect, it, vi } from 'vitest';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const context = (refreshToken: string, signal = new AbortController().signal): RefreshContext => ({
  refreshToken,
  signal,
});
const isTerminal = (error: unknown) => [400, 401, 403].includes(getHttpStatus(error) as number);

interface Received {
  form: URLSearchParams;
  headers: IncomingMessage['headers'];
}

/** A bare token endpoint on 127.0.0.1; `handler` answers, every request's form body is kept. */
async function tokenEndpoint(handler: (res: ServerResponse, index: number, received: Received) => void) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const entry = { form: new URLSearchParams(body), headers: req.headers };
      received.push(entry);
      handler(res, received.length - 1, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const stop = async () => {
    if (!server.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  stops.push(stop);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  return { url, received, stop };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(typeof body === 'string' ? body : JSON.stringify(body));

/** Every string reachable from `value`: own properties (enumerable or not), causes, messages, stacks. */
function everything(value: unknown, depth = 0, seen = new WeakSet<object>()): string {
  if (value === null || typeof value !== 'object') return String(value);
  if (depth > 6 || seen.has(value)) return '';
  seen.add(value);
  const keys = new Set([...Object.getOwnPropertyNames(value), 'message', 'stack', 'cause']);
  return [...keys]
    .map((key) => {
      let inner: unknown;
      try {
        inner = (value as Record<string, unknown>)[key];
      } catch {
        inner = '';
      }
      return `${key}:${everything(inner, depth + 1, seen)}`;
    })
    .join('|');
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe('oauthRefresh classification', () => {
  it.each([
    ['invalid_grant', 400],
    ['invalid_client', 401],
    ['unauthorized_client', 400],
    ['invalid_scope', 400],
  ])('%s (%i) is terminal', async (code, status) => {
    const ep = await tokenEndpoint((res) => json(res, status, { error: code }));
    const error = await failure(
      oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true })(context('rt')),
    );
    expect(isTerminal(error)).toBe(true);
  });

  it('a network failure (nothing listening) is transient', async () => {
    const ep = await tokenEndpoint((res) => json(res, 200, {}));
    await ep.stop();
    const error = await failure(
      oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true })(context('rt')),
    );
    expect(error).toBeInstanceOf(Error);
    expect(isTerminal(error)).toBe(false);
  });

  it('a 429 OAuth error (rate limited) is transient', async () => {
    const ep = await tokenEndpoint((res) => json(res, 429, { error: 'slow_down' }));
    const error = await failure(
      oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true })(context('rt')),
    );
    expect(isTerminal(error)).toBe(false);
  });

  it('a 200 HTML page (a captive portal, a proxy) is transient', async () => {
    const ep = await tokenEndpoint((res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login to wifi</html>'),
    );
    const error = await failure(
      oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true })(context('rt')),
    );
    expect(isTerminal(error)).toBe(false);
  });

  // DESIGN: "invalid_grant and any other 400/401 OAuth error … terminal". A 400 HTML page from a proxy / WAF is
  // not an OAuth error: a demanding user expects the session kept (transient), not a sign-out.
  it('a 400 HTML page (not an OAuth error) is transient', async () => {
    const ep = await tokenEndpoint((res) =>
      res.writeHead(400, { 'content-type': 'text/html' }).end('<html>Request Header Too Large</html>'),
    );
    const error = await failure(
      oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true })(context('rt')),
    );
    expect(error).toBeInstanceOf(Error);
    expect(isTerminal(error)).toBe(false);
  });

  it('a 200 without access_token is transient, and the refresh token in it reaches no error', async () => {
    const ep = await tokenEndpoint((res) =>
      json(res, 200, { token_type: 'Bearer', refresh_token: 'SECRET-RT-7f3a9c', expires_in: 60 }),
    );
    const error = await failure(
      oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true })(context('rt')),
    );
    expect(isTerminal(error)).toBe(false);
    expect(everything(error)).not.toMatch(/SECRET/);
  });

  it('expires_in as a string (old Azure AD v1, some gateways) is read as seconds', async () => {
    const ep = await tokenEndpoint((res) =>
      json(res, 200, { access_token: 'at', token_type: 'Bearer', expires_in: '3599' }),
    );
    const tokens = await oauthRefresh({
      tokenEndpoint: ep.url,
      clientId: 'app',
      allowInsecureRequests: true,
    })(context('rt'));
    expect(tokens).toMatchObject({ accessToken: 'at', expiresIn: 3599 });
  });

  // RFC 6749 §6: the server MAY issue a new refresh token. A server that answers `"refresh_token": null` means "no
  // new one"; a demanding user expects the refresh to work (the current refresh token kept or dropped, as the
  // session's null/undefined rule says), not every refresh failing forever as REFRESH_UNAVAILABLE.
  it('a 200 with refresh_token: null does not fail the refresh', async () => {
    const ep = await tokenEndpoint((res) =>
      json(res, 200, { access_token: 'at', token_type: 'Bearer', expires_in: 60, refresh_token: null }),
    );
    const tokens = await oauthRefresh({
      tokenEndpoint: ep.url,
      clientId: 'app',
      allowInsecureRequests: true,
    })(context('rt'));
    expect(tokens.accessToken).toBe('at');
  });
});

describe('oauthRefresh secrets', () => {
  // A JSON parse error's message quotes the text around the error position (V8: `..."s_token":SECRET-AT-"...`):
  // a truncated or garbled 200 would then put part of the token in the error the session keeps and its events.
  it('a 200 application/json whose JSON is broken puts no part of the token in the error', async () => {
    const ep = await tokenEndpoint((res) =>
      json(
        res,
        200,
        '{"token_type":"Bearer","access_token":SECRETAT7f3a9c1b2d4e,"refresh_token":"SECRETRT"}',
      ),
    );
    const error = await failure(
      oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true })(context('rt')),
    );
    expect(isTerminal(error)).toBe(false);
    expect(everything(error)).not.toMatch(/SECRET/);
  });

  it('a confidential client: no client secret in the error of a refused grant', async () => {
    const ep = await tokenEndpoint((res) => json(res, 401, { error: 'invalid_client' }));
    const error = await failure(
      oauthRefresh({
        tokenEndpoint: ep.url,
        clientId: 'backend',
        clientAuth: ClientSecretPost('SECRET-client-5e1d'),
        allowInsecureRequests: true,
      })(context('SECRET-rt-1')),
    );
    expect(ep.received[0]?.form.get('client_secret')).toBe('SECRET-client-5e1d');
    expect(everything(error)).not.toMatch(/SECRET/);
  });

  // Some servers echo the presented token in error_description ("Invalid refresh token: <token>"). reauth keeps
  // `error_description` (and the body as `cause`) on the error it hands the session; the refresh token it sent
  // itself is known and could be redacted. Defense in depth: no token string in an error, whoever put it there.
  it('a server that echoes the refresh token in error_description: the token reaches no error reauth keeps', async () => {
    const ep = await tokenEndpoint((res, _i, { form }) =>
      json(res, 400, {
        error: 'invalid_grant',
        error_description: `Invalid refresh token: ${form.get('refresh_token')}`,
      }),
    );
    const session = createSession({
      refresh: oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true }),
      crossTab: false,
      autoRefresh: false,
    });
    const events: unknown[] = [];
    session.on('refreshFailure', (event) => events.push(event));
    session.signIn({ accessToken: 'at', refreshToken: 'SECRET-rt-echoed', expiresIn: 3600 });
    const error = await failure(session.refresh());
    expect(isAuthError(error)).toBe(true);
    expect.soft(everything(error), 'the AuthError and its cause chain').not.toMatch(/SECRET/);
    expect.soft(everything(events), 'the refreshFailure events').not.toMatch(/SECRET/);
    // Still oauth4webapi's error, as the docs say: its class, status and OAuth error kept; only the response gone.
    const cause = (error as { cause?: unknown }).cause as ResponseBodyError;
    expect(cause).toBeInstanceOf(ResponseBodyError);
    expect(cause).toMatchObject({ status: 400, error: 'invalid_grant', code: 'OAUTH_RESPONSE_BODY_ERROR' });
    expect(cause.error_description).toBe('Invalid refresh token: [redacted]');
    expect('cause' in cause || 'response' in cause).toBe(false);
  });
});

describe('oauthRefresh with createSession', () => {
  it('a transient failure (503) keeps the refresh token: the next refresh sends the same one and succeeds', async () => {
    const ep = await tokenEndpoint((res, index) =>
      index === 0
        ? res.writeHead(503, { 'content-type': 'text/plain' }).end('down')
        : json(res, 200, {
            access_token: 'at-2',
            token_type: 'Bearer',
            expires_in: 60,
            refresh_token: 'rt-2',
          }),
    );
    const session = createSession({
      refresh: oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true }),
      crossTab: false,
      autoRefresh: false,
    });
    session.signIn({ accessToken: 'at-1', refreshToken: 'rt-1', expiresIn: 3600 });
    const first = await failure(session.refresh());
    expect(isAuthError(first) && first.code).toBe('REFRESH_UNAVAILABLE');
    expect(session.getState().status).toBe('signedIn');
    await session.refresh();
    expect(ep.received.map((r) => r.form.get('refresh_token'))).toEqual(['rt-1', 'rt-1']);
    expect(ep.received.every((r) => r.form.get('grant_type') === 'refresh_token')).toBe(true);
    expect(await session.getAccessToken()).toBe('at-2');
  });

  it('a non-rotating server (no refresh_token in the answer): every later refresh sends the first one', async () => {
    const ep = await tokenEndpoint((res, index) =>
      json(res, 200, { access_token: `at-${index + 2}`, token_type: 'Bearer', expires_in: 60 }),
    );
    const session = createSession({
      refresh: oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true }),
      crossTab: false,
      autoRefresh: false,
    });
    session.signIn({ accessToken: 'at-1', refreshToken: 'rt-only', expiresIn: 3600 });
    await session.refresh();
    await session.refresh();
    await session.refresh();
    expect(ep.received.map((r) => r.form.get('refresh_token'))).toEqual(['rt-only', 'rt-only', 'rt-only']);
    expect(await session.getAccessToken()).toBe('at-4');
  });
});

const decode = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

describe('oauthRefresh with dpop at the token endpoint', () => {
  it('use_dpop_nonce: one retry with a fresh jti and the nonce; the next refresh sends the nonce at once', async () => {
    const ep = await tokenEndpoint((res, _i, { headers }) => {
      const proof = decode(String(headers.dpop));
      if (proof.nonce !== 'as-nonce-1') {
        json(res, 400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': 'as-nonce-1' });
      } else {
        json(res, 200, { access_token: 'at', token_type: 'DPoP', expires_in: 60, refresh_token: 'rt-n' });
      }
    });
    const signer = await dpop({ storage: false });
    const refresh = oauthRefresh({
      tokenEndpoint: ep.url,
      clientId: 'app',
      allowInsecureRequests: true,
      dpop: signer,
    });
    await refresh(context('rt-1'));
    await refresh(context('rt-n'));
    const proofs = ep.received.map((r) => decode(String(r.headers.dpop)));
    expect(proofs).toHaveLength(3);
    expect(new Set(proofs.map((p) => p.jti)).size).toBe(3);
    expect(proofs.map((p) => p.nonce)).toEqual([undefined, 'as-nonce-1', 'as-nonce-1']);
    expect(proofs.every((p) => p.htm === 'POST' && p.htu === ep.url && p.ath === undefined)).toBe(true);
  });

  it('a server answering use_dpop_nonce every time gets exactly two requests per refresh (no loop)', async () => {
    let n = 0;
    const ep = await tokenEndpoint((res) => {
      n += 1;
      json(res, 400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': `n-${n}` });
    });
    const refresh = oauthRefresh({
      tokenEndpoint: ep.url,
      clientId: 'app',
      allowInsecureRequests: true,
      dpop: await dpop({ storage: false }),
    });
    await failure(refresh(context('rt')));
    expect(ep.received).toHaveLength(2);
  });

  // RFC 9449 §5: the client learns from token_type whether the token is DPoP-bound; an AS that ignores the proof
  // answers token_type Bearer. The session would then send `Authorization: DPoP <bearer token>` to every API,
  // which refuses it — a demanding user expects oauthRefresh to notice (reject clearly) rather than hand over a
  // token the session will misuse.
  it('dpop asked, token_type Bearer answered: the refresh does not silently pass a bearer token off as DPoP', async () => {
    const ep = await tokenEndpoint((res) =>
      json(res, 200, {
        access_token: 'bearer-at',
        token_type: 'Bearer',
        expires_in: 60,
        refresh_token: 'r2',
      }),
    );
    const refresh = oauthRefresh({
      tokenEndpoint: ep.url,
      clientId: 'app',
      allowInsecureRequests: true,
      dpop: await dpop({ storage: false }),
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const outcome = await refresh(context('rt'));
    // Kept: the server has rotated the refresh token already, and throwing the answer away would lose the session.
    // A development warning says what is wrong and what to do.
    expect(outcome).toMatchObject({ accessToken: 'bearer-at', refreshToken: 'r2' });
    expect(warn.mock.calls.join('\n')).toMatch(
      /dpop was given, but the token endpoint answered token_type bearer: enable DPoP for client app/i,
    );
    expect(warn.mock.calls.join('\n')).not.toMatch(/bearer-at|r2/);
  });
});

describe('oauthRefresh with issuer discovery', () => {
  /** An issuer on 127.0.0.1 whose discovery answers `discovery(index)`; its token endpoint always succeeds. */
  async function issuer(discovery: (index: number) => number) {
    let discoveries = 0;
    let tokens = 0;
    const server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url === '/.well-known/openid-configuration') {
        const status = discovery(discoveries++);
        if (status !== 200) return res.writeHead(status).end('down');
        return json(res, 200, { issuer: base, token_endpoint: `${base}/token` });
      }
      req.resume();
      req.on('end', () => {
        tokens += 1;
        json(res, 200, { access_token: `at-${tokens}`, token_type: 'Bearer', expires_in: 60 });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      counts: () => ({ discoveries, tokens }),
    };
  }

  it('discovers once for many refreshes', async () => {
    const as = await issuer(() => 200);
    const refresh = oauthRefresh({ issuer: as.url, clientId: 'app', allowInsecureRequests: true });
    await refresh(context('r'));
    await refresh(context('r'));
    await refresh(context('r'));
    expect(as.counts()).toEqual({ discoveries: 1, tokens: 3 });
  });

  it('a failed discovery (503) is transient and not cached: the next refresh discovers again and works', async () => {
    const as = await issuer((index) => (index === 0 ? 503 : 200));
    const refresh = oauthRefresh({ issuer: as.url, clientId: 'app', allowInsecureRequests: true });
    const error = await failure(refresh(context('r')));
    expect(isTerminal(error)).toBe(false);
    expect((await refresh(context('r'))).accessToken).toBe('at-1');
    expect(as.counts()).toEqual({ discoveries: 2, tokens: 1 });
  });

  it("a discovery aborted by the first refresh's signal does not poison the next refresh", async () => {
    const as = await issuer(() => 200);
    const refresh = oauthRefresh({ issuer: as.url, clientId: 'app', allowInsecureRequests: true });
    const controller = new AbortController();
    controller.abort();
    await failure(refresh(context('r', controller.signal)));
    expect((await refresh(context('r'))).accessToken).toMatch(/^at-/);
  });
});

describe('what a credentials-in-URL endpoint does at refresh time', () => {
  it('an endpoint of https://user:SECRET@host is refused at the call (fetch would quote it at every refresh)', async () => {
    const ep = await tokenEndpoint((res) => json(res, 200, { access_token: 'at', token_type: 'Bearer' }));
    const url = ep.url.replace('http://', 'http://web:SECRET-pw@');
    let error: unknown;
    try {
      oauthRefresh({ tokenEndpoint: url, clientId: 'web', allowInsecureRequests: true });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect(everything(error)).not.toMatch(/SECRET/);
    expect(ep.received).toHaveLength(0);
  });
});

describe('oauthRefresh given no refresh token', () => {
  // createSession({ cookies: 'refresh', refresh: oauthRefresh(...) }) calls refresh with refreshToken null. The
  // refresh_token grant cannot be made without one: expected a TypeError that says so, and no request sent.
  it('refreshToken null: a TypeError naming the refresh token, no request sent', async () => {
    const ep = await tokenEndpoint((res) => json(res, 200, { access_token: 'at', token_type: 'Bearer' }));
    const error = await failure(
      oauthRefresh({ tokenEndpoint: ep.url, clientId: 'web', allowInsecureRequests: true })({
        refreshToken: null as never,
        signal: new AbortController().signal,
      }),
    );
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error).message)).toMatch(/refresh ?token/i);
    expect(ep.received).toHaveLength(0);
  });
});

describe('oauthRefresh in a session, timeouts and nonces', () => {
  // A refresh that hangs: REFRESH_TIMEOUT for the caller, the session and its refresh token kept; once reauth
  // abandons the call (timeout + grace) its request is aborted, and the next refresh sends the same refresh token.
  it('a hanging token endpoint: REFRESH_TIMEOUT, signed in; after the abandon the same refresh token works', async () => {
    let closed!: () => void;
    const firstClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const ep = await tokenEndpoint((res, index) => {
      if (index === 0) {
        res.on('close', () => closed()); // never answered: closed when the client aborts
        return;
      }
      json(res, 200, { access_token: 'at-2', token_type: 'Bearer', expires_in: 60, refresh_token: 'rt-2' });
    });
    const session = createSession({
      refresh: oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true }),
      refreshTimeoutMs: 150,
      crossTab: false,
      autoRefresh: false,
    });
    session.signIn({ accessToken: 'at-1', refreshToken: 'rt-1', expiresIn: 3600 });
    const first = await failure(session.refresh());
    expect(isAuthError(first) && first.code).toBe('REFRESH_TIMEOUT');
    // The call is still in its grace period: 'refreshing' until it is abandoned; never signed out.
    expect(['signedIn', 'refreshing']).toContain(session.getState().status);
    await firstClosed; // the abandoned call's request aborted
    await session.refresh();
    expect(ep.received.map((r) => r.form.get('refresh_token'))).toEqual(['rt-1', 'rt-1']);
    expect(await session.getAccessToken()).toBe('at-2');
  });

  // RFC 9449 §8.2: the server may give a new nonce with any answer, a success included; the client uses it next.
  it('a DPoP-Nonce on a successful token response is used by the next refresh (no use_dpop_nonce round trip)', async () => {
    let nonce = 0;
    const ep = await tokenEndpoint((res, _i, { headers }) => {
      const proof = decode(String(headers.dpop));
      if (proof.nonce !== `n-${nonce}`) {
        nonce += 1;
        json(res, 400, { error: 'use_dpop_nonce' }, { 'dpop-nonce': `n-${nonce}` });
        return;
      }
      nonce += 1;
      json(
        res,
        200,
        { access_token: 'at', token_type: 'DPoP', expires_in: 60, refresh_token: 'rt' },
        { 'dpop-nonce': `n-${nonce}` },
      );
    });
    const refresh = oauthRefresh({
      tokenEndpoint: ep.url,
      clientId: 'app',
      allowInsecureRequests: true,
      dpop: await dpop({ storage: false }),
    });
    await refresh(context('rt-1')); // use_dpop_nonce (n-1), then 200 giving n-2
    await refresh(context('rt')); // must carry n-2 at once
    const nonces = ep.received.map((r) => decode(String(r.headers.dpop)).nonce);
    expect(nonces).toEqual([undefined, 'n-1', 'n-2']);
  });
});

describe('token endpoint answers with WWW-Authenticate', () => {
  // RFC 6749 §5.2: a client that authenticated with HTTP Basic gets 401 with WWW-Authenticate on invalid_client.
  it('401 invalid_client with WWW-Authenticate: Basic is terminal', async () => {
    const ep = await tokenEndpoint((res) =>
      json(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="as"' }),
    );
    const error = await failure(
      oauthRefresh({ tokenEndpoint: ep.url, clientId: 'app', allowInsecureRequests: true })(context('rt')),
    );
    expect(isTerminal(error)).toBe(true);
  });

  // Some servers put the DPoP nonce challenge in WWW-Authenticate (as resource servers do) on a 401.
  it('401 with WWW-Authenticate: DPoP error="use_dpop_nonce" and a DPoP-Nonce is retried once with it', async () => {
    const ep = await tokenEndpoint((res, _i, { headers }) => {
      if (decode(String(headers.dpop)).nonce !== 'as-n') {
        res
          .writeHead(401, {
            'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="nonce required"',
            'dpop-nonce': 'as-n',
          })
          .end();
        return;
      }
      json(res, 200, { access_token: 'at', token_type: 'DPoP', expires_in: 60 });
    });
    const tokens = await oauthRefresh({
      tokenEndpoint: ep.url,
      clientId: 'app',
      allowInsecureRequests: true,
      dpop: await dpop({ storage: false }),
    })(context('rt'));
    expect(tokens.accessToken).toBe('at');
    expect(ep.received).toHaveLength(2);
  });
});

describe('id_token in the response, with an issuer (checked)', () => {
  /** An issuer whose token endpoint answers a pair plus `idToken`. */
  async function issuerAnswering(idToken: string) {
    const server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url === '/.well-known/openid-configuration') {
        return json(res, 200, { issuer: base, token_endpoint: `${base}/token` });
      }
      req.resume();
      req.on('end', () =>
        json(res, 200, {
          access_token: 'SECRET-at-9d1',
          refresh_token: 'SECRET-rt-9d1',
          token_type: 'Bearer',
          expires_in: 60,
          id_token: idToken,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it.each([
    [
      'an encrypted (JWE, five parts) id_token',
      'eyJhbGciOiJSU0EtT0FFUCJ9.SECRETkey.SECRETiv.SECRETct.SECRETtag',
    ],
    ['a malformed (not three parts) id_token', 'SECRET-id-token-not-a-jwt'],
  ])('%s: whatever the outcome, no token (id_token included) in the error', async (_, idToken) => {
    const issuer = await issuerAnswering(idToken);
    const outcome = await oauthRefresh({ issuer, clientId: 'app', allowInsecureRequests: true })(
      context('rt'),
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(everything(outcome)).not.toMatch(/SECRET/);
  });
});

describe('one oauthRefresh shared by many sessions (a server serving many users)', () => {
  // DESIGN: in Node one process serves many users; an app naturally makes one `oauthRefresh(...)` and gives it to
  // every user's session. The discovery is shared: it must not be tied to the signal of whichever refresh
  // happened to start it — one user's aborted refresh (sign-out, timeout) must not fail another user's.
  it("user A's refresh aborted during the shared discovery does not fail user B's refresh", async () => {
    let arrived!: () => void;
    const discoveryArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let answer!: () => void;
    const server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url === '/.well-known/openid-configuration') {
        answer = () => {
          if (!res.destroyed) json(res, 200, { issuer: base, token_endpoint: `${base}/token` });
        };
        arrived();
        return;
      }
      req.resume();
      req.on('end', () => json(res, 200, { access_token: 'at-b', token_type: 'Bearer', expires_in: 60 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const shared = oauthRefresh({ issuer, clientId: 'app', allowInsecureRequests: true });

    const a = new AbortController();
    const refreshA = shared(context('rt-a', a.signal)).catch((error: unknown) => error);
    const refreshB = shared(context('rt-b')).then(
      (tokens) => tokens,
      (error: unknown) => error,
    );
    await discoveryArrived;
    a.abort();
    await refreshA;
    answer();
    expect(await refreshB).toMatchObject({ accessToken: 'at-b' });
  });

  it("session A signs out during the shared discovery: session B's refresh still succeeds", async () => {
    let arrived!: () => void;
    const discoveryArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let answer!: () => void;
    const server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (req.url === '/.well-known/openid-configuration') {
        answer = () => {
          if (!res.destroyed) json(res, 200, { issuer: base, token_endpoint: `${base}/token` });
        };
        arrived();
        return;
      }
      req.resume();
      req.on('end', () => json(res, 200, { access_token: 'at-b2', token_type: 'Bearer', expires_in: 60 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    stops.push(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const shared = oauthRefresh({ issuer, clientId: 'app', allowInsecureRequests: true });
    const make = () => createSession({ refresh: shared, crossTab: false, autoRefresh: false });
    const sessionA = make();
    const sessionB = make();
    sessionA.signIn({ accessToken: 'at-a', refreshToken: 'rt-a', expiresIn: 3600 });
    sessionB.signIn({ accessToken: 'at-b', refreshToken: 'rt-b', expiresIn: 3600 });
    const refreshA = sessionA.refresh().catch((error: unknown) => error);
    const refreshB = sessionB.refresh().then(
      () => 'ok',
      (error: unknown) => (isAuthError(error) ? error.code : error),
    );
    await discoveryArrived;
    sessionA.signOut();
    await refreshA;
    answer();
    expect(await refreshB).toBe('ok');
    expect(await sessionB.getAccessToken()).toBe('at-b2');
  });
});
