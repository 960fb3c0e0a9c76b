import { useAuth, useReauthPrompt } from '@reauth/react';
import { useEffect, useRef } from 'react';
import { CredentialsForm } from './CredentialsForm';
import { StepUpForm } from './StepUpForm';

const REASONS = {
  refresh_rejected: 'Your session expired and could not be renewed.',
  no_refresh_token: 'Your session expired.',
  unauthenticated: 'This needs you to be signed in.',
  step_up: 'This action needs a stronger sign-in.',
} as const;

/** `max_age` in words: "5 min", or seconds when it is not whole minutes. */
const duration = (seconds: number) =>
  seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

/** What the resource asked for (the challenge's `acr_values` and `max_age`), as the modal says it. */
function AskedFor({ acrValues, maxAge }: { acrValues: readonly string[]; maxAge: number | undefined }) {
  return (
    <p data-testid="step-up-asked" data-acr={acrValues.join(' ')} data-max-age={maxAge ?? ''}>
      The server asks for{' '}
      {acrValues.length > 0 ? (
        <>
          <code>acr_values="{acrValues.join(' ')}"</code> (a sign-in with a one-time code)
        </>
      ) : (
        'a stronger sign-in'
      )}
      {maxAge !== undefined && (
        <>
          , no older than {duration(maxAge)} (<code>max_age={maxAge}</code>)
        </>
      )}
      . Only the requests that asked for it wait; the rest of the app goes on, signed in.
    </p>
  );
}

/**
 * The login modal: `useReauthPrompt` opens it when a refresh is refused; the requests behind it wait, and
 * resume as soon as the sign-in succeeds. Cancel fails them with REAUTH_CANCELLED and signs out.
 * A step-up (`reason: 'step_up'`, RFC 9470) asks for a one-time code instead: it resumes only the requests that
 * asked for it, and Cancel fails only them, with STEP_UP_CANCELLED; the session stays signed in either way.
 */
export function LoginModal() {
  const { isOpen, reason, acrValues, maxAge, complete, dismiss } = useReauthPrompt();
  const username = useAuth((auth) => (typeof auth.user?.sub === 'string' ? auth.user.sub : ''));
  const dialog = useRef<HTMLDialogElement>(null);
  const isStepUp = reason === 'step_up';

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (isOpen && !element.open) {
      element.showModal();
      // The username is filled in for the user who was signed in: the password (or the code) is what is left.
      const first = isStepUp ? 'input' : username ? 'input[type="password"]' : 'input';
      element.querySelector<HTMLInputElement>(first)?.focus();
    }
    if (!isOpen && element.open) element.close();
  }, [isOpen, isStepUp, username]);

  return (
    <dialog
      ref={dialog}
      className="login-modal"
      aria-labelledby="login-modal-title"
      data-reason={reason ?? ''}
      // Escape closes a <dialog>: that is a dismissal too.
      onCancel={(event) => {
        event.preventDefault();
        dismiss();
      }}
    >
      {isOpen && isStepUp && (
        <>
          <h2 id="login-modal-title">Verify it’s you</h2>
          <p>{REASONS.step_up}</p>
          <AskedFor acrValues={acrValues} maxAge={maxAge} />
          <StepUpForm onTokens={complete}>
            <button type="button" onClick={dismiss}>
              Cancel
            </button>
          </StepUpForm>
        </>
      )}
      {isOpen && !isStepUp && (
        <>
          <h2 id="login-modal-title">Sign in to continue</h2>
          <p>
            {reason ? REASONS[reason] : null} Your requests are waiting and will resume after you sign in.
          </p>
          <CredentialsForm onTokens={complete} initialUsername={username} submitLabel="Sign in and resume">
            <button type="button" onClick={dismiss}>
              Cancel
            </button>
          </CredentialsForm>
        </>
      )}
    </dialog>
  );
}
