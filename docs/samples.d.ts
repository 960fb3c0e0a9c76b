// The variables the documentation's samples share without declaring them, as a guide's reader has them from
// "Getting started". test/docs/samples.test.ts compiles every ```ts / ```tsx block of README.md, the package
// READMEs and docs/**/*.md with this file; a block that needs anything else declares or imports it. Keep this
// list short: each name here is one a block can use without the checker asking where it comes from.

/** A session made with `createSession` (any model). */
declare const session: import('@reauth/core').Session;
/** An axios instance with `attachAuth(api, session)`. */
declare const api: import('axios').AxiosInstance;
/** `createAuthFetch(session, { allowedOrigins: [API] })`. */
declare const authFetch: import('@reauth/fetch').AuthFetch;
/** A TanStack Query client, connected with `connectQueryClient(queryClient, session)`. */
declare const queryClient: import('@tanstack/react-query').QueryClient;
/** The API's origin, `'https://api.example.com'`. */
declare const API: string;
/** What the user typed in the login form. */
declare const username: string;
declare const password: string;

/** Your login form, opened from a reauth handler; resolves null when the user closes it. */
declare function openLoginModal(options: {
  signal: AbortSignal;
}): Promise<{ username: string; password: string } | null>;
/** A query function of your app. */
declare function fetchItems(): Promise<{ id: number; name: string }[]>;
/** Where an app keeps what it logs. */
declare const timeline: import('@reauth/core').AuthEvent[];
/** Your "report a problem" flow. */
declare const report: { attach(name: string, content: string): void };

// The app's own components, as the React samples mount them.
declare function App(): import('react').JSX.Element;
declare function LoginModal(props: {
  api: import('axios').AxiosInstance;
}): import('react').JSX.Element | null;
declare function LoginPage(): import('react').JSX.Element;
declare function Dashboard(): import('react').JSX.Element;
declare function AdminPanel(): import('react').JSX.Element;
declare function Spinner(): import('react').JSX.Element;
