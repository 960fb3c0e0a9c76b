import { useAuth } from '@reauth/react';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { usePlayground } from '../usePlayground';

const STATUS_TEXT = {
  restoring: 'restoring…',
  signedOut: 'signed out',
  signedIn: 'signed in',
  refreshing: 'refreshing…',
  reauthRequired: 'sign-in needed',
} as const;

function useExpiresIn(): number | null {
  const { session } = usePlayground();
  const expiresAt = useSyncExternalStore(session.subscribe, () => session.getState().expiresAt);
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (expiresAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [expiresAt]);
  return expiresAt === null ? null : Math.max(0, expiresAt - now);
}

const clock = (ms: number) => {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

/** The title bar: the session's status, the user and roles, when the token expires (as the client knows it). */
export function SessionHeader() {
  const { status, user, signOut } = useAuth();
  const expiresIn = useExpiresIn();
  const roles = Array.isArray(user?.roles) ? user.roles.join(', ') : '';

  return (
    <header className="topbar">
      <h1>
        reauth <span className="muted">playground</span>
      </h1>
      <div className="session-summary">
        <span className={`status status-${status}`} data-testid="session-status" data-status={status}>
          {STATUS_TEXT[status]}
        </span>
        {user && (
          <span data-testid="user">
            <strong>{String(user.sub)}</strong> <span className="muted">({roles})</span>
          </span>
        )}
        {expiresIn !== null && (
          <span className="muted" title="As the client knows it: the server may expire a token sooner">
            token expires in {clock(expiresIn)}
          </span>
        )}
        <a href={location.href} target="_blank" rel="noopener">
          Open another tab
        </a>
        {status !== 'signedOut' && (
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}
