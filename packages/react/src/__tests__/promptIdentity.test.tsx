import { useAuth, useReauthPrompt } from '@reauth/react';
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createHarness } from './support/harness';
import { providing } from './support/render';

// A login form's effects and memos depend on complete and dismiss: they must not change while the prompt opens,
// re-renders or closes, and complete must sign in the prompt's own session.
describe('useReauthPrompt: complete and dismiss keep their identity', () => {
  it('across a prompt opening, re-rendering and completing; complete signs in and closes it', async () => {
    const harness = createHarness();
    harness.session.signIn(harness.tokens('alice'));
    const { result, rerender } = renderHook(() => ({ prompt: useReauthPrompt(), auth: useAuth() }), {
      wrapper: providing(harness.session),
    });
    const { complete, dismiss } = result.current.prompt;
    expect(result.current.prompt.isOpen).toBe(false);

    harness.session.refresh().catch(() => {});
    const waiting = harness.request();
    await act(async () => (await harness.refreshCall()).refuse());
    expect(result.current.prompt).toMatchObject({ isOpen: true, reason: 'refresh_rejected' });
    rerender();
    expect(result.current.prompt.complete).toBe(complete);
    expect(result.current.prompt.dismiss).toBe(dismiss);

    const fresh = harness.tokens('alice');
    await act(async () => result.current.prompt.complete(fresh));
    expect(result.current.prompt.isOpen).toBe(false);
    expect(harness.session.getState().status).toBe('signedIn');
    expect(result.current.prompt.complete).toBe(complete);
    expect(result.current.prompt.dismiss).toBe(dismiss);
    await expect(waiting).resolves.toEqual({ token: fresh.accessToken });
  });
});
