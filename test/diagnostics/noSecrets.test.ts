import { attachAuth } from '@reauth/axios';
import {
  type AuthEvent,
  createEventLog,
  createSession,
  isAuthError,
  type StorageLike,
  type TokensInput,
} from '@reauth/core';
import axios, { AxiosHeaders } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthServer, TokenResponse } from '../support/authServer';
import { createMapStorage, settle, startServer, waitUntil } from '../support/setup';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every token string the test sees issued or makes up, with the parts of a JWT that identify it. */
function secretsKeeper() {
  const secrets = new Set<string>();
  const keep = (token: string | null | undefined) => {
    if (!token) return;
    secrets.add(token);
    const [, payload, signature] = token.split('.');
    if (payload) secrets.add(payload);
    if (signature) secrets.add(signature);
  };
  return {
    secrets,
    keep,
    keepTokens: (tokens: TokenResponse) => [tokens.accessToken, tokens.refreshToken].forEach(keep),
  };
}

/** Everything reauth said: events, console lines, error messages (and the causes of its errors). */
function transcript() {
  const said: string[] = [];
  const codes = new Set<string>();
  const text = (value: unknown): string =>
    value instanceof Error
      ? `${String(value)}\n${value.stack ?? ''}`
      : typeof value === 'string'
        ? value
        : String(JSON.stringify(value));
  for (const method of ['warn', 'error', 'info', 'log', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void said.push(args.map(text).join(' ')),
    );
  }
  return {
    said,
    codes,
    event(event: AuthEvent) {
      said.push(JSON.stringify(event));
      if ('error' in event && event.error) {
        codes.add(event.error.code);
        said.push(text(event.error), text(event.error.cause));
      }
    },
    /** Settles a request; its error's message (and an AuthError's cause) go into the transcript. */
    async request(promise: Promise<unknown>) {
      const outcome = await settle(promise);
      if (!outcome.ok) {
        const { error } = outcome;
        said.push((error as Error).message, String(error));
        if (isAuthError(error)) {
          codes.add(error.code);
          said.push(text(error.cause), String(error.cause));
        }
      }
      return outcome;
    },
  };
}

/** A storage that fails its first write with an error that (carelessly) quotes the value. */
function flakyStorage(): StorageLike {
  const storage = createMapStorage();
  let failed = false;
  return {
    ...storage,
    setItem(key, value) {
      if (!failed) {
        failed = true;
        throw new DOMException(`could not store ${value}`, 'QuotaExceededError');
      }
      storage.setItem(key, value);
    },
  };
}

function client(server: AuthServer, keep: ReturnType<typeof secretsKeeper>, storage: StorageLike) {
  const api = axios.create({ baseURL: server.url });
  const controls = { hideChallenge: false, badAnswerOnce: false };
  // Before reauth's own handler: a browser hides WWW-Authenticate of a cross-origin 401 unless exposed.
  api.interceptors.response.use(undefined, (error) => {
    if (controls.hideChallenge && error.response) error.response.headers = new AxiosHeaders();
    return Promise.reject(error);
  });
  const session = createSession({
    storage,
    refreshTimeoutMs: 300,
    async refresh({ refreshToken, signal }): Promise<TokensInput> {
      if (controls.badAnswerOnce) {
        controls.badAnswerOnce = false;
        return { token: refreshToken } as TokensInput; // no accessToken: a TypeError of ours is the cause
      }
      const { data } = await api.post<TokenResponse>(
        '/auth/refresh',
        { refreshToken },
        { skipAuth: true, signal },
      );
      keep.keepTokens(data);
      return data;
    },
  });
  attachAuth(api, session);
  const login = async (username = 'alice') => {
    const { data } = await api.post<TokenResponse>(
      '/auth/login',
      { username, password: username === 'bob' ? 'builder' : 'wonderland' },
      { skipAuth: true },
    );
    keep.keepTokens(data);
    return data;
  };
  return { api, session, controls, login };
}

