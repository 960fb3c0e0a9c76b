import type { UnauthorizedCause } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { challenges, type FakeApi, type Reply } from './support/fakeApi';
import { expectNoSecretsIn, rejection, setup } from './support/setup';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const unauthorizedWith = (challenge: string) => (): Reply => ({
  status: 401,
  headers: { 'www-authenticate': challenge },
});

describe('the unauthorized event', () => {
  it.each<[string, (api: FakeApi) => void, UnauthorizedCause]>([
    ['an expired token', (api) => api.expireAccessTokens(), 'expired_token'],
    ['a revoked token', (api) => api.revokeAccessTokens(), 'invalid_token'],
    [
      'a 401 without a reason',
      (api) => api.route('/items', unauthorizedWith('Bearer realm="api"')),
      'unknown',
    ],
    [
      'a missing permission',
      (api) => api.route('/items', unauthorizedWith(challenges.insufficientScope)),
      'insufficient_scope',
    ],
  ])('carries a diagnosis of %s', async (_, arrange, cause) => {
    const { api, http, eventsOf } = setup();
    arrange(api);
    const done = http.get('/items').catch(() => {});
    await vi.advanceTimersByTimeAsync(200);
    await done;

    const [event] = eventsOf('unauthorized');
    expect(event).toMatchObject({
      method: 'GET',
      url: 'https://api.test/items',
      status: 401,
      diagnosis: { cause },
    });
    expect(event?.diagnosis.hint).toEqual(expect.any(String));
    expect(event?.at).toBeLessThanOrEqual(Date.now());
  });

  it('diagnoses a 401 on a request sent without a token as missing_authorization', async () => {
    const { http, eventsOf } = setup({ signedIn: false });
    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);
    await error;

    expect(eventsOf('unauthorized')).toEqual([
      expect.objectContaining({ diagnosis: expect.objectContaining({ cause: 'missing_authorization' }) }),
    ]);
  });

  it('says handled: false for a signed-out 401 handed back as is (no reauth handler)', async () => {
    const { http, eventsOf } = setup({ signedIn: false });
    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(100);
    await error;

    expect(eventsOf('unauthorized')).toEqual([
      expect.objectContaining({
        handled: false,
        diagnosis: expect.objectContaining({ cause: 'missing_authorization' }),
      }),
    ]);
  });

  it('fires once per 401 seen, with the first handled and the replay not', async () => {
    const { api, http, eventsOf } = setup();
    api.route('/items', unauthorizedWith(challenges.invalid));
    const error = rejection(http.get('/items'));
    await vi.advanceTimersByTimeAsync(200);
    await error;

    expect(eventsOf('unauthorized').map((e) => e.handled)).toEqual([true, false]);
  });
});

describe('no token in events, errors or logs', () => {
  it('keeps every token string out of every event, error message and console line of a busy session', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { api, http, session, events, tokens } = setup();
    const messages: string[] = [];
    const collect = (promise: Promise<unknown>) =>
      promise.catch((reason: unknown) => messages.push(String((reason as Error)?.message)));

    api.expireAccessTokens();
    const first = [
      http.get('/a'),
      http.get(`/b?access_token=${tokens.accessToken}`),
      http.get('https://other.test/x'),
    ];
    const settled = Promise.all(first.map(collect));
    await vi.advanceTimersByTimeAsync(200);
    await settled;

    api.expireAccessTokens();
    api.failNextRefresh('server');
    const transient = collect(http.get('/c'));
    await vi.advanceTimersByTimeAsync(200);
    await transient;

    api.failNextRefresh('rejected');
    let answer: (value: null) => void = () => {};
    session.onReauth(() => new Promise((resolve) => (answer = resolve)));
    const waiting = collect(http.get('/d'));
    await vi.advanceTimersByTimeAsync(200);
    answer(null);
    await waiting;

    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'signedIn',
        'refreshStart',
        'refreshSuccess',
        'refreshFailure',
        'unauthorized',
      ]),
    );
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['requestReplayed', 'reauthRequired', 'reauthCancelled', 'signedOut']),
    );
    expect(messages.length).toBeGreaterThanOrEqual(3);
    const text = JSON.stringify([events, messages, warn.mock.calls, error.mock.calls]);
    expect(text).toContain('access_token=[redacted]');
    expectNoSecretsIn(text, api.secrets());
  });
});
