// biome-ignore-all lint/correctness/noComponentHookFactories: each test defines the components it drives, closing over its own session
import { AuthProvider, type ReauthPrompt, useAuth, useReauthPrompt } from '@reauth/react';
import { act, render } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHarness } from './support/harness';

// the login modal the way apps really mount it.

type Harness = ReturnType<typeof createHarness>;

/** Signs alice in, and has `count` callers wait on a refresh that the server refuses. */
async function refuseRefresh(harness: Harness, count = 1) {
  const call = harness.refreshes.length; // the refresh call this refusal answers
  harness.session.signIn(harness.tokens('alice'));
  harness.session.refresh().catch(() => {});
  const outcomes = Array.from({ length: count }, () => harness.request());
  await act(async () => (await harness.refreshCall(call)).refuse());
  return outcomes;
}

const prompts: Record<string, ReauthPrompt> = {};
afterEach(() => {
  for (const name in prompts) delete prompts[name];
  vi.restoreAllMocks();
});
function Prompt({ name }: { name: string }) {
  prompts[name] = useReauthPrompt();
  return null;
}

describe('useReauthPrompt under real use', () => {
  it('dismiss() right after complete() (the modal’s onClose firing as it closes) keeps the new session', async () => {
    const harness = createHarness();
    render(
      <AuthProvider session={harness.session}>
        <Prompt name="modal" />
      </AuthProvider>,
    );
    const [waiting] = await refuseRefresh(harness);
    expect(prompts.modal?.isOpen).toBe(true);
    const tokens = harness.tokens('alice');
    act(() => {
      prompts.modal?.complete(tokens);
      prompts.modal?.dismiss();
    });
    expect(harness.session.getState().status).toBe('signedIn');
    await expect(waiting).resolves.toEqual({ token: tokens.accessToken });
    expect(prompts.modal?.isOpen).toBe(false);
  });

  it('complete() twice (a double submit) resumes the callers with the current token and stays signed in', async () => {
    const harness = createHarness();
    render(
      <AuthProvider session={harness.session}>
        <Prompt name="modal" />
      </AuthProvider>,
    );
    const outcomes = await refuseRefresh(harness, 2);
    const first = harness.tokens('alice');
    const second = harness.tokens('alice');
    act(() => {
      prompts.modal?.complete(first);
      prompts.modal?.complete(second);
    });
    // The callers ask for the token after both sign-ins: the current one is the second.
    await expect(Promise.all(outcomes)).resolves.toEqual([
      { token: second.accessToken },
      { token: second.accessToken },
    ]);
    expect(harness.session.getState().status).toBe('signedIn');
    expect(prompts.modal?.isOpen).toBe(false);
  });

  it('complete() with tokens of another user: the callers resume with bob’s token and the app sees bob', async () => {
    const harness = createHarness();
    let user: unknown;
    function Who() {
      user = useAuth((auth) => auth.user?.sub ?? null);
      return null;
    }
    render(
      <AuthProvider session={harness.session}>
        <Who />
        <Prompt name="modal" />
      </AuthProvider>,
    );
    const [waiting] = await refuseRefresh(harness);
    const bob = harness.tokens('bob');
    act(() => prompts.modal?.complete(bob));
    await expect(waiting).resolves.toEqual({ token: bob.accessToken });
    expect(user).toBe('bob');
  });

  it('StrictMode, two mounted prompts (a modal and a header badge): one opens, complete resumes, and after the badge unmounts the modal answers the next refusal', async () => {
    const harness = createHarness();
    const view = (withBadge: boolean) => (
      <StrictMode>
        <AuthProvider session={harness.session}>
          <Prompt name="modal" />
          {withBadge && <Prompt name="badge" />}
        </AuthProvider>
      </StrictMode>
    );
    const { rerender } = render(view(true));
    const [first] = await refuseRefresh(harness);
    const open = Object.entries(prompts).filter(([, prompt]) => prompt.isOpen);
    expect(open.map(([name]) => name)).toEqual(['badge']);
    const tokens = harness.tokens('alice');
    act(() => prompts.badge?.complete(tokens));
    await expect(first).resolves.toEqual({ token: tokens.accessToken });

    rerender(view(false));
    const [second] = await refuseRefresh(harness);
    expect(prompts.modal?.isOpen).toBe(true);
    const again = harness.tokens('alice');
    act(() => prompts.modal?.complete(again));
    await expect(second).resolves.toEqual({ token: again.accessToken });
  });

  it('StrictMode: the earlier of two prompts unmounting leaves the later one active (no handler resurrected or lost)', async () => {
    const harness = createHarness();
    const view = (withModal: boolean) => (
      <StrictMode>
        <AuthProvider session={harness.session}>
          {withModal && <Prompt name="modal" />}
          <Prompt name="badge" />
        </AuthProvider>
      </StrictMode>
    );
    const { rerender } = render(view(true));
    rerender(view(false)); // the earlier one goes away (a route change)
    const [waiting] = await refuseRefresh(harness);
    expect(prompts.badge?.isOpen).toBe(true);
    const tokens = harness.tokens('alice');
    act(() => prompts.badge?.complete(tokens));
    await expect(waiting).resolves.toEqual({ token: tokens.accessToken });
  });

  it('a prompt unmounted while a request waits settles that request (REAUTH_CANCELLED), never hangs', async () => {
    const harness = createHarness();
    const { unmount } = render(
      <StrictMode>
        <AuthProvider session={harness.session}>
          <Prompt name="modal" />
        </AuthProvider>
      </StrictMode>,
    );
    const [waiting] = await refuseRefresh(harness);
    expect(prompts.modal?.isOpen).toBe(true);
    unmount();
    await expect(waiting).resolves.toEqual({ code: 'REAUTH_CANCELLED' });
    expect(harness.session.getState().status).toBe('signedOut');
  });

  it('a complete() with bad tokens throws and keeps the prompt open; good ones then resume the caller', async () => {
    const harness = createHarness();
    render(
      <AuthProvider session={harness.session}>
        <Prompt name="modal" />
      </AuthProvider>,
    );
    const [waiting] = await refuseRefresh(harness);
    expect(() => prompts.modal?.complete({ accessToken: '' })).toThrow(TypeError);
    expect(prompts.modal?.isOpen).toBe(true);
    const tokens = harness.tokens('alice');
    act(() => prompts.modal?.complete(tokens));
    await expect(waiting).resolves.toEqual({ token: tokens.accessToken });
  });
});

describe('the modal remounting while open (a key change)', () => {
  // Decided in DESIGN (unmounting an open prompt dismisses it): held here so that the outcome is at least clean.
  it('settles the waiting request with REAUTH_CANCELLED and the remounted modal answers the next prompt', async () => {
    const harness = createHarness();
    const view = (key: string) => (
      <AuthProvider session={harness.session}>
        <Prompt key={key} name="modal" />
      </AuthProvider>
    );
    const { rerender } = render(view('a'));
    const [waiting] = await refuseRefresh(harness);
    expect(prompts.modal?.isOpen).toBe(true);
    rerender(view('b'));
    await expect(waiting).resolves.toEqual({ code: 'REAUTH_CANCELLED' });
    expect(prompts.modal?.isOpen).toBe(false);
    const [next] = await refuseRefresh(harness);
    expect(prompts.modal?.isOpen).toBe(true);
    const tokens = harness.tokens('alice');
    act(() => prompts.modal?.complete(tokens));
    await expect(next).resolves.toEqual({ token: tokens.accessToken });
  });
});
