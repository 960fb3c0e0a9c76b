// What the page needs to know of the mock API without loading it (it runs in a SharedWorker).

/** The two demo users: the sign-in card offers both. */
export const DEMO_USERS = [
  { username: 'alice', password: 'wonderland', roles: ['user'], title: 'Alice — user' },
  { username: 'bob', password: 'builder', roles: ['user', 'admin'], title: 'Bob — user + admin' },
] as const;

/** Where the mock API lives: the page's own origin, so the session's default allowed origin covers it. */
export const apiBase = (origin: string) => `${origin}/api`;
