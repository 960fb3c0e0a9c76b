import { useAuth } from '@reauth/react';
import { useState } from 'react';
import type { ControlName } from '../mock/protocol';
import type { SessionModel } from '../model';
import type { Playground } from '../setup';
import { usePlayground, useSessionModel } from '../usePlayground';
import { AdminAction } from './AdminAction';
import { failureCode } from './failureCode';

interface BurstResult {
  ok: number;
  failed: Record<string, number>;
}

const BURST = 20;

/** Fires 20 requests at once and tells how they ended. */
function Burst() {
  const { api } = usePlayground();
  const [result, setResult] = useState<BurstResult | null>(null);
  const [isRunning, setIsRunning] = useState(false);

  async function fire() {
    setIsRunning(true);
    setResult(null);
    const settled = await Promise.allSettled(
      Array.from({ length: BURST }, (_, index) => api.get(`/pulse/${index + 1}`)),
    );
    const failed: Record<string, number> = {};
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        const code = failureCode(outcome.reason);
        failed[code] = (failed[code] ?? 0) + 1;
      }
    }
    setResult({ ok: settled.filter((outcome) => outcome.status === 'fulfilled').length, failed });
    setIsRunning(false);
  }

  return (
    <div className="burst">
      <button type="button" className="primary" onClick={fire} disabled={isRunning}>
        Fire {BURST} requests
      </button>
      <output data-testid="burst-result" data-ok={result?.ok} aria-live="polite">
        {isRunning && 'in flight…'}
        {result &&
          `${result.ok} / ${BURST} succeeded${Object.entries(result.failed)
            .map(([code, count]) => ` · ${count} × ${code}`)
            .join('')}`}
      </output>
    </div>
  );
}

/** A lever: one or more controls pulled on the mock server, in order. */
export interface Lever {
  label: string;
  hint: string;
  steps: { control: ControlName; args?: unknown[] }[];
}

/** The levers with both tokens in JS (the default model). */
export const LEVERS: readonly Lever[] = [
  {
    label: 'Expire access token',
    hint: 'The server now refuses the access token (401, error="invalid_token"), which the client still thinks valid.',
    steps: [{ control: 'expireAccessTokens' }],
  },
  {
    label: 'Revoke refresh token',
    // Revoking the refresh token alone shows nothing: the access token stays valid until it expires, and no
    // refresh is needed before then. So the lever expires it too, and the next request meets the refusal.
    hint: 'The server refuses the refresh token, and expires the access token too (alone, it would stay valid until it expires and nothing would show): the next request needs a refresh, which is refused (400 invalid_grant), and the login modal takes over.',
    steps: [{ control: 'revokeRefreshTokens' }, { control: 'expireAccessTokens' }],
  },
  {
    label: 'Next refresh fails (500)',
    hint: 'A transient fault: waiting requests fail with REFRESH_UNAVAILABLE, the session and its refresh token stay.',
    steps: [{ control: 'failNextRefresh', args: [1, 'server'] }],
  },
  {
    label: 'Next refresh hangs',
    hint: 'No answer at all: after 4 s the waiting requests fail with REFRESH_TIMEOUT; the session waits 4 s more for a late answer, then gives up on that refresh and keeps the refresh token.',
    steps: [{ control: 'failNextRefresh', args: [1, 'hang'] }],
  },
];

