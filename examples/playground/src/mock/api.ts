import { type CookieModel, createMockAuthServer, type MockAuthServer } from '@reauth/msw';
import { delay, HttpResponse, http } from 'msw';
import type { SessionModel } from '../model';
import { apiBase, DEMO_USERS, STEP_UP } from './demo';

// A believable API answers in tens to hundreds of milliseconds: enough for the timeline to draw the sends.
const latency = () => delay(120 + Math.round(Math.random() * 180));

const PROJECTS = [
  { id: 1, name: 'Checkout rewrite', status: 'on track' },
  { id: 2, name: 'Search relevance', status: 'at risk' },
  { id: 3, name: 'Mobile onboarding', status: 'done' },
];

/** The backend of one session model: the kit's routes and controls, and the app's resources. */
export type PlaygroundApi = MockAuthServer<CookieModel | undefined>;

/**
 * The playground's whole backend: the @reauth/msw kit (login, rotating refresh, reuse detection) and the
 * app's resources behind `protect()`, for one session model (`tokens`: the kit's default, tokens in the JSON
 * bodies; else its `cookies` option). Runs in a SharedWorker, so every tab of the playground talks to one
 * server, as tabs of a real app talk to one backend.
 */
export function createPlaygroundApi(origin: string, model: SessionModel = 'tokens'): PlaygroundApi {
  const base = apiBase(origin);
  const realm = 'reauth-playground';
  const auth: PlaygroundApi = createMockAuthServer<CookieModel | undefined>({
    baseUrl: base,
    // Bob, the admin, can step up (RFC 9470) with the demo's one-time code: the kit serves the step-up route.
    users: DEMO_USERS.map(({ username, password, roles }) => ({
      username,
      password,
      roles: [...roles],
      ...(username === 'bob' ? { otp: STEP_UP.code } : {}),
    })),
    // Long enough that the background refresh (at half the lifetime) stays out of a demo's way.
    accessTokenTtlMs: 5 * 60_000,
    realm,
    paths: { stepUp: STEP_UP.stepUpPath },
    ...(model === 'tokens' ? {} : { cookies: model }),
  });
  const protectedRoutes = [
    auth.protect(
      http.get(`${base}/profile`, async ({ request }) => {
        await latency();
        // Who asks, as the server knows it: from the bearer token, or from the session cookie (which the app's
        // own handlers cannot read themselves: the kit's userOf does).
        const user = await auth.userOf(request);
        return HttpResponse.json({ plan: 'Team', seats: 12, memberSince: '2024-03-01', user: user?.sub });
      }),
    ),
    auth.protect(
      http.get(`${base}/projects`, async () => {
        await latency();
        return HttpResponse.json(PROJECTS);
      }),
    ),
    auth.protect(
      http.get(`${base}/notifications`, async () => {
        await latency();
        return HttpResponse.json([
          { id: 1, text: 'Deploy #412 finished' },
          { id: 2, text: 'Search relevance is at risk' },
        ]);
      }),
    ),
    auth.protect(
      http.get(`${base}/admin/audit`, async () => {
        await latency();
        return HttpResponse.json([
          { id: 1, who: 'bob', what: 'rotated the signing key' },
          { id: 2, who: 'alice', what: 'signed in from a new device' },
        ]);
      }),
      { roles: ['admin'] },
    ),
    // The admin action that needs an MFA sign-in no older than max_age (RFC 9470 step-up): the kit answers the
    // challenge, and its step-up route (the one-time code) signs the `acr: 'mfa'` credentials that pass it.
    auth.protect(
      http.post(`${base}${STEP_UP.actionPath}`, async () => {
        await latency();
        return HttpResponse.json({ exported: 2, acr: STEP_UP.acr });
      }),
      { roles: ['admin'], acr: STEP_UP.acr, maxAge: STEP_UP.maxAge },
    ),
    auth.protect(
      http.get(`${base}/pulse/:n`, async ({ params }) => {
        await latency();
        return HttpResponse.json({ n: Number(params.n) });
      }),
    ),
  ];
  return { ...auth, handlers: [...auth.handlers, ...protectedRoutes] };
}
