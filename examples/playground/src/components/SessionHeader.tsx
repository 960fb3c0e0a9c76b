import type { Session } from '@reauth/core';
import { useAuth } from '@reauth/react';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { REFRESH_TIMEOUT_MS } from '../setup';
import { usePlayground, useSessionModel } from '../usePlayground';

const STATUS_TEXT = {
  restoring: 'restoring…',
  signedOut: 'signed out',
  signedIn: 'signed in',
  refreshing: 'refreshing…',
  reauthRequired: 'sign-in needed',
} as const;

/** Time left on the access token, as the client knows it; read against the clock on every render. */
export function useExpiresIn(session: Session): number | null {
  const expiresAt = useSyncExternalStore(session.subscribe, () => session.getState().expiresAt);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (expiresAt === null) return;
    const timer = setInterval(() => setTick((tick) => tick + 1), 1_000);
    return () => clearInterval(timer);
  }, [expiresAt]);
  // Date.now() here, not a `now` kept in state: a new expiresAt (a sign-in, a refresh) is shown against the
  // clock of that render, never against the last tick's (which read "5:07" for a 5-minute token).
  return expiresAt === null ? null : Math.max(0, expiresAt - Date.now());
}

/**
 * Whether the refresh in flight has passed its timeout: the waiting requests failed with REFRESH_TIMEOUT, the
 * session still waits for a late answer (the grace period, as long again) before it gives up on the refresh.
 * From the session's own events and state: `timeoutMs` after this tab's `refreshStart`, while still `refreshing`.
 */
export function useRefreshOverdue(session: Session, timeoutMs: number): boolean {
  const status = useSyncExternalStore(session.subscribe, () => session.getState().status);
  const [isOverdue, setIsOverdue] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    const stop = session.on('refreshStart', () => {
      clearTimeout(timer.current);
      setIsOverdue(false);
      timer.current = setTimeout(() => setIsOverdue(true), timeoutMs);
    });
    return () => {
      stop();
      clearTimeout(timer.current);
    };
  }, [session, timeoutMs]);
  useEffect(() => {
    if (status === 'refreshing') return;
    // The refresh ended (in time or after the grace period): no flag left for the next one.
    clearTimeout(timer.current);
    setIsOverdue(false);
  }, [status]);
  return isOverdue && status === 'refreshing';
}

const clock = (ms: number) => {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

const seconds = (ms: number) => `${ms / 1000} s`;

/**
 * The title bar: the session's status, the user and roles, when the token expires (as the client knows it) — or,
 * with a cookie session, that there is no token to expire.
 */
export function SessionHeader() {
  const { session, signOut } = usePlayground();
  const model = useSessionModel();
  const { status, user, isAuthenticated } = useAuth();
  const expiresIn = useExpiresIn(session);
  const isOverdue = useRefreshOverdue(session, REFRESH_TIMEOUT_MS);
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
        {isOverdue && (
          <span className="muted" data-testid="refresh-grace">
            requests released at {seconds(REFRESH_TIMEOUT_MS)} (REFRESH_TIMEOUT); waiting up to{' '}
            {seconds(REFRESH_TIMEOUT_MS)} more for a late answer
          </span>
        )}
        {user && (
          <span data-testid="user">
            <strong>{String(user.sub)}</strong> <span className="muted">({roles})</span>
          </span>
        )}
        {model === 'session' && user && (
          <span
            className="muted"
            data-testid="session-cookie"
            title="No token in JavaScript: the server decides when the session cookie expires"
          >
            session cookie
          </span>
        )}
        {model !== 'session' && expiresIn !== null && (
          <span
            className="muted"
            data-testid="expires-in"
            title="As the client knows it: the server may expire a token sooner"
          >
            token expires in {clock(expiresIn)}
          </span>
        )}
        <a href={location.href} target="_blank" rel="noopener">
          Open another tab
        </a>
        {/* Only when there is a session to end: a signed-out user's burst opens the prompt, not a session. */}
        {(isAuthenticated || user !== null) && (
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}
