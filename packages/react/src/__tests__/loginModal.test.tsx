import { type AuthEvent, decodeJwt } from '@reauth/core';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App, createWorld } from './support/app';
import { API, startMswServer, tokenIdOf } from './support/mockApi';

// End to end on axios (its XHR adapter in happy-dom), msw/node and the @reauth/msw kit: a real HTTP
// exchange per request, and the kit's stats say which token each protected request carried.
const server = startMswServer();

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

/** The pair of tokens number `n` the app received (0: the first sign-in's). */
function pair(world: Awaited<ReturnType<typeof createWorld>>, n: number) {
  const tokens = world.pairs[n];
  if (!tokens) throw new Error(`the app received no token pair number ${n}`);
  return tokens;
}

/** `GET /api/:name` for each name, answered `status` to a request carrying the token `tokenId`. */
const answered = (status: number, tokenId: string) =>
  names.map((name) =>
    expect.objectContaining({ method: 'GET', url: `${API}/api/${name}`, status, hadToken: true, tokenId }),
  );

/** The kit's records of protected requests in URL order (concurrent requests may be verified in any order). */
const byUrl = <T extends { url: string }>(records: T[]) =>
  [...records].sort((a, b) => a.url.localeCompare(b.url));

type RequestRecords = Awaited<ReturnType<typeof createWorld>>['auth']['stats']['requests'];

/** Each resource's sends as the kit answered them, in order: `[status, tokenId]` of `GET /api/:name`. */
const sendsPerName = (records: RequestRecords) =>
  names.map((name) =>
    records
      .filter((r) => r.method === 'GET' && r.hadToken && r.url === `${API}/api/${name}`)
      .map((r) => [r.status, r.tokenId]),
  );

/**
 * While the token is refused (a prompt open, a refresh under way), what went out so far whatever the
 * timing: at least the first request, each at most once, with the refused token, answered 401. The three
 * loads start together, but under load the second and third may start after the first 401 has come back,
 * and then they rightly wait unsent.
 */
function expectRefusedSendsOnly(records: RequestRecords, oldTokenId: string) {
  expect(records.length).toBeGreaterThanOrEqual(1);
  for (const sends of sendsPerName(records)) expect([[], [[401, oldTokenId]]]).toContainEqual(sends);
  expect(sendsPerName(records).flat()).toHaveLength(records.length);
}

/**
 * Once the queue resumed, whatever the timing: every resource went out once with the new token (200),
 * after at most one send with the refused one (401); at least one did get that 401, which started it all.
 */
function expectEachResumedOnce(records: RequestRecords, oldTokenId: string, newTokenId: string) {
  const sends = sendsPerName(records);
  for (const sent of sends) {
    expect([
      [[200, newTokenId]],
      [
        [401, oldTokenId],
        [200, newTokenId],
      ],
    ]).toContainEqual(sent);
  }
  expect(sends.some((sent) => sent.length === 2)).toBe(true);
  expect(sends.flat()).toHaveLength(records.length);
}

/**
 * Renders the app, has the kit expire alice's access token and refuse the refresh (a forced 400
 * invalid_grant, or her refresh tokens revoked), and loads every resource.
 */
async function expireAndLoad(refusal: 'failNextRefresh' | 'revokeRefreshTokens' = 'failNextRefresh') {
  const world = await createWorld(server);
  const events: AuthEvent[] = [];
  world.session.on('*', (event) => void events.push(event));
  render(<App world={world} names={names} />);
  const dialogs = countDialogs();
  world.auth.controls.expireAccessTokens();
  if (refusal === 'failNextRefresh') world.auth.controls.failNextRefresh(1, 'rejected');
  else world.auth.controls.revokeRefreshTokens();
  fireEvent.click(screen.getByRole('button', { name: 'Load' }));
  await screen.findByRole('dialog');
  return { world, events, dialogs };
}

