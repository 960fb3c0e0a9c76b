import { createSession } from '@reauth/core';
import { authRetry, connectQueryClient } from '@reauth/react-query';
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { expectMisuse } from '#test-support/exposure';

// A demanding user's view of connectQueryClient: a wrong argument is a TypeError naming what was expected;
// a session of another copy of @reauth/core (two versions in one bundle) works as one of this copy.

describe('connectQueryClient misuse', () => {
  const session = () => createSession({ crossTab: false, autoRefresh: false });
  it('no QueryClient', () => {
    expectMisuse(() => connectQueryClient(undefined as never, session()), /QueryClient/);
  });
  it('arguments swapped (session, queryClient)', () => {
    expectMisuse(() => connectQueryClient(session() as never, new QueryClient() as never), /QueryClient/);
  });
  it('no session', () => {
    expectMisuse(() => connectQueryClient(new QueryClient(), undefined as never), /session/);
  });
  it('a plain object as session', () => {
    expectMisuse(() => connectQueryClient(new QueryClient(), {} as never), /session/);
  });
});

describe('a session of another copy of @reauth/core', () => {
  it('clears the cache on its sign-out, and authRetry does not retry its AuthErrors', async () => {
    vi.resetModules();
    const other = await import('@reauth/core');
    expect(other.createSession).not.toBe(createSession);
    const session = other.createSession({ crossTab: false, autoRefresh: false });
    session.signIn({ accessToken: 'a' });
    const client = new QueryClient();
    connectQueryClient(client, session);
    client.setQueryData(['me'], { name: 'alice' });
    session.signOut();
    expect(client.getQueryData(['me'])).toBeUndefined();
    expect(authRetry(0, new other.AuthError('SESSION_EXPIRED'))).toBe(false);
  });
});
