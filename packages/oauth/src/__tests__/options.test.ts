// oauthRefresh on its own: the ways to point it at a token endpoint, client authentication, what it returns,
// how its failures read for reauth's default isRefreshRejected (HTTP 400/401/403 terminal), abort, misuse.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getHttpStatus, type RefreshContext } from '@reauth/core';
import { ClientSecretPost, oauthRefresh } from '@reauth/oauth';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_ID, CONFIDENTIAL, startAuthorizationServer } from './support/servers';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

const context = (refreshToken: string, signal = new AbortController().signal): RefreshContext => ({
  refreshToken,
  signal,
});
const isTerminal = (error: unknown) => [400, 401, 403].includes(getHttpStatus(error) as number);

async function authorizationServer() {
  const as = await startAuthorizationServer('http://127.0.0.1:1/api');
  stops.push(as.stop);
  return as;
}

/** A bare token endpoint on 127.0.0.1 answering with `handler`. */
async function tokenEndpoint(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  stops.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
}

describe('oauthRefresh', () => {
  it('with tokenEndpoint alone: no discovery, and the id_token of the response is not checked (no issuer known)', async () => {
    const as = await authorizationServer();
    const refresh = oauthRefresh({
      tokenEndpoint: `${as.issuer}/token`,
      clientId: CLIENT_ID,
      allowInsecureRequests: true,
    });

    const tokens = await refresh(context(await as.signedIn()));

    expect(tokens).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 300,
    });
    expect(as.grants).toHaveLength(1);
    expect(tokens.refreshToken).toBe(as.grants[0]?.issued);
  });

  it('authenticates a confidential client with ClientSecretPost; a wrong secret is invalid_client, status 401: terminal', async () => {
    const as = await authorizationServer();
    const options = { issuer: as.issuer, clientId: CONFIDENTIAL.clientId, allowInsecureRequests: true };
    const refreshToken = await as.signedIn(CONFIDENTIAL.clientId);

    const wrong = await oauthRefresh({ ...options, clientAuth: ClientSecretPost('not-the-secret') })(
      context(refreshToken),
    ).catch((error: unknown) => error);
    expect(wrong).toMatchObject({ status: 401, error: 'invalid_client' });
    expect(isTerminal(wrong)).toBe(true);

    const tokens = await oauthRefresh({ ...options, clientAuth: ClientSecretPost(CONFIDENTIAL.secret) })(
      context(refreshToken),
    );
    expect(tokens.accessToken).toEqual(expect.any(String));
  });

  it('an unknown refresh token is invalid_grant, status 400: terminal; no token in the error message', async () => {
    const as = await authorizationServer();
    const refresh = oauthRefresh({ issuer: as.issuer, clientId: CLIENT_ID, allowInsecureRequests: true });

    const error = await refresh(context('never-issued-refresh-token')).catch((e: unknown) => e);

    expect(error).toMatchObject({ status: 400, error: 'invalid_grant' });
    expect(isTerminal(error)).toBe(true);
    expect(String((error as Error).message)).not.toContain('never-issued-refresh-token');
  });

  it('keeps the current refresh token when the response has none (refreshToken undefined)', async () => {
    const url = await tokenEndpoint((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: 'new-access', token_type: 'Bearer', expires_in: 60 }));
    });

    const tokens = await oauthRefresh({ tokenEndpoint: url, clientId: 'app', allowInsecureRequests: true })(
      context('current-refresh'),
    );

    expect(tokens).toEqual({ accessToken: 'new-access', refreshToken: undefined, expiresIn: 60 });
  });

  it.each([
    ['an OAuth server_error with status 500', 500, JSON.stringify({ error: 'server_error' })],
    ['a 502 page from a proxy', 502, '<html>Bad Gateway</html>'],
  ])('%s is transient (no 4xx status)', async (_, status, body) => {
    const url = await tokenEndpoint((_req, res) => {
      res
        .writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/html' })
        .end(body);
    });

    const error = await oauthRefresh({ tokenEndpoint: url, clientId: 'app', allowInsecureRequests: true })(
      context('current-refresh'),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect(isTerminal(error)).toBe(false);
  });

  it('a malformed 200 (a token_type it does not take) is transient, and the tokens in it reach no error', async () => {
    const url = await tokenEndpoint((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'SECRET-AT', refresh_token: 'SECRET-RT', token_type: 'mac' }));
    });
    const refresh = oauthRefresh({ tokenEndpoint: url, clientId: CLIENT_ID, allowInsecureRequests: true });
    const error = await refresh(context('r1')).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect(isTerminal(error)).toBe(false);
    const seen = (value: unknown, depth = 0): string =>
      depth > 4 || value === null || typeof value !== 'object'
        ? String(value)
        : Object.getOwnPropertyNames(value)
            .map((key) => `${key}:${seen((value as Record<string, unknown>)[key], depth + 1)}`)
            .join(',');
    expect(seen(error)).not.toMatch(/SECRET/);
  });

  it('aborts the token request when the signal aborts', async () => {
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => {
      received = resolve;
    });
    const url = await tokenEndpoint(() => received()); // never answers
    const controller = new AbortController();

    const pending = oauthRefresh({ tokenEndpoint: url, clientId: 'app', allowInsecureRequests: true })(
      context('current-refresh', controller.signal),
    ).catch((e: unknown) => e);
    await arrived;
    controller.abort();

    expect(await pending).toMatchObject({ name: 'AbortError' });
  });

  it.each([
    [{ clientId: 'app' }, /`issuer` \(discovered once\) or `tokenEndpoint`/],
    [{ issuer: 'https://as.example', clientId: '' }, /`clientId`/],
    [{ issuer: 'not a url', clientId: 'app' }, /`issuer` must be an absolute https:\/\/ URL/],
    [
      { tokenEndpoint: 'http://127.0.0.1/token', clientId: 'app' },
      /`tokenEndpoint` is http:\/\/; pass allowInsecureRequests/,
    ],
    [{ issuer: 'https://as.example', clientId: 'app', clientAuth: 'secret' }, /`clientAuth`/],
    [
      { issuer: 'https://as.example', clientId: 'app', allowInsecureRequests: 'yes' },
      /`allowInsecureRequests`/,
    ],
  ])('refuses %j with a TypeError naming the option', (options, message) => {
    expect(() => oauthRefresh(options as never)).toThrow(TypeError);
    expect(() => oauthRefresh(options as never)).toThrow(message);
    expect(() => oauthRefresh(options as never)).toThrow(/^\[reauth\] oauthRefresh: /);
  });
});
