import { attachAuth } from '@reauth/axios';
import { createSession, type Session } from '@reauth/core';
import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The development-only checks of attachAuth are dropped from a production build; its misuse stays a TypeError at
// the call that made it, saying what was expected (the engine's, or createAuthorizer's).
describe('misuse in a production build', () => {
  beforeEach(() => {
    vi.stubEnv('NODE_ENV', 'production');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('no session: a TypeError saying a session from createSession() was expected, nothing installed', () => {
    const http = axios.create();
    const call = () => attachAuth(http, undefined as unknown as Session);

    expect(call).toThrow(TypeError);
    expect(call).toThrow(/^\[reauth\] attachAuth.*expected a session from createSession\(\)/);
    expect(http.interceptors.request.handlers?.filter(Boolean)).toHaveLength(0);
    expect(http.interceptors.response.handlers?.filter(Boolean)).toHaveLength(0);
  });

  it('a session not made by createSession: a TypeError naming createSession()', () => {
    const fake = { getAccessToken: async () => null } as unknown as Session;
    const call = () => attachAuth(axios.create(), fake);

    expect(call).toThrow(TypeError);
    expect(call).toThrow(/^\[reauth\].*createSession\(\)/);
  });

  it('no instance: a TypeError at the call', () => {
    expect(() => attachAuth(undefined as never, createSession({ crossTab: false }))).toThrow(TypeError);
  });

  it('a shouldRefresh that is not a function: the same TypeError as in development', () => {
    const call = () =>
      attachAuth(axios.create(), createSession({ crossTab: false }), { shouldRefresh: 1 as never });

    expect(call).toThrow(TypeError);
    expect(call).toThrow(
      /^\[reauth\] .*expected options\.shouldRefresh to be a function \(error\) => boolean/,
    );
  });
});
