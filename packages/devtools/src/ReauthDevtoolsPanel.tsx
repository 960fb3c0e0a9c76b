import type { EventLogEntry, Session } from '@reauth/core';
import { useState } from 'react';
import { clockTime, summary, timeToExpiry, waitingCount } from './format';
import { useEventLog, useNow, useSessionState } from './hooks';
import { corner, type DevtoolsPosition, STATUS_COLORS, styles } from './styles';

/** Props of `ReauthDevtools` (and of the panel it renders in development). */
export interface ReauthDevtoolsProps {
  /** The session to show, from `createSession`. */
  session: Session;
  /** Whether the panel starts open. Default false: only the toggle button shows. */
  initialIsOpen?: boolean;
  /** The corner the toggle and the panel sit in. Default `'bottom-right'`. */
  position?: DevtoolsPosition;
  /** How many events the timeline keeps. Default 100. */
  size?: number;
}

/**
 * The devtools panel itself, in every build. Mount `ReauthDevtools` instead: it is this panel in development
 * and nothing in production.
 */
export function ReauthDevtoolsPanel({
  session,
  initialIsOpen = false,
  position = 'bottom-right',
  size = 100,
}: ReauthDevtoolsProps) {
  const [isOpen, setIsOpen] = useState(initialIsOpen);
  const state = useSessionState(session);
  const { entries, log } = useEventLog(session, size);
  const now = useNow(isOpen && state.expiresAt !== null);
  const isWaiting = state.status === 'refreshing' || state.status === 'reauthRequired';
  const waiting = isWaiting ? waitingCount(entries) : 0;
  const sub = state.user?.sub;

  return (
    <div data-reauth-devtools="" style={corner(position, 12)}>
      {isOpen && (
        <section aria-label="reauth devtools" style={{ ...styles.panel, marginBottom: 8 }}>
          <header style={styles.header}>
            <strong>reauth</strong>
            <button type="button" style={styles.button} onClick={() => log?.clear()}>
              Clear events
            </button>
          </header>
          <dl style={styles.facts}>
            <Fact term="Status" value={state.status} />
            <Fact term="User" value={state.user ? (typeof sub === 'string' ? sub : 'no sub claim') : '—'} />
            <Fact
              term="Expires"
              value={state.status === 'signedOut' ? '—' : timeToExpiry(state.expiresAt, now)}
            />
            <Fact term="Waiting" value={`${waiting} request${waiting === 1 ? '' : 's'}`} />
            {state.error && <Fact term="Last error" value={state.error.code} />}
          </dl>
          <Timeline entries={entries} />
        </section>
      )}
      <button
        type="button"
        aria-expanded={isOpen}
        aria-label={isOpen ? 'Close reauth devtools' : 'Open reauth devtools'}
        style={{ ...styles.toggle, marginLeft: position.endsWith('right') ? 'auto' : 0 }}
        onClick={() => setIsOpen(!isOpen)}
      >
        <span style={{ ...styles.dot, background: STATUS_COLORS[state.status] }} />
        reauth · {state.status}
      </button>
    </div>
  );
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <>
      <dt style={styles.term}>{term}</dt>
      <dd style={styles.value}>{value}</dd>
    </>
  );
}

function Timeline({ entries }: { entries: readonly EventLogEntry[] }) {
  if (!entries.length) return <p style={styles.empty}>No events yet.</p>;
  return (
    <ol aria-label="events" style={styles.timeline}>
      {[...entries].reverse().map((entry) => (
        <li key={entry.seq} style={styles.row}>
          <span style={styles.time}>{clockTime(entry.at)}</span>
          <span style={styles.type}>{entry.type}</span>
          <span>{summary(entry)}</span>
          {entry.type === 'unauthorized' && (
            <div style={styles.diagnosis}>
              {entry.diagnosis.cause} — {entry.diagnosis.hint}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}
