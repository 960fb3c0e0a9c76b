import type { AuthEvent, ReauthHandler } from '@reauth/core';
import { AuthProvider, type ReauthPrompt, useReauthPrompt } from '@reauth/react';
import { act, render, renderHook } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness } from './support/harness';
import { providing } from './support/render';

type Harness = ReturnType<typeof createHarness>;

/** Signs alice in, and has `count` callers wait on a refresh that the server refuses. */
async function refuseRefresh(harness: Harness, count = 1) {
  harness.session.signIn(harness.tokens('alice'));
  harness.session.refresh().catch(() => {}); // as a 401 does; the callers join it
  const outcomes = Array.from({ length: count }, () => harness.request());
  await act(async () => (await harness.refreshCall()).refuse());
  return outcomes;
}

/** Counts what `session.onReauth` registered: handlers alive, and calls of each. */
function spyOnReauth(harness: Harness) {
  const spy = { registered: 0, alive: 0, calls: 0 };
  const register = harness.session.onReauth;
  harness.session.onReauth = (handler: ReauthHandler) => {
    spy.registered += 1;
    spy.alive += 1;
    const unregister = register((context) => {
      spy.calls += 1;
      return handler(context);
    });
    return () => {
      spy.alive -= 1;
      unregister();
    };
  };
  return spy;
}

/** What each mounted <Prompt name> returned on its last render. */
const prompts: Record<string, ReauthPrompt> = {};
afterEach(() => {
  for (const name in prompts) delete prompts[name];
});

function Prompt({ name }: { name: string }) {
  prompts[name] = useReauthPrompt();
  return null;
}

function renderPrompt(harness: Harness) {
  return renderHook(() => useReauthPrompt(), { wrapper: providing(harness.session) });
}

describe('useReauthPrompt()', () => {
  it('is closed until a refused refresh opens it, once, however many callers wait', async () => {
    const harness = createHarness();
    const spy = spyOnReauth(harness);
    const { result } = renderPrompt(harness);
    expect(result.current).toMatchObject({ isOpen: false, reason: null });

    await refuseRefresh(harness, 3);

    expect(result.current).toMatchObject({ isOpen: true, reason: 'refresh_rejected' });
    expect(spy.calls).toBe(1);
    expect(harness.session.getState().status).toBe('reauthRequired');
  });

  it('complete(tokens) signs in, resumes every waiting caller with the new token, and closes', async () => {
    const harness = createHarness();
    const { result } = renderPrompt(harness);
    const outcomes = await refuseRefresh(harness, 2);
    const tokens = harness.tokens('alice');

    await act(async () => result.current.complete(tokens));

    expect(await Promise.all(outcomes)).toEqual([
      { token: tokens.accessToken },
      { token: tokens.accessToken },
    ]);
    expect(result.current).toMatchObject({ isOpen: false, reason: null });
    expect(harness.session.getState().status).toBe('signedIn');
  });

  it('throws the TypeError of signIn to the caller of complete on bad tokens, and stays open', async () => {
    const harness = createHarness();
    const { result } = renderPrompt(harness);
    const [outcome] = await refuseRefresh(harness);

    let thrown: unknown;
    await act(async () => {
      try {
        result.current.complete({ accessToken: '' });
      } catch (error) {
        thrown = error;
      }
    });

    expect(thrown).toBeInstanceOf(TypeError);
    expect(String(thrown)).toMatch(/accessToken/);
    expect(result.current.isOpen).toBe(true);
    expect(harness.session.getState().status).toBe('reauthRequired');

    const tokens = harness.tokens();
    await act(async () => result.current.complete(tokens));
    expect(await outcome).toEqual({ token: tokens.accessToken });
    expect(result.current.isOpen).toBe(false);
  });

  it('dismiss() rejects every waiting caller with REAUTH_CANCELLED, signs out and closes', async () => {
    const harness = createHarness();
    const { result } = renderPrompt(harness);
    const outcomes = await refuseRefresh(harness, 2);

    await act(async () => result.current.dismiss());

    expect(await Promise.all(outcomes)).toEqual([{ code: 'REAUTH_CANCELLED' }, { code: 'REAUTH_CANCELLED' }]);
    expect(result.current.isOpen).toBe(false);
    expect(harness.session.getState()).toMatchObject({ status: 'signedOut', user: null });
  });

  it.each([
    ['a sign-in by other code (signIn)', (harness: Harness) => harness.session.signIn(harness.tokens())],
    ['signOut()', (harness: Harness) => harness.session.signOut()],
    ['cancelReauth()', (harness: Harness) => harness.session.cancelReauth()],
  ])('closes when the prompt is no longer needed: %s', async (_, end) => {
    const harness = createHarness();
    const { result } = renderPrompt(harness);
    await refuseRefresh(harness);
    expect(result.current.isOpen).toBe(true);

    await act(async () => end(harness));

    expect(result.current).toMatchObject({ isOpen: false, reason: null });
  });

  it('dismisses an open prompt when it unmounts: the waiting callers reject with REAUTH_CANCELLED', async () => {
    const harness = createHarness();
    const { result, unmount } = renderPrompt(harness);
    const [outcome] = await refuseRefresh(harness);
    expect(result.current.isOpen).toBe(true);

    unmount();

    expect(await outcome).toEqual({ code: 'REAUTH_CANCELLED' });
    expect(harness.session.getState().status).toBe('signedOut');
  });

  it('hands the prompt back to the one mounted before when the latest unmounts', async () => {
    const harness = createHarness();
    const view = render(
      <AuthProvider session={harness.session}>
        <Prompt name="page" />
        <Prompt name="modal" />
      </AuthProvider>,
    );
    view.rerender(
      <AuthProvider session={harness.session}>
        <Prompt name="page" />
      </AuthProvider>,
    );

    await refuseRefresh(harness);

    expect(prompts.page?.isOpen).toBe(true);
    expect(prompts.modal?.isOpen).toBe(false);
  });

  it('leaves exactly one handler registered under StrictMode, called once for a refused refresh', async () => {
    const harness = createHarness();
    const spy = spyOnReauth(harness);
    render(
      <StrictMode>
        <AuthProvider session={harness.session}>
          <Prompt name="modal" />
        </AuthProvider>
      </StrictMode>,
    );
    expect(spy.registered).toBe(2); // StrictMode mounted the effect twice: the proof this test means something
    expect(spy.alive).toBe(1);

    const [outcome] = await refuseRefresh(harness);

    expect(spy.calls).toBe(1);
    expect(prompts.modal?.isOpen).toBe(true);
    const tokens = harness.tokens();
    await act(async () => prompts.modal?.complete(tokens));
    expect(await outcome).toEqual({ token: tokens.accessToken });
  });

  it('keeps complete and dismiss the same functions across renders and openings', async () => {
    const harness = createHarness();
    const { result } = renderPrompt(harness);
    const { complete, dismiss } = result.current;

    await refuseRefresh(harness);
    expect(result.current.isOpen).toBe(true);

    expect(result.current.complete).toBe(complete);
    expect(result.current.dismiss).toBe(dismiss);
  });

  it('no longer answers once unmounted: a refused refresh then signs out with SESSION_EXPIRED', async () => {
    const harness = createHarness();
    renderPrompt(harness).unmount();

    const [outcome] = await refuseRefresh(harness);

    expect(await outcome).toEqual({ code: 'SESSION_EXPIRED' });
  });
});

