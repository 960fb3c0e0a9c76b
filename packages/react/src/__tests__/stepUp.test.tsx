import { createAuthorizer } from '@reauth/core';
import { useReauthPrompt } from '@reauth/react';
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { createHarness } from './support/harness';
import { providing } from './support/render';

const STEP_UP = {
  status: 401,
  shouldRefresh: false,
  headers: {
    'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", acr_values="mfa", max_age="120"',
  },
};

describe('useReauthPrompt() and a step-up', () => {
  it('opens with reason step_up, acrValues and maxAge; complete() replays the request with the new token', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice'));
    const { result } = renderHook(() => useReauthPrompt(), { wrapper: providing(harness.session) });
    expect(result.current).toMatchObject({ isOpen: false, reason: null, acrValues: [], maxAge: undefined });
    const authorizer = createAuthorizer(harness.session, { baseURL: 'https://api.example.test' });
    const ticket = await authorizer.authorize({ url: '/admin' });
    const replay = authorizer.handleUnauthorized(ticket, STEP_UP);
    await act(async () => {});
    expect(result.current).toMatchObject({
      isOpen: true,
      reason: 'step_up',
      acrValues: ['mfa'],
      maxAge: 120,
    });
    // The page behind the prompt: still signed in.
    expect(harness.session.getState().status).toBe('signedIn');
    const stronger = harness.tokens('alice');
    await act(async () => result.current.complete(stronger));
    const next = await replay;
    expect(next && authorizer.credentials(next)).toBe(`Bearer ${stronger.accessToken}`);
    expect(result.current).toMatchObject({ isOpen: false, reason: null, acrValues: [] });
  });

  it('dismiss() rejects the step-up request with STEP_UP_CANCELLED and keeps the session', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice'));
    const { result } = renderHook(() => useReauthPrompt(), { wrapper: providing(harness.session) });
    const authorizer = createAuthorizer(harness.session, { baseURL: 'https://api.example.test' });
    const ticket = await authorizer.authorize({ url: '/admin' });
    const replay = authorizer.handleUnauthorized(ticket, STEP_UP);
    const outcome = expect(replay).rejects.toMatchObject({ code: 'STEP_UP_CANCELLED' });
    await act(async () => {});
    await act(async () => result.current.dismiss());
    await outcome;
    expect(harness.session.getState().status).toBe('signedIn');
    expect(result.current.isOpen).toBe(false);
  });
});

describe('useReauthPrompt() with a step-up over a sign-in prompt', () => {
  it('shows the step-up, then, once it is dismissed, the sign-in prompt still waiting', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const harness = createHarness();
    const { refreshToken: _, ...withoutRefresh } = harness.tokens('alice');
    harness.session.signIn(withoutRefresh);
    const { result } = renderHook(() => useReauthPrompt(), { wrapper: providing(harness.session) });
    const authorizer = createAuthorizer(harness.session, { baseURL: 'https://api.example.test' });
    // Both sent before either 401 came back.
    const first = await authorizer.authorize({ url: '/items' });
    const second = await authorizer.authorize({ url: '/admin' });
    const expired = authorizer.handleUnauthorized(first, { status: 401, shouldRefresh: true });
    await act(async () => {});
    expect(result.current.reason).toBe('no_refresh_token');
    const stepUp = authorizer.handleUnauthorized(second, STEP_UP);
    const cancelled = expect(stepUp).rejects.toMatchObject({ code: 'STEP_UP_CANCELLED' });
    await act(async () => {});
    expect(result.current.reason).toBe('step_up');
    await act(async () => result.current.dismiss());
    await cancelled;
    expect(result.current).toMatchObject({ isOpen: true, reason: 'no_refresh_token' });
    await act(async () => result.current.complete(harness.tokens('alice')));
    expect((await expired)?.attempt).toBe(1);
    expect(result.current.isOpen).toBe(false);
  });
});
