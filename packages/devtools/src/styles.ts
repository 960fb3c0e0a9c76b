import type { CSSProperties } from 'react';

/** Where the toggle and the panel sit. */
export type DevtoolsPosition = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

const font = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

/** Fixed to a corner of the viewport, above the app. */
export function corner(position: DevtoolsPosition, offset: number): CSSProperties {
  const [vertical, horizontal] = position.split('-') as ['top' | 'bottom', 'left' | 'right'];
  return { position: 'fixed', [vertical]: offset, [horizontal]: 12, zIndex: 2147483000, fontFamily: font };
}

export const STATUS_COLORS: Record<string, string> = {
  signedIn: '#3fb950',
  refreshing: '#d29922',
  reauthRequired: '#f85149',
  signedOut: '#8b949e',
};

export const styles = {
  toggle: {
    display: 'flex',
    alignItems: 'center',
    gap: 6,
    padding: '6px 10px',
    border: '1px solid #30363d',
    borderRadius: 999,
    background: '#0d1117',
    color: '#e6edf3',
    fontSize: 12,
    fontFamily: font,
    cursor: 'pointer',
  },
  dot: { width: 8, height: 8, borderRadius: '50%' },
  panel: {
    width: 380,
    maxWidth: 'calc(100vw - 24px)',
    maxHeight: '50vh',
    display: 'flex',
    flexDirection: 'column',
    border: '1px solid #30363d',
    borderRadius: 8,
    background: '#0d1117',
    color: '#e6edf3',
    fontSize: 12,
    lineHeight: 1.4,
    fontFamily: font,
    boxShadow: '0 8px 24px rgba(0, 0, 0, 0.4)',
    overflow: 'hidden',
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    padding: '6px 10px',
    borderBottom: '1px solid #30363d',
  },
  button: {
    padding: '2px 8px',
    border: '1px solid #30363d',
    borderRadius: 4,
    background: 'transparent',
    color: 'inherit',
    font: 'inherit',
    cursor: 'pointer',
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: '2px 12px',
    margin: 0,
    padding: '8px 10px',
    borderBottom: '1px solid #30363d',
  },
  term: { color: '#8b949e' },
  value: { margin: 0 },
  timeline: { margin: 0, padding: 0, listStyle: 'none', overflowY: 'auto' },
  row: { padding: '4px 10px', borderBottom: '1px solid #21262d' },
  time: { color: '#8b949e', marginRight: 8 },
  type: { color: '#79c0ff', marginRight: 8 },
  diagnosis: { marginTop: 2, color: '#f0883e' },
  empty: { padding: '8px 10px', color: '#8b949e' },
} satisfies Record<string, CSSProperties>;