const app = (harness: Harness, names = ['modal']) => (
  <AuthProvider session={harness.session}>
    {names.map((name) => (
      <Prompt key={name} name={name} />
    ))}
  </AuthProvider>
);

describe('useReauthPrompt answered twice or late', () => {
  it('cancels once when dismiss() is called twice, and a later complete() does not revive the callers', async () => {
    const harness = createHarness();
    const events: AuthEvent['type'][] = [];
    harness.session.on('*', (event) => events.push(event.type));
    render(app(harness));
    const [outcome] = await refuseRefresh(harness);

    await act(async () => {
      prompts.modal?.dismiss();
      prompts.modal?.dismiss();
    });
    expect(await outcome).toEqual({ code: 'REAUTH_CANCELLED' });
    expect(events.filter((type) => type === 'reauthCancelled')).toHaveLength(1);

    // complete() is signIn(): a late answer signs in, but the cancelled callers stay cancelled.
    await act(async () => prompts.modal?.complete(harness.tokens('alice')));
    expect(await outcome).toEqual({ code: 'REAUTH_CANCELLED' });
    expect(prompts.modal?.isOpen).toBe(false);
  });

  it('opens the latest of two mounted prompts, and only that one', async () => {
    const harness = createHarness();
    render(app(harness, ['page', 'modal']));
    await refuseRefresh(harness);
    expect([prompts.page?.isOpen, prompts.modal?.isOpen]).toEqual([false, true]);
  });
});

describe('<AuthProvider session> swapped while a prompt is open', () => {
  it('dismisses the old session’s prompt, closes, and answers the new session’s next prompt', async () => {
    const [first, second] = [createHarness(), createHarness()];
    const view = render(app(first));
    const [outcome] = await refuseRefresh(first);
    expect(prompts.modal?.isOpen).toBe(true);

    view.rerender(app(second));

    expect(await outcome).toEqual({ code: 'REAUTH_CANCELLED' });
    expect(prompts.modal?.isOpen).toBe(false);
    const [next] = await refuseRefresh(second);
    expect(prompts.modal?.isOpen).toBe(true);
    const tokens = second.tokens('bob');
    await act(async () => prompts.modal?.complete(tokens));
    expect(await next).toEqual({ token: tokens.accessToken });
  });
});
