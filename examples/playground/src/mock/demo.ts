// What the page needs to know of the mock API without loading it (it runs in a SharedWorker).

/** The two demo users: the sign-in card offers both. */
export const DEMO_USERS = [
  { username: 'alice', password: 'wonderland', roles: ['user'], title: 'Alice — user' },
  { username: 'bob', password: 'builder', roles: ['user', 'admin'], title: 'Bob — user + admin' },
] as const;

/** Where the mock API lives: the page's own origin, so the session's default allowed origin covers it. */
export const apiBase = (origin: string) => `${origin}/api`;

/**
 * Step-up (RFC 9470): the admin action asks for `acr=mfa`, an MFA sign-in no older than `maxAge` seconds; the
 * one-time code the mock accepts is shown in the modal (a demo: a real one comes from an authenticator app).
 */
export const STEP_UP = {
  acr: 'mfa',
  maxAge: 300,
  code: '123456',
  /** The admin action that needs it (under the API's base). */
  actionPath: '/admin/audit/export',
  /** Where the modal sends the code (under the API's base). */
  stepUpPath: '/auth/step-up',
} as const;