/** The levers of each session model: the same faults, said in the model's words. */
export const LEVERS_BY_MODEL: Record<SessionModel, readonly Lever[]> = {
  tokens: LEVERS,
  refresh: [
    {
      label: 'Expire access token',
      hint: 'The server now refuses the access token (401, error="invalid_token"), which the client still thinks valid: one refresh with the cookie, and the requests replay.',
      steps: [{ control: 'expireAccessTokens' }],
    },
    {
      label: 'Revoke refresh cookie',
      hint: 'The server refuses the refresh cookie, and expires the access token too (alone, it would stay valid until it expires and nothing would show): the refresh answers 400 invalid_grant and clears the cookie, and the login modal takes over.',
      steps: [{ control: 'revokeRefreshTokens' }, { control: 'expireAccessTokens' }],
    },
    {
      label: 'Next refresh fails (500)',
      hint: 'A transient fault: waiting requests fail with REFRESH_UNAVAILABLE, the session and its cookie stay.',
      steps: [{ control: 'failNextRefresh', args: [1, 'server'] }],
    },
    {
      label: 'Next refresh hangs',
      hint: 'No answer at all: after 4 s the waiting requests fail with REFRESH_TIMEOUT; the session waits 4 s more for a late answer, then gives up on that refresh; the cookie was not spent.',
      steps: [{ control: 'failNextRefresh', args: [1, 'hang'] }],
    },
  ],
  session: [
    {
      label: 'Expire session',
      hint: 'The server refuses the session cookie on the API (401, error="invalid_token") but can still renew it: one sliding refresh sets a new cookie, and the requests replay.',
      steps: [{ control: 'expireAccessTokens' }],
    },
    {
      label: 'End session',
      hint: 'The server ends the session (as a sign-out elsewhere or an admin would): the API and the sliding refresh both refuse the cookie (401), and the login modal takes over.',
      steps: [{ control: 'revokeRefreshTokens' }],
    },
    {
      label: 'Next refresh fails (500)',
      hint: 'A transient fault of the sliding refresh (pull "Expire session" too): the waiting requests fail with REFRESH_UNAVAILABLE, the cookie stays.',
      steps: [{ control: 'failNextRefresh', args: [1, 'server'] }],
    },
    {
      label: 'Next refresh hangs',
      hint: 'No answer from the sliding refresh (pull "Expire session" too): after 4 s the waiting requests fail with REFRESH_TIMEOUT; the session waits 4 s more for a late answer, then gives up on it.',
      steps: [{ control: 'failNextRefresh', args: [1, 'hang'] }],
    },
  ],
};

/** Pulls a lever's controls one after the other. */
async function pullLever(mockApi: Playground['mockApi'], lever: Lever): Promise<void> {
  for (const step of lever.steps) await mockApi.control(step.control, ...(step.args ?? []));
}

/** The levers on the mock server, and the request burst. */
export function Controls() {
  const { mockApi, queryClient } = usePlayground();
  const levers = LEVERS_BY_MODEL[useSessionModel()];
  const isAuthenticated = useAuth((auth) => auth.isAuthenticated);
  // Counted, so that pulling the same lever twice says so too.
  const [armed, setArmed] = useState<{ label: string; count: number }>({ label: '', count: 0 });
  const [failure, setFailure] = useState<string | null>(null);

  return (
    <section className="card controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Controls</h2>
      <p className="muted">Pull a lever, then make requests: refetch the dashboard or fire a burst.</p>
      <ul className="levers">
        {levers.map((lever) => (
          <li key={lever.label}>
            <button
              type="button"
              onClick={() =>
                pullLever(mockApi, lever).then(
                  () => setArmed((previous) => ({ label: lever.label, count: previous.count + 1 })),
                  (error: unknown) => setFailure(`${lever.label} failed: ${String(error)}`),
                )
              }
            >
              {lever.label}
            </button>
            <span className="muted">{lever.hint}</span>
          </li>
        ))}
      </ul>
      <p className="armed" aria-live="polite" data-testid="lever-done" data-count={armed.count}>
        {armed.count > 0 && `Done: ${armed.label.toLowerCase()}.`}
      </p>
      {failure && (
        <p className="form-error" role="alert">
          {failure}
        </p>
      )}
      <div className="request-actions">
        <button type="button" disabled={!isAuthenticated} onClick={() => queryClient.invalidateQueries()}>
          Refetch dashboard
        </button>
        <Burst />
      </div>
      <AdminAction />
    </section>
  );
}
