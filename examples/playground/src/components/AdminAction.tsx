import { useAuth } from '@reauth/react';
import { useRef, useState } from 'react';
import { STEP_UP } from '../mock/demo';
import { usePlayground } from '../usePlayground';
import { failureCode } from './failureCode';

interface Attempt {
  id: number;
  state: 'pending' | 'ok' | 'failed';
  /** The failure's code (an AuthError's, or the HTTP status). */
  code?: string;
}

// The last few clicks are enough to see how each ended (and that concurrent ones ended together).
const KEPT = 4;

const TEXT: Record<Attempt['state'], string> = { pending: 'in flight…', ok: '✓ exported', failed: '✗' };

/**
 * A request that needs a stronger sign-in (RFC 9470 step-up): the server answers 401
 * `insufficient_user_authentication`, `acr_values="mfa"`, until the token (or cookie session) comes from a sign-in
 * with a one-time code. No refresh; the login modal asks for the code; only this request waits.
 */
export function AdminAction() {
  const { api } = usePlayground();
  const isAuthenticated = useAuth((auth) => auth.isAuthenticated);
  const isAdmin = useAuth((auth) => auth.hasRole('admin'));
  const [attempts, setAttempts] = useState<Attempt[]>([]);
  const nextId = useRef(1);

  async function run() {
    const id = nextId.current++;
    const settle = (update: Omit<Attempt, 'id'>) =>
      setAttempts((previous) => previous.map((attempt) => (attempt.id === id ? { id, ...update } : attempt)));
    setAttempts((previous) => [...previous, { id, state: 'pending' as const }].slice(-KEPT));
    try {
      await api.post(STEP_UP.actionPath);
      settle({ state: 'ok' });
    } catch (error) {
      settle({ state: 'failed', code: failureCode(error) });
    }
  }

  const reason = !isAuthenticated ? 'Sign in first.' : !isAdmin ? 'Admins only: sign in as bob.' : null;
  return (
    <div className="admin-action">
      <button type="button" onClick={run} disabled={reason !== null}>
        Admin action (needs MFA)
      </button>
      <span className="muted">
        {reason ?? (
          <>
            <code>POST /api{STEP_UP.actionPath}</code> wants <code>acr={STEP_UP.acr}</code>: the server
            answers 401 <code>insufficient_user_authentication</code>. No refresh: the modal asks for a
            one-time code, and only this request waits (click twice: one modal for both). The MFA lasts for
            the token (or session) the code gave: after a refresh the server asks again.
          </>
        )}
      </span>
      <ul className="admin-attempts" data-testid="admin-attempts" aria-live="polite">
        {attempts.map((attempt) => (
          <li
            key={attempt.id}
            data-testid="admin-attempt"
            data-state={attempt.state}
            data-code={attempt.code ?? ''}
          >
            #{attempt.id} {TEXT[attempt.state]}
            {attempt.code && ` ${attempt.code}`}
          </li>
        ))}
      </ul>
    </div>
  );
}