/** The same token with its signature changed: the server refuses it as invalid. */
const tampered = (token: string) => `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;

describe('no token string anywhere reauth speaks', () => {
  it('keeps every access and refresh token out of events, log entries, console lines and error messages, on every path', async () => {
    const keeper = secretsKeeper();
    const { said, codes, event, request } = transcript();
    const server = await startServer();
    const { api, session, controls, login } = client(server, keeper, flakyStorage());
    const log = createEventLog(session, { size: 1_000 });
    const events: AuthEvent[] = [];
    session.on('*', (e) => {
      events.push(e);
      event(e);
    });

    // Sign-in (its storage write fails), then a refresh shared by three expired requests.
    let tokens = await login();
    session.signIn(tokens);
    server.controls.expireAccessTokens();
    await Promise.all(['1', '2', '3'].map((id) => request(api.get(`/api/items/${id}`))));

    // A 401 of each cause the exchange can show.
    await request(api.get('/api/scoped'));
    await request(api.get(`${server.url.replace('127.0.0.1', 'localhost')}/api/items`));
    await request(api.get('/api/items', { skipAuth: true }));
    tokens = await login();
    const forged = tampered(tokens.accessToken);
    keeper.keep(forged);
    session.signIn({ ...tokens, accessToken: forged });
    await request(api.get(`/api/items/invalid?access_token=${forged}`));
    const forgedAgain = tampered((await session.getAccessToken()) ?? '');
    keeper.keep(forgedAgain);
    session.signIn({ accessToken: forgedAgain, refreshToken: (await login()).refreshToken });
    controls.hideChallenge = true;
    await request(api.get('/api/items/unknown'));
    controls.hideChallenge = false;

    // Transient refresh failures: timeout (then the abandoned call), a 503, a dropped socket, a bad answer.
    server.controls.failNextRefresh(1, 'hang');
    server.controls.expireAccessTokens();
    await request(api.get('/api/items/timeout'));
    await waitUntil(() => events.some((e) => e.type === 'refreshFailure'), 'the hung refresh abandoned');
    server.controls.failNextRefresh(1, 'server');
    await request(api.get('/api/items/server'));
    server.controls.failNextRefresh(1, 'network');
    await request(api.get('/api/items/network'));
    controls.badAnswerOnce = true;
    await request(api.get('/api/items/bad-answer'));

    // Refused refresh with a prompt that signs in again; a late 401 lands meanwhile (refresh_rejected).
    const isSlow401 = () => events.some((e) => e.type === 'unauthorized' && e.url.includes('/api/slow'));
    const unregister = session.onReauth(async () => {
      await waitUntil(isSlow401, 'the late 401 while the prompt is open');
      return login('bob');
    });
    await request(api.get('/api/items/ok'));
    server.controls.revokeRefreshTokens();
    server.controls.expireAccessTokens();
    await Promise.all([request(api.get('/api/slow?ms=200')), request(api.get('/api/items/reauth'))]);
    unregister();

    // A prompt dismissed, a sign-out while a request waits, a refused refresh with no prompt.
    const dismiss = session.onReauth(async () => null);
    server.controls.revokeRefreshTokens();
    server.controls.expireAccessTokens();
    await request(api.get('/api/items/cancelled'));
    dismiss();
    session.signIn(await login());
    server.controls.delayRefresh(200);
    server.controls.expireAccessTokens();
    const waiting = request(api.get('/api/items/signed-out'));
    await waitUntil(() => session.getState().status === 'refreshing', 'a refresh under way');
    session.signOut();
    await waiting;
    server.controls.delayRefresh(0);
    session.signIn(await login());
    server.controls.revokeRefreshTokens();
    server.controls.expireAccessTokens();
    await request(api.get('/api/items/expired'));
    await request(api.get('/api/items/signed-out-401'));

    // Storage holding a session of another version, tokens and all: discarded with a warning.
    const stale = createMapStorage();
    stale.setItem('reauth', JSON.stringify({ v: 0, accessToken: forged, refreshToken: tokens.refreshToken }));
    createSession({ storage: stale });

    said.push(JSON.stringify(log.entries()), JSON.stringify(session.getState()));
    // The paths above did happen: every event type, every cause, every error code, the warnings.
    const types = new Set(events.map((e) => e.type));
    expect([...types].sort()).toEqual(
      [
        'signedIn',
        'signedOut',
        'refreshStart',
        'refreshSuccess',
        'refreshFailure',
        'reauthRequired',
        'reauthResolved',
        'reauthCancelled',
        'requestQueued',
        'requestReplayed',
        'unauthorized',
      ].sort(),
    );
    const causes = new Set(events.flatMap((e) => (e.type === 'unauthorized' ? [e.diagnosis.cause] : [])));
    expect([...causes].sort()).toEqual(
      [
        'expired_token',
        'insufficient_scope',
        'invalid_token',
        'missing_authorization',
        'origin_not_allowed',
        'refresh_rejected',
        'unknown',
      ].sort(),
    );
    expect([...codes].sort()).toEqual(
      ['REAUTH_CANCELLED', 'REFRESH_TIMEOUT', 'REFRESH_UNAVAILABLE', 'SESSION_EXPIRED', 'SIGNED_OUT'].sort(),
    );
    expect(said.filter((line) => line.startsWith('[reauth] storage'))).toHaveLength(2);
    expect(said.filter((line) => / 401 on /.test(line)).length).toBeGreaterThanOrEqual(6);

    const leaks = said.filter((line) => [...keeper.secrets].some((secret) => line.includes(secret)));
    expect(keeper.secrets.size).toBeGreaterThan(20);
    expect(leaks).toEqual([]);
  });
});
