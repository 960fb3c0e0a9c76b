// One tab of an app whose credentials live in cookies the page never sees: `?cookies=refresh` (default: the
// refresh token in an httpOnly cookie, the access token in memory) or `?cookies=session` (a session cookie,
// no token in JS). A tiny React-free app renders the session: "loading" while restoring, a working login
// form when signed out, the app when signed in, a "sign in again" notice while a prompt is open.
import { createSession, type SessionState } from '@reauth/core';
import { createAuthFetch } from '@reauth/fetch';

// Every element the app ever puts on the page, recorded from before the session exists: a login form shown
// for a single frame (added and removed in one task) is recorded too.
const shown: string[] = [];
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) if (node instanceof HTMLElement && node.id) shown.push(node.id);
  }
}).observe(document.body, { childList: true, subtree: true });

const model = new URLSearchParams(location.search).get('cookies') === 'session' ? 'session' : 'refresh';
const events: string[] = [];
const statuses: SessionState['status'][] = [];
let refreshCalls = 0;
const session =
  model === 'refresh'
    ? createSession({
        cookies: 'refresh',
        // No refresh token in JS: the browser sends the httpOnly cookie with the request.
        refresh: async ({ signal }) => {
          refreshCalls++;
          const response = await fetch('/auth/refresh', { method: 'POST', credentials: 'include', signal });
          if (!response.ok) throw response;
          return response.json();
        },
        autoRefresh: false, // the test decides when tokens expire: the server says so, the clock does not
      })
    : createSession({ cookies: 'session', autoRefresh: false });
const authFetch = createAuthFetch(session);
session.on('*', (event) => void events.push(event.type));

/** Prompts opened in this tab; none answers by itself (the user would): a sign-in elsewhere ends them. */
const prompts: { reason: string; isAborted: boolean }[] = [];
session.onReauth(({ reason, signal }) => {
  const prompt = { reason, isAborted: false };
  prompts.push(prompt);
  signal.addEventListener('abort', () => {
    prompt.isAborted = true;
  });
  return new Promise(() => {});
});

async function signIn(username: string, password: string): Promise<number> {
  const response = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    credentials: 'include',
  });
  // refresh: { accessToken, expiresIn, tokenType }; session: { user } — both are what signIn takes as they are.
  if (response.ok) session.signIn(await response.json());
  return response.status;
}

const root = document.createElement('main');
document.body.append(root);

function loginForm(): HTMLFormElement {
  const form = document.createElement('form');
  form.id = 'login-form';
  const username = Object.assign(document.createElement('input'), { name: 'username' });
  const password = Object.assign(document.createElement('input'), { name: 'password', type: 'password' });
  const submit = Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Sign in' });
  form.append(username, password, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn(username.value, password.value);
  });
  return form;
}

/** A screen that is only text. */
function textScreen(tag: 'p' | 'section', id: string, text: string): HTMLElement {
  return Object.assign(document.createElement(tag), { id, textContent: text });
}

const screens: Record<SessionState['status'], string> = {
  restoring: 'loading',
  signedOut: 'login-form',
  reauthRequired: 'reauth',
  signedIn: 'app',
  refreshing: 'app',
};

function render(state: SessionState): void {
  if (statuses.at(-1) !== state.status) statuses.push(state.status);
  const id = screens[state.status];
  const current = root.firstElementChild;
  if (current?.id === id) {
    if (id === 'app') current.textContent = `Signed in as ${String(state.user?.sub)}`;
    return;
  }
  root.replaceChildren(
    id === 'login-form'
      ? loginForm()
      : id === 'loading'
        ? textScreen('p', id, 'Loading…')
        : id === 'reauth'
          ? textScreen('section', id, 'Your session ended: sign in again')
          : textScreen('section', id, `Signed in as ${String(state.user?.sub)}`),
  );
}
render(session.getState());
session.subscribe(render);

const app = {
  model,
  state: () => session.getState(),
  /** Every status this document's session has been in, from its first one, without repeats in a row. */
  statuses: () => statuses,
  /** The id of every element the app has rendered since this document's first script ran. */
  shown: () => shown,
  /** The id of the element on screen now. */
  screen: () => root.firstElementChild?.id ?? null,
  events: () => events,
  prompts: () => prompts,
  refreshes: () => refreshCalls,
  accessToken: () => session.getAccessToken(),
  signIn,
  /** Fires `count` requests at once; each settles to its status, or the error code it rejected with. */
  burst: (count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        authFetch(`/api/items/${i + 1}`).then(
          (response) => response.status,
          (error: { code?: string; name?: string }) => error.code ?? error.name ?? 'error',
        ),
      ),
    ),
};
Object.assign(window, { app });
document.title = 'ready';
