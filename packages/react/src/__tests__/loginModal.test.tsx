import type { AuthEvent } from '@reauth/core';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App, createWorld } from './support/app';

const names = ['items', 'orders', 'profile'];

const observers: MutationObserver[] = [];
afterEach(() => {
  for (const observer of observers.splice(0)) observer.disconnect();
  vi.restoreAllMocks(); // the console spies, also when a test failed before its end
});

/** Counts how many times a dialog is inserted into the document from now on. */
function countDialogs() {
  const count = { inserted: 0 };
  const observer = new MutationObserver((records) => {
    for (const node of records.flatMap((record) => [...record.addedNodes])) {
      if (
        node instanceof Element &&
        (node.matches('[role="dialog"]') || node.querySelector('[role="dialog"]'))
      )
        count.inserted += 1;
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
  observers.push(observer);
  return count;
}

function typeCredentials(username: string, password: string) {
  const dialog = screen.getByRole('dialog');
  fireEvent.change(within(dialog).getByLabelText(/username/i), { target: { value: username } });
  fireEvent.change(within(dialog).getByLabelText(/password/i), { target: { value: password } });
  fireEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
}

const outcomes = () => within(screen.getByRole('list', { name: 'outcomes' })).queryAllByRole('listitem');
const outcomeTexts = () => outcomes().map((item) => item.textContent);

/** Renders the app, has the server forget alice's token and refuse refreshes, and loads every resource. */
async function expireAndLoad() {
  const world = createWorld();
  const events: AuthEvent[] = [];
  world.session.on('*', (event) => void events.push(event));
  render(<App world={world} names={names} />);
  const dialogs = countDialogs();
  world.fake.controls.revokeAccessTokens();
  world.fake.controls.refuseRefresh();
  fireEvent.click(screen.getByRole('button', { name: 'Load' }));
  await screen.findByRole('dialog');
  return { world, events, dialogs };
}

describe('a login modal on useReauthPrompt, with axios and attachAuth', () => {
  it('opens once for all the refused requests, and resumes them all with the credentials typed in it', async () => {
    const logged = [vi.spyOn(console, 'warn'), vi.spyOn(console, 'error'), vi.spyOn(console, 'log')];
    const { world, events, dialogs } = await expireAndLoad();

    expect(screen.getByRole('heading').textContent).toBe('Your session expired');
    expect(world.fake.stats.refreshes).toBe(1);
    expect(world.fake.stats.refused).toBe(1);
    expect(world.fake.stats.received.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(events.filter((event) => event.type === 'reauthRequired')).toHaveLength(1);
    // The page behind the modal stays: alice is still known while she re-authenticates.
    expect(screen.getByText('signed in as alice')).toBeTruthy();

    typeCredentials('alice', 'wonderland');
    await waitFor(() => expect(outcomes()).toHaveLength(3));

    expect(outcomeTexts()).toEqual(['items of alice', 'orders of alice', 'profile of alice']);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(dialogs.inserted).toBe(1);
    expect(world.fake.stats.logins).toBe(1);
    expect(world.fake.stats.refreshes).toBe(1);
    expect(world.fake.stats.received.slice(3)).toEqual(
      names.map((name) => ({ method: 'GET', path: `/api/${name}`, status: 200, sub: 'alice' })),
    );
    expect(world.session.getState().status).toBe('signedIn');
    // No token in what the app could log: events, state, console output.
    const shown = JSON.stringify([events, world.session.getState(), logged.map((spy) => spy.mock.calls)]);
    expect(world.fake.issued.length).toBeGreaterThan(2);
    for (const token of world.fake.issued) expect(shown).not.toContain(token);
  });

  it('stays open and says so when the password is wrong, then resumes on the right one', async () => {
    const { world } = await expireAndLoad();

    typeCredentials('alice', 'looking-glass');
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.');
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(outcomes()).toHaveLength(0);

    typeCredentials('alice', 'wonderland');
    await waitFor(() =>
      expect(outcomeTexts()).toEqual(['items of alice', 'orders of alice', 'profile of alice']),
    );
    expect(world.fake.stats.received.filter((r) => r.status === 200)).toHaveLength(3);
  });

  it('rejects every waiting request with REAUTH_CANCELLED when dismissed, and shows it', async () => {
    const { world, dialogs } = await expireAndLoad();

    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(outcomes()).toHaveLength(3));

    expect(outcomeTexts()).toEqual(['REAUTH_CANCELLED', 'REAUTH_CANCELLED', 'REAUTH_CANCELLED']);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByText('please sign in')).toBeTruthy();
    expect(world.session.getState()).toMatchObject({ status: 'signedOut', user: null });
    expect(world.fake.stats.received).toHaveLength(3); // none replayed
    expect(dialogs.inserted).toBe(1);
  });

  it('resumes the queue as another account when another one signs in, with that account’s token', async () => {
    const { world } = await expireAndLoad();
    expect(screen.getByText('no admin area')).toBeTruthy();

    typeCredentials('bob', 'builder');
    await waitFor(() => expect(outcomes()).toHaveLength(3));

    expect(outcomeTexts()).toEqual(['items of bob', 'orders of bob', 'profile of bob']);
    expect(world.fake.stats.received.slice(3).map((r) => r.sub)).toEqual(['bob', 'bob', 'bob']);
    expect(screen.getByText('signed in as bob')).toBeTruthy();
    expect(screen.getByText('admin area')).toBeTruthy();
  });

  it('refreshes without a prompt when the token expired by the clock: each request sent once, fresh', async () => {
    const world = createWorld();
    render(<App world={world} names={names} />);
    const dialogs = countDialogs();
    world.clock.advance(601_000); // past the ten-minute access token

    fireEvent.click(screen.getByRole('button', { name: 'Load' }));
    await waitFor(() => expect(outcomes()).toHaveLength(3));

    expect(outcomeTexts()).toEqual(['items of alice', 'orders of alice', 'profile of alice']);
    expect(world.fake.stats.refreshes).toBe(1);
    expect(world.fake.stats.received.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(dialogs.inserted).toBe(0);
  });

  it('opens for a 401 while signed out and sends the request again once signed in', async () => {
    const world = createWorld({ signedIn: false });
    render(<App world={world} names={['items']} />);
    expect(screen.getByText('please sign in')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Load' }));
    await screen.findByRole('dialog');
    expect(screen.getByRole('heading').textContent).toBe('Sign in to continue');
    // No user is known: the page stays behind its fallback while the prompt is open.
    expect(world.session.getState().status).toBe('reauthRequired');
    expect(screen.getByText('please sign in')).toBeTruthy();

    typeCredentials('alice', 'wonderland');
    await waitFor(() => expect(outcomeTexts()).toEqual(['items of alice']));
    expect(world.fake.stats.received.map((r) => [r.status, r.sub])).toEqual([
      [401, null],
      [200, 'alice'],
    ]);
    expect(screen.getByText('signed in as alice')).toBeTruthy();
  });
});
