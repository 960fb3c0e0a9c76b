import { isAxiosError } from 'axios';
import { type FormEvent, useId, useState } from 'react';
import type { SignInInput } from '../logIn';
import { STEP_UP } from '../mock/demo';
import { usePlayground } from '../usePlayground';
import { failureCode } from './failureCode';

interface StepUpFormProps {
  /** Called with the step-up's answer: a stronger access token, or with a cookie session `{ user }`. */
  onTokens(tokens: SignInInput): void;
  children?: React.ReactNode;
}

/** What a refused code tells the person at the form. */
function stepUpErrorMessage(error: unknown): string {
  if (isAxiosError<{ error?: string; error_description?: string }>(error)) {
    if (error.response?.data?.error === 'invalid_grant') return 'Wrong code. Try again.';
    if (error.response)
      return error.response.data?.error_description ?? `The server answered ${error.response.status}.`;
    return 'The server could not be reached. Try again.';
  }
  return `The step-up failed (${failureCode(error)}). Try again.`;
}

/**
 * The second factor: a one-time code → POST /auth/step-up (as the signed-in user: the request carries the
 * current token, or cookie) → a stronger access token (or, with a cookie session, `{ user }`).
 */
export function StepUpForm({ onTokens, children }: StepUpFormProps) {
  const { api } = usePlayground();
  const id = useId();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setIsBusy(true);
    setError(null);
    try {
      const { data } = await api.post<SignInInput>(STEP_UP.stepUpPath, { code });
      onTokens(data);
    } catch (failure) {
      setError(stepUpErrorMessage(failure));
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <form className="credentials" onSubmit={submit}>
      <label htmlFor={`${id}-code`}>One-time code</label>
      <input
        id={`${id}-code`}
        name="one-time-code"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
        value={code}
        onChange={(event) => setCode(event.target.value)}
        required
        aria-describedby={`${id}-hint`}
      />
      <p className="muted" id={`${id}-hint`} data-testid="step-up-hint">
        A demo: type <code>{STEP_UP.code}</code> (a real one comes from your authenticator app).
      </p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={isBusy}>
          {isBusy ? 'Verifying…' : 'Verify and resume'}
        </button>
        {children}
      </div>
    </form>
  );
}
