import { useAuth, useReauthPrompt } from '@reauth/react';
import { useEffect, useRef } from 'react';
import { CredentialsForm } from './CredentialsForm';

const REASONS = {
  refresh_rejected: 'Your session expired and could not be renewed.',
  no_refresh_token: 'Your session expired.',
  unauthenticated: 'This needs you to be signed in.',
  step_up: 'This action needs a stronger sign-in.',
} as const;

/**
 * The login modal: `useReauthPrompt` opens it when a refresh is refused; the requests behind it wait, and
 * resume as soon as the sign-in succeeds. Cancel fails them with REAUTH_CANCELLED and signs out.
 */
export function LoginModal() {
  const { isOpen, reason, complete, dismiss } = useReauthPrompt();
  const username = useAuth((auth) => (typeof auth.user?.sub === 'string' ? auth.user.sub : ''));
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (isOpen && !element.open) {
      element.showModal();
      // The username is filled in for the user who was signed in: the password is what is left to type.
      element.querySelector<HTMLInputElement>(username ? 'input[type="password"]' : 'input')?.focus();
    }
    if (!isOpen && element.open) element.close();
  }, [isOpen, username]);

  return (
    <dialog
      ref={dialog}
      className="login-modal"
      aria-labelledby="login-modal-title"
      // Escape closes a <dialog>: that is a dismissal too.
      onCancel={(event) => {
        event.preventDefault();
        dismiss();
      }}
    >
      {isOpen && (
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