describe('a login modal on useReauthPrompt, with axios and attachAuth', () => {
  it('opens once for all the refused requests, and resumes them all with the credentials typed in it', async () => {
    const logged = [vi.spyOn(console, 'warn'), vi.spyOn(console, 'error'), vi.spyOn(console, 'log')];
    const { world, events, dialogs } = await expireAndLoad();
    const { stats } = world.auth;

    expect(screen.getByRole('heading').textContent).toBe('Your session expired');
    expect(stats.refreshes).toBe(1);
    expect(stats.refreshCalls.map((call) => call.outcome)).toEqual(['forced']); // refused: 400
    // The refused sends so far (one to three, by timing), each with alice's first token.
    expectRefusedSendsOnly(stats.requests, tokenIdOf(pair(world, 0).accessToken));
    expect(events.filter((event) => event.type === 'reauthRequired')).toHaveLength(1);
    // The page behind the modal stays: alice is still known while she re-authenticates.
    expect(screen.getByText('signed in as alice')).toBeTruthy();

    typeCredentials('alice', 'wonderland');
    await waitFor(() => expect(outcomes()).toHaveLength(3));

    expect(outcomeTexts()).toEqual(['items of alice', 'orders of alice', 'profile of alice']);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(dialogs.inserted).toBe(1);
    expect(stats.logins).toBe(1);
    expect(stats.refreshes).toBe(1);
    // Each request sent once more (or only then, if it waited unsent), with the token of the login typed
    // in the modal: alice's.
    const login = pair(world, 1);
    expect(decodeJwt(login.accessToken)?.sub).toBe('alice');
    expectEachResumedOnce(
      stats.requests,
      tokenIdOf(pair(world, 0).accessToken),
      tokenIdOf(login.accessToken),
    );
    expect(world.session.getState().status).toBe('signedIn');
    // No token in what the app could log: events, state, console output (nor in the kit's stats).
    const shown = JSON.stringify([
      events,
      world.session.getState(),
      logged.map((spy) => spy.mock.calls),
      stats,
    ]);
    const issued = world.pairs.flatMap((tokens) => [tokens.accessToken, tokens.refreshToken]);
    expect(issued.length).toBeGreaterThan(2);
    for (const token of issued) expect(shown).not.toContain(token);
  });

  it('stays open and says so when the password is wrong, then resumes on the right one', async () => {
    const { world } = await expireAndLoad();

    typeCredentials('alice', 'looking-glass');
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.');
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(outcomes()).toHaveLength(0);
    expect(world.auth.stats).toMatchObject({ failedLogins: 1, logins: 0 });

    typeCredentials('alice', 'wonderland');
    await waitFor(() =>
      expect(outcomeTexts()).toEqual(['items of alice', 'orders of alice', 'profile of alice']),
    );
    expect(world.auth.stats.requests.filter((r) => r.status === 200)).toHaveLength(3);
    expect(world.auth.stats).toMatchObject({ failedLogins: 1, logins: 1, refreshes: 1 });
  });

  it('rejects every waiting request with REAUTH_CANCELLED when dismissed, and shows it', async () => {
    const { world, dialogs } = await expireAndLoad();

    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(outcomes()).toHaveLength(3));

    expect(outcomeTexts()).toEqual(['REAUTH_CANCELLED', 'REAUTH_CANCELLED', 'REAUTH_CANCELLED']);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByText('please sign in')).toBeTruthy();
    expect(world.session.getState()).toMatchObject({ status: 'signedOut', user: null });
    expectRefusedSendsOnly(world.auth.stats.requests, tokenIdOf(pair(world, 0).accessToken)); // none replayed
    expect(world.auth.stats).toMatchObject({ logins: 0, refreshes: 1 });
    expect(dialogs.inserted).toBe(1);
  });

  it('resumes the queue as another account when another one signs in, with that account’s token', async () => {
    const { world } = await expireAndLoad('revokeRefreshTokens');
    expect(world.auth.stats.refreshCalls.map((call) => call.outcome)).toEqual(['revoked']);
    expect(screen.getByText('no admin area')).toBeTruthy();

    typeCredentials('bob', 'builder');
    await waitFor(() => expect(outcomes()).toHaveLength(3));

    expect(outcomeTexts()).toEqual(['items of bob', 'orders of bob', 'profile of bob']);
    const login = pair(world, 1);
    expect(decodeJwt(login.accessToken)?.sub).toBe('bob');
    expectEachResumedOnce(
      world.auth.stats.requests,
      tokenIdOf(pair(world, 0).accessToken),
      tokenIdOf(login.accessToken),
    );
    expect(screen.getByText('signed in as bob')).toBeTruthy();
    expect(screen.getByText('admin area')).toBeTruthy();
  });

  it('refreshes without a prompt when the token expired by the clock: each request sent once, fresh', async () => {
    const world = await createWorld(server);
    render(<App world={world} names={names} />);
    const dialogs = countDialogs();
    world.clock.advance(601_000); // past the ten-minute access token, for the session and the kit alike

    fireEvent.click(screen.getByRole('button', { name: 'Load' }));
    await waitFor(() => expect(outcomes()).toHaveLength(3));

    expect(outcomeTexts()).toEqual(['items of alice', 'orders of alice', 'profile of alice']);
    expect(world.auth.stats.refreshes).toBe(1);
    expect(world.auth.stats.refreshCalls.map((call) => call.outcome)).toEqual(['ok']);
    // Sent once each, all with the refreshed token: none went out with the expired one.
    expect(byUrl(world.auth.stats.requests)).toEqual(answered(200, tokenIdOf(pair(world, 1).accessToken)));
    expect(dialogs.inserted).toBe(0);
  });

  it('refreshes without a prompt when the server refuses the token: one refresh, each request replayed once', async () => {
    const world = await createWorld(server);
    render(<App world={world} names={names} />);
    const dialogs = countDialogs();
    world.auth.controls.expireAccessTokens(); // the session still thinks its token is good

    fireEvent.click(screen.getByRole('button', { name: 'Load' }));
    await waitFor(() => expect(outcomes()).toHaveLength(3));

    expect(outcomeTexts()).toEqual(['items of alice', 'orders of alice', 'profile of alice']);
    const { stats } = world.auth;
    expect(stats).toMatchObject({ refreshes: 1, logins: 0 });
    // Sent at most once with the refused token, by timing: a request that starts after the first 401 waits.
    expectEachResumedOnce(
      stats.requests,
      tokenIdOf(pair(world, 0).accessToken),
      tokenIdOf(pair(world, 1).accessToken),
    );
    expect(dialogs.inserted).toBe(0);
  });

  it('opens for a 401 while signed out and sends the request again once signed in', async () => {
    const world = await createWorld(server, { signedIn: false });
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
    const login = pair(world, 0);
    expect(decodeJwt(login.accessToken)?.sub).toBe('alice');
    expect(world.auth.stats.requests.map((r) => [r.status, r.hadToken, r.tokenId])).toEqual([
      [401, false, null],
      [200, true, tokenIdOf(login.accessToken)],
    ]);
    expect(world.auth.stats).toMatchObject({ logins: 1, refreshes: 0 });
    expect(screen.getByText('signed in as alice')).toBeTruthy();
  });
});
