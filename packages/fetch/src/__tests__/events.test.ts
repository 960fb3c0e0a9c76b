import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectNoSecretsIn, finish, setup, url } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('events', () => {
  it('tells the story of a refused burst in order, with method, URL and diagnosis', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { api, authFetch, events } = setup();
    api.expireAccessTokens();

    await finish(Promise.all([authFetch(url('/a')), authFetch(url('/b'), { method: 'DELETE' })]));

    expect(events.map((e) => e.type)).toEqual([
      'signedIn',
      'unauthorized',
      'requestQueued',
      'refreshStart',
      'unauthorized',
      'requestQueued',
      'refreshSuccess',
      'requestReplayed',
      'requestReplayed',
    ]);
    expect(events.filter((e) => e.type === 'unauthorized')).toEqual([
      expect.objectContaining({ method: 'GET', url: url('/a'), status: 401, handled: true }),
      expect.objectContaining({ method: 'DELETE', url: url('/b'), status: 401, handled: true }),
    ]);
    expect(events.find((e) => e.type === 'unauthorized')).toMatchObject({
      diagnosis: { cause: 'expired_token' },
    });
  });

  it('puts no token string in any event, error or warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { api, authFetch, events, session } = setup();
    api.expireAccessTokens();
    await finish(authFetch(url('/a?access_token=secret-in-url')));
    api.expireAccessTokens();
    api.revokeRefreshTokens();
    const error = await finish(authFetch(url('/b'))).catch((e: unknown) => e);

    expect(session.getState().status).toBe('signedOut');
    const text = JSON.stringify([events, String(error), (error as Error).message, warn.mock.calls]);
    expectNoSecretsIn(text, api.secrets());
    expect(text).not.toContain('secret-in-url');
  });
});
