import { type ReauthPrompt, useReauthPrompt } from '@reauth/react';
import { type AxiosInstance, isAxiosError } from 'axios';
import { type FormEvent, useState } from 'react';

// A copy of packages/react's test login modal (the README section "A login modal that resumes your
// requests"): test folders do not import each other.

/** Opens when a refresh is refused (once, however many requests wait) and resumes them on sign-in. */
export function LoginModal({ api }: { api: AxiosInstance }) {
  const { isOpen, reason, complete, dismiss } = useReauthPrompt();
  if (!isOpen) return null;
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="login-title">
      <h2 id="login-title">
        {reason === 'unauthenticated' ? 'Sign in to continue' : 'Your session expired'}
      </h2>
      {/* A new form per opening: no error or half-typed password left from the last one. */}
      <LoginForm api={api} onTokens={complete} onCancel={dismiss} />
    </div>
  );
}

interface LoginFormProps {
  api: AxiosInstance;
  onTokens: ReauthPrompt['complete'];
  onCancel: ReauthPrompt['dismiss'];
}

function LoginForm({ api, onTokens, onCancel }: LoginFormProps) {
  const [error, setError] = useState<string | null>(null);
  const [isPending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    try {
      // skipAuth: the login call must not wait for the re-authentication it is part of.
      const { data } = await api.post(
        '/auth/login',
        { username: form.get('username'), password: form.get('password') },
        { skipAuth: true },
      );
      onTokens(data); // every waiting request is replayed with the new token; the modal closes
    } catch (failure) {
      setPending(false);
      setError(
        isAxiosError(failure) && failure.response?.status === 401
          ? 'Wrong username or password.'
          : 'Could not sign in; try again.',
      );
    }
  }

  return (
    <form onSubmit={onSubmit}>
      <label>
        Username <input name="username" autoComplete="username" required />
      </label>
      <label>
        Password <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={isPending}>
        Sign in
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
