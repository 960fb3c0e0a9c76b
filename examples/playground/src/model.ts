// The three places an app keeps its credentials (DESIGN.md, "Session models"), as the playground offers them.

/** Where the credentials live: `createSession`'s `cookies` option, with `tokens` for its default (absent). */
export type SessionModel = 'tokens' | 'refresh' | 'session';

/** The default model: both tokens held by JavaScript (`createSession` without `cookies`). */
export const DEFAULT_MODEL: SessionModel = 'tokens';

/** Each model: its name in the switch, and one line on where the credentials live and what the user gains. */
export const SESSION_MODELS: readonly { model: SessionModel; label: string; line: string }[] = [
  {
    model: 'tokens',
    label: 'Tokens in JS',
    line: 'Access and refresh token in JavaScript memory: works with any API, any origin; a script injected into the page could read them, and a reload signs you out.',
  },
  {
    model: 'refresh',
    label: 'Refresh cookie',
    line: 'Access token in memory, refresh token in an httpOnly cookie JavaScript never sees: an injected script cannot take the long-lived credential, and a reload restores the session with one silent refresh.',
  },
  {
    model: 'session',
    label: 'Cookie session',
    line: 'No token in JavaScript at all: the browser sends an httpOnly session cookie, no Authorization header; sessionStorage keeps only who you are, so a reload starts signed in.',
  },
];

const isModel = (value: string | null): value is SessionModel =>
  SESSION_MODELS.some((entry) => entry.model === value);

/** The model a page's URL asks for (`?model=refresh`); the default for none or an unknown one. */
export function modelOf(search: string): SessionModel {
  const asked = new URLSearchParams(search).get('model');
  return isModel(asked) ? asked : DEFAULT_MODEL;
}

/** `href` switched to `model`: the default model drops the parameter, so the plain URL stays the default. */
export function urlForModel(href: string, model: SessionModel): string {
  const url = new URL(href);
  if (model === DEFAULT_MODEL) url.searchParams.delete('model');
  else url.searchParams.set('model', model);
  return url.href;
}

/** What a reload shows in each model (beside the "Reload" button). */
export const RELOAD_OUTCOME: Record<SessionModel, string> = {
  tokens:
    'Signed out after it: the tokens were in this page’s memory (an open tab of this model hands them back).',
  refresh: '“restoring…”, then signed in: one silent refresh with the httpOnly cookie, and no login form.',
  session: 'Signed in at once: sessionStorage remembers who you are, and the browser still holds the cookie.',
};
