import { createAuthorizer, type Ticket, type UnauthorizedExchange } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setup, T0 } from './support/harness';
import { jwtExpiringIn } from './support/jwt';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

// A custom adapter (plain JS, or one that writes `isStream: knows ? value : null`) says "I don't know" with null:
// the body itself still tells that a stream can't be sent again.
describe('handleUnauthorized with isStream null', () => {
  it('hands a 401 of a stream body back (no refresh), as with isStream undefined', async () => {
    const { session } = setup();
    session.signIn({ accessToken: jwtExpiringIn(600, T0), refreshToken: 'refresh-1' });
    const refreshes: string[] = [];
    session.on('refreshStart', () => void refreshes.push('start'));
    const authorizer = createAuthorizer(session, { baseURL: 'https://api.example.test' });
    const ticket = authorizer.authorize({ url: '/upload', method: 'POST' }) as Ticket;
    authorizer.credentials(ticket);
    const exchange = {
      status: 401,
      headers: {},
      shouldRefresh: true,
      body: new ReadableStream(),
      isStream: null,
    } as unknown as UnauthorizedExchange;

    const outcome = authorizer.handleUnauthorized(ticket, exchange);

    expect(refreshes).toEqual([]);
    await expect(outcome).resolves.toBeNull();
  });
});
