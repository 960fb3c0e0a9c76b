import { attachAuth } from '@reauth/axios';
import { createSession, type Session } from '@reauth/core';
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectMisuse, outcomeOf, recordConsole, shown } from '#test-support/exposure';

// A demanding user's view of attachAuth: misuse is a TypeError at attachAuth naming the option; an adapter
// that throws reaches the caller unchanged; a bad option never puts the token into an error's text.

const API = 'https://api.review.test';
const SECRET = 'at-SECRET-axios-c0ffee';
const NEW_SECRET = 'at-SECRET-axios-NEW-d00d';

const output = recordConsole();
const consoleText = output.text;
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

function signedIn(): Session {
  const session = createSession({
    crossTab: false,
    autoRefresh: false,
    refreshTimeoutMs: 1_000,
    refresh: async () => ({ accessToken: NEW_SECRET, refreshToken: 'rt-2', expiresIn: 3600 }),
  });
  session.signIn({ accessToken: SECRET, refreshToken: 'rt-1', expiresIn: 3600 });
  return session;
}

const ok: AxiosAdapter = async (config) => ({
  data: null,
  status: 200,
  statusText: 'OK',
  headers: {},
  config,
});

describe('attachAuth options: misuse is a TypeError naming the option', () => {
  const http = () => axios.create({ baseURL: API, adapter: ok });
  it("allowedOrigins: 'https://x' (a string, not an array)", () => {
    expectMisuse(() => attachAuth(http(), signedIn(), { allowedOrigins: API as never }), /allowedOrigins/);
  });
  it('allowedOrigins: [42]', () => {
    expectMisuse(() => attachAuth(http(), signedIn(), { allowedOrigins: [42 as never] }), /allowedOrigins/);
  });
  it('maxRetries: 1.5', () => {
    expectMisuse(() => attachAuth(http(), signedIn(), { maxRetries: 1.5 }), /maxRetries/);
  });
  it('maxRetries: NaN', () => {
    expectMisuse(() => attachAuth(http(), signedIn(), { maxRetries: Number.NaN }), /maxRetries/);
  });
  it('header: 42', () => {
    expectMisuse(() => attachAuth(http(), signedIn(), { header: 42 as never }), /header/);
  });
  it('scheme: null', () => {
    expectMisuse(() => attachAuth(http(), signedIn(), { scheme: null as never }), /scheme/);
  });
  it('shouldRefresh: a string', () => {
    expectMisuse(() => attachAuth(http(), signedIn(), { shouldRefresh: 'yes' as never }), /shouldRefresh/);
  });
  it('attachAuth(instance, {}) (not a session)', () => {
    expectMisuse(() => attachAuth(http(), {} as never), /session/);
  });
  it('attachAuth(instance, session, null) is a reauth TypeError, not a destructuring crash', () => {
    expectMisuse(() => attachAuth(http(), signedIn(), null as never), /attachAuth/);
  });
});

describe('failures of the transport', () => {
  it('an adapter that throws synchronously: the caller gets that very error', async () => {
    vi.useFakeTimers();
    const boom = new Error('adapter exploded');
    const http: AxiosInstance = axios.create({
      baseURL: API,
      adapter: () => {
        throw boom;
      },
    });
    attachAuth(http, signedIn());
    const outcome = await outcomeOf(http.get('/items'));
    expect(outcome).toEqual({ error: boom });
  });
  it("scheme 'Bearer\\n' over axios's fetch adapter: no error text quotes the token", async () => {
    vi.useFakeTimers();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })),
    );
    const http = axios.create({ baseURL: API, adapter: 'fetch' });
    try {
      attachAuth(http, signedIn(), { scheme: 'Bearer\n' });
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError); // refused at the call: fine
      return;
    }
    const outcome = await outcomeOf(http.get('/items'), 100);
    expect(outcome).not.toBe('pending');
    const error = (outcome as { error?: unknown }).error;
    expect(shown(error)).not.toContain(SECRET);
    expect(consoleText()).not.toContain(SECRET);
  });
});

describe('more transport failures', () => {
  it('an adapter rejecting with a string: the caller gets that very string', async () => {
    vi.useFakeTimers();
    const http = axios.create({ baseURL: API, adapter: () => Promise.reject('socket hang up') });
    attachAuth(http, signedIn());
    expect(await outcomeOf(http.get('/items'))).toEqual({ error: 'socket hang up' });
  });
  it('an adapter that throws on the replay after a refresh: the caller gets that error', async () => {
    vi.useFakeTimers();
    const boom = new Error('replay exploded');
    let sends = 0;
    const http = axios.create({
      baseURL: API,
      adapter: async (config) => {
        sends += 1;
        if (sends === 1)
          throw Object.assign(new Error('401'), {
            isAxiosError: true,
            config,
            response: { status: 401, headers: {}, data: null, config, statusText: '' },
          });
        throw boom;
      },
    });
    attachAuth(http, signedIn());
    const outcome = await outcomeOf(http.get('/items'), 10);
    expect(outcome).toEqual({ error: boom });
  });
});
