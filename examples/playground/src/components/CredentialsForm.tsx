import { type FormEvent, useId, useState } from 'react';
import { logIn, loginErrorMessage, type SignInInput } from '../logIn';
import { usePlayground } from '../usePlayground';

interface CredentialsFormProps {
  /** Called with the login's answer: tokens, or with a cookie session `{ user }`. */
  onTokens(tokens: SignInInput): void;
  initialUsername?: string;
  initialPassword?: string;
  submitLabel: string;
  children?: React.ReactNode;
}

/** Username + password → POST /auth/login → tokens (or `{ user }`); shows what went wrong, in words. */
export function CredentialsForm({
  onTokens,
  initialUsername = '',
  initialPassword = '',
  submitLabel,
  children,
}: CredentialsFormProps) {
  const { api } = usePlayground();
  const id = useId();
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState(initialPassword);
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setIsBusy(true);
    setError(null);
    try {
      onTokens(await logIn(api, username, password));
    } catch (failure) {
      setError(loginErrorMessage(failure));
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <form className="credentials" onSubmit={submit}>
      <label htmlFor={`${id}-user`}>Username</label>
      <input
        id={`${id}-user`}
        autoComplete="username"
        value={username}
        onChange={(event) => setUsername(event.target.value)}
        required
      />
      <label htmlFor={`${id}-password`}>Password</label>
      <input
        id={`${id}-password`}
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        required
      />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={isBusy}>
          {isBusy ? 'Signing in…' : submitLabel}
        </button>
        {children}
      </div>
    </form>
  );
}
