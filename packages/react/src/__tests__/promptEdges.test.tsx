import type { AuthEvent } from '@reauth/core';
import { AuthProvider, type ReauthPrompt, useReauthPrompt } from '@reauth/react';
import { act, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness } from './support/harness';

// Review tests: a prompt's answers given twice or late, and a provider whose session changes while it is open.
type Harness = ReturnType<typeof createHarness>;

async function refuseRefresh(harness: Harness) {
  harness.session.signIn(harness.tokens('alice'));
  harness.session.refresh().catch(() => {});
  const outcome = harness.request();
  await act(async () => (await harness.refreshCall()).refuse());
  return { outcome }; // wrapped: an async function would otherwise wait for the prompt's answer
}

const prompts: Record<string, ReauthPrompt> = {};
afterEach(() => {
  for (const name in prompts) delete prompts[name];
});
function Prompt({ name }: { name: string }) {
  prompts[name] = useReauthPrompt();
  return null;
}
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
    const { outcome } = await refuseRefresh(harness);

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
    const { outcome } = await refuseRefresh(first);
    expect(prompts.modal?.isOpen).toBe(true);

    view.rerender(app(second));

    expect(await outcome).toEqual({ code: 'REAUTH_CANCELLED' });
    expect(prompts.modal?.isOpen).toBe(false);
    const { outcome: next } = await refuseRefresh(second);
    expect(prompts.modal?.isOpen).toBe(true);
    const tokens = second.tokens('bob');
    await act(async () => prompts.modal?.complete(tokens));
    expect(await next).toEqual({ token: tokens.accessToken });
  });
});
