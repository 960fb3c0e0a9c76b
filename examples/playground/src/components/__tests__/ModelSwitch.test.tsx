import { createSession } from '@reauth/core';
import { AuthProvider } from '@reauth/react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SESSION_MODELS, type SessionModel } from '../../model';
import type { Playground } from '../../setup';
import { deferred } from '../../timeline/__tests__/support';
import { PlaygroundProvider } from '../../usePlayground';
import { ModelSwitch } from '../ModelSwitch';

let root: Root | undefined;
let container: HTMLDivElement | undefined;

afterEach(() => {
  root?.unmount();
  container?.remove();
  root = undefined;
});

// Rendered as in a browser, without act(): the tests wait for the DOM.
function render(model: SessionModel | undefined, signOut: () => Promise<void> = async () => {}) {
  const navigate = vi.fn<(url: string) => void>();
  const reload = vi.fn<() => void>();
  const session = createSession({ crossTab: false, autoRefresh: false });
  const playground = { session, signOut, ...(model ? { model } : {}) } as Playground;
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  root.render(
    <AuthProvider session={session}>
      <PlaygroundProvider value={playground}>
        <ModelSwitch navigate={navigate} reload={reload} />
      </PlaygroundProvider>
    </AuthProvider>,
  );
  return { view: container, navigate, reload };
}

const radios = (view: HTMLElement) => [...view.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
const radio = (view: HTMLElement, model: SessionModel) => {
  const found = radios(view).find((input) => input.value === model);
  if (!found) throw new Error(`no radio for ${model}`);
  return found;
};
const button = (view: HTMLElement, name: string) =>
  [...view.querySelectorAll('button')].find((element) => element.textContent === name);

describe('<ModelSwitch>', () => {
  it('offers the three models, one line each on where the credentials live, the page’s model checked', async () => {
    const { view } = render('refresh');
    await vi.waitFor(() => expect(radios(view)).toHaveLength(3));
    expect(
      radios(view).map((input) => [input.value, input.checked, input.parentElement?.textContent]),
    ).toEqual([
      ['tokens', false, 'Tokens in JS'],
      ['refresh', true, 'Refresh cookie'],
      ['session', false, 'Cookie session'],
    ]);
    const lines = [...view.querySelectorAll('.model-lines li')];
    expect(lines.map((line) => line.getAttribute('data-model'))).toEqual(['tokens', 'refresh', 'session']);
    for (const [index, { label, line }] of SESSION_MODELS.entries()) {
      expect(lines[index]?.textContent).toBe(`${label}: ${line}`);
    }
    expect(
      lines.filter((line) => line.getAttribute('aria-current') === 'true').map((line) => line.textContent),
    ).toEqual([expect.stringContaining('httpOnly cookie')]);
    // What the reload button will show in this model.
    expect(view.querySelector('[data-testid="reload-outcome"]')?.textContent).toMatch(
      /restoring…”, then signed in/,
    );
  });

  it('takes a playground without a model for the default: tokens in JS', async () => {
    const { view } = render(undefined);
    await vi.waitFor(() => expect(radio(view, 'tokens').checked).toBe(true));
    expect(view.querySelector('[data-testid="reload-outcome"]')?.textContent).toMatch(/^Signed out after it/);
  });

  it('signs out first, then loads the page in the chosen model; nothing else can be chosen meanwhile', async () => {
    const signedOut = deferred();
    const signOut = vi.fn(() => signedOut.promise);
    const { view, navigate } = render('tokens', signOut);
    await vi.waitFor(() => expect(radios(view)).toHaveLength(3));

    radio(view, 'session').click();
    await vi.waitFor(() => expect(signOut).toHaveBeenCalledTimes(1));
    // Still signing out: no navigation yet, and the switch is held.
    await vi.waitFor(() => expect(radios(view).every((input) => input.disabled)).toBe(true));
    expect(navigate).not.toHaveBeenCalled();
    expect(view.textContent).toContain('Signing out, then loading the page in the new model…');
    radio(view, 'refresh').click();

    signedOut.resolve();
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    const url = new URL(navigate.mock.calls[0]?.[0] ?? '');
    expect(url.searchParams.get('model')).toBe('session');
    expect(url.pathname).toBe(location.pathname);
    expect(signOut).toHaveBeenCalledTimes(1);
  });

  it('leaves the plain URL for the default model, and does nothing for the model already in use', async () => {
    const { view, navigate } = render('refresh');
    await vi.waitFor(() => expect(radios(view)).toHaveLength(3));
    radio(view, 'refresh').click();
    radio(view, 'tokens').click();
    await vi.waitFor(() => expect(navigate).toHaveBeenCalledTimes(1));
    expect(new URL(navigate.mock.calls[0]?.[0] ?? '').searchParams.has('model')).toBe(false);
  });

  it('reloads the page from its button', async () => {
    const { view, reload } = render('session');
    await vi.waitFor(() => expect(button(view, 'Reload the page')).toBeDefined());
    button(view, 'Reload the page')?.click();
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
