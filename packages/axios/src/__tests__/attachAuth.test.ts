import { attachAuth } from '@reauth/axios';
import { createSession, type Session } from '@reauth/core';
import axios, { type AxiosInstance } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeApi } from './support/fakeApi';
import { BASE_URL, bearer, rejection, setup } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const installed = (http: AxiosInstance) => [
  http.interceptors.request.handlers?.filter(Boolean).length,
  http.interceptors.response.handlers?.filter(Boolean).length,
];

describe('misuse is a TypeError saying what was expected', () => {
  const session = createSession();

  it.each<[string, () => unknown, RegExp]>([
    ['no instance', () => attachAuth(undefined as never, session), /expected an axios instance/],
    ['a plain object as instance', () => attachAuth({} as never, session), /expected an axios instance/],
    [
      'no session',
      () => attachAuth(axios.create(), undefined as never),
      /expected a session from createSession\(\)/,
    ],
    [
      'an empty object as session',
      () => attachAuth(axios.create(), {} as never),
      /expected a session from createSession\(\)/,
    ],
    [
      'a session not made by createSession',
      () => attachAuth(axios.create(), { getAccessToken: async () => null } as unknown as Session),
      /createSession\(\)/,
    ],
    [
      'a shouldRefresh that is not a function',
      () => attachAuth(axios.create(), session, { shouldRefresh: 'yes' as never }),
      /expected options\.shouldRefresh to be a function \(error\) => boolean/,
    ],
    [
      'an allowedOrigins entry with a path',
      () => attachAuth(axios.create(), session, { allowedOrigins: ['https://a.com/path'] }),
      /"https:\/\/a\.com\/path" is not an origin.*scheme:\/\/host/,
    ],
    [
      'an allowedOrigins entry without a scheme',
      () => attachAuth(axios.create(), session, { allowedOrigins: ['a.com'] }),
      /is not an origin/,
    ],
    [
      'an allowedOrigins entry that is neither string nor RegExp',
      () => attachAuth(axios.create(), session, { allowedOrigins: [42 as never] }),
      /is not an origin/,
    ],
    [
      'maxRetries -1',
      () => attachAuth(axios.create(), session, { maxRetries: -1 }),
      /`maxRetries` must be a whole number, 0 or more/,
    ],
    [
      'maxRetries 1.5',
      () => attachAuth(axios.create(), session, { maxRetries: 1.5 }),
      /`maxRetries` must be a whole number/,
    ],
    [
      'an empty header name',
      () => attachAuth(axios.create(), session, { header: '' }),
      /`header` must be a header name/,
    ],
  ])('%s', (_, call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(/^\[reauth\]/);
    expect(call).toThrow(message);
  });

  it('installs no interceptor when the options are refused', () => {
    const http = axios.create();
    expect(() => attachAuth(http, session, { maxRetries: -1 })).toThrow(TypeError);
    expect(installed(http)).toEqual([0, 0]);
  });
});

describe('detach()', () => {
  it('removes every interceptor it added: no token on later requests, and their 401s pass through', async () => {
    const api = createFakeApi();
    const http = axios.create({ baseURL: BASE_URL, adapter: api.adapter });
    http.interceptors.request.use((config) => config);
    http.interceptors.response.use((response) => response);
    const before = installed(http);
    const session = createSession({ refresh: api.refresh });
    session.signIn(api.issueTokens());
    const detach = attachAuth(http, session);
    expect(installed(http)).not.toEqual(before);

    detach();
    expect(installed(http)).toEqual(before);

    api.expireAccessTokens();
    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);

    expect(await error).toBe(api.thrown.at(-1));
    expect(api.sends.map((s) => s.authorization)).toEqual([null]);
    expect(api.refresh).not.toHaveBeenCalled();
  });
});

describe('header and scheme', () => {
  it('sends the bare token in a custom header with scheme ""', async () => {
    const { api, http, tokens } = setup({ attach: { header: 'X-Api-Token', scheme: '' } });
    api.route('/items', () => ({ status: 200 }));
    const done = http.get('/items');
    await vi.advanceTimersByTimeAsync(100);
    await done;

    expect(api.sends[0]?.headers['x-api-token']).toBe(tokens.accessToken);
    expect(api.sends[0]?.authorization).toBeNull();
  });

  it('uses another scheme', async () => {
    const { api, http, tokens } = setup({ attach: { scheme: 'Token' } });
    api.route('/items', () => ({ status: 200 }));
    const done = http.get('/items');
    await vi.advanceTimersByTimeAsync(100);
    await done;

    expect(api.sends[0]?.authorization).toBe(`Token ${tokens.accessToken}`);
  });

  it('sends the current token as Bearer by default', async () => {
    const { api, http, tokens } = setup();
    const done = http.get('/items');
    await vi.advanceTimersByTimeAsync(100);
    await done;

    expect(api.sends[0]?.authorization).toBe(bearer(tokens.accessToken));
  });
});
