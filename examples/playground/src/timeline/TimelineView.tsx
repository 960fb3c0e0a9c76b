import { useEffect, useId, useRef, useState, useSyncExternalStore } from 'react';
import type { Timeline } from './createTimeline';
import type { Layout } from './geometry';
import { RequestDetails } from './RequestDetails';
import { RequestRow } from './RequestRow';
import { SessionLanes } from './SessionLanes';
import { formatTick, isLive, SETTLE_MS, ticks, timeWindow } from './timeScale';
import type { TimelineSnapshot } from './types';
import './timeline.css';

const AXIS_HEIGHT = 22;
const LANE_HEIGHT = 22;
const ROW_HEIGHT = 15;
const ROWS_TOP = AXIS_HEIGHT + 3 * LANE_HEIGHT + 10;

/** Re-renders on each animation frame while the picture moves, twice a second while it only waits, never when idle. */
function useClock(timeline: Timeline, snapshot: TimelineSnapshot): number {
  const [now, setNow] = useState(() => timeline.now());
  useEffect(() => {
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let isStopped = false;
    const tick = () => {
      if (isStopped) return;
      const time = timeline.now();
      setNow(time);
      if (snapshot.isBusy || time - snapshot.lastChange < SETTLE_MS) frame = requestAnimationFrame(tick);
      else if (snapshot.isOpen) timer = setTimeout(tick, 500);
    };
    tick();
    return () => {
      isStopped = true;
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [timeline, snapshot]);
  return now;
}

/** The drawing's width: the container's, followed as it resizes. */
function useWidth(initial: number) {
  const [width, setWidth] = useState(initial);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.round(entry?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [width, ref] as const;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** "3 requests, 1 refresh, 0 sign-in prompts, 3 × 401": what the picture shows, for screen readers. */
function summaryOf(snapshot: TimelineSnapshot): string {
  const unauthorized = snapshot.requests.reduce(
    (sum, request) => sum + request.sends.filter((send) => send.status === 401).length,
    0,
  );
  return [
    plural(snapshot.requests.length, 'request'),
    plural(snapshot.refreshes.length, 'refresh').replace('refreshs', 'refreshes'),
    plural(snapshot.prompts.length, 'sign-in prompt'),
    `${unauthorized} × 401`,
  ].join(', ');
}

/**
 * The session's live timeline: lanes over time for the session status, refreshes and sign-in prompts, one row
 * per request (sends, 401s, waits, outcome), then the 401 diagnoses grouped.
 *
 * @param props.timeline from `createTimeline(session)`
 * @param props.initialWidth px, until the container is measured (server rendering, tests). Default 900.
 * @returns an SVG picture with a legend, the diagnoses and a Clear button
 * @example
 * <TimelineView timeline={playground.timeline} />
 */
export function TimelineView({
  timeline,
  initialWidth = 900,
}: {
  timeline: Timeline;
  initialWidth?: number;
}) {
  const snapshot = useSyncExternalStore(timeline.subscribe, timeline.getSnapshot, timeline.getSnapshot);
  const now = useClock(timeline, snapshot);
  const [width, sectionRef] = useWidth(initialWidth);
  const clipId = `timeline-plot-${useId().replace(/:/g, '')}`;
  const [selectedId, setSelectedId] = useState<number | null>(null);

  const isNarrow = width < 560;
  const labelWidth = isNarrow ? 84 : 168;
  // Room for the longest outcome, `✗ REFRESH_UNAVAILABLE`, where the drawing is wide enough.
  const outcomeColumn = isNarrow ? 76 : 176;
  const range = timeWindow(snapshot, now);
  const plotLeft = labelWidth + 6;
  const plotRight = Math.max(plotLeft + 40, width - outcomeColumn - 6);
  // What is left of the drawing right of the plot (less than the column where the plot takes its minimum).
  const outcomeWidth = Math.max(width - plotRight - 6, 0);
  const scale = (plotRight - plotLeft) / (range.end - range.start);
  const layout: Layout = {
    labelWidth,
    plotLeft,
    plotRight,
    outcomeLeft: plotRight + 6,
    outcomeWidth,
    now,
    ...range,
    x: (time) => plotLeft + (Math.min(Math.max(time, range.start), range.end) - range.start) * scale,
  };
  const rows = snapshot.requests.filter((request) => (request.end ?? now) >= range.start);
  const hidden = snapshot.requests.length - rows.length;
  const height = ROWS_TOP + Math.max(rows.length, 1) * ROW_HEIGHT + 6;
  const { step, offsets } = ticks(range, isNarrow ? 4 : 7);

  return (
    <section className="timeline" data-testid="timeline" ref={sectionRef}>
      <header className="timeline-header">
        <h2>Timeline</h2>
        <p className="timeline-summary">{summaryOf(snapshot)}</p>
        <button type="button" onClick={() => timeline.clear()}>
          Clear
        </button>
      </header>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: a click on a row is a shortcut; the keyboard picks the request in the list below */}
      <svg
        onClick={(event) => {
          const row = (event.target as Element).closest('[data-request-id]');
          if (row) setSelectedId(Number(row.getAttribute('data-request-id')));
        }}
        className="timeline-chart"
        role="img"
        aria-label={summaryOf(snapshot)}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
      >
        <defs>
          <clipPath id={clipId}>
            <rect x={plotLeft} y={0} width={plotRight - plotLeft} height={height} />
          </clipPath>
        </defs>
        <g className="tl-axis">
          {offsets.map((offset) => (
            <g key={offset}>
              <line
                x1={layout.x(range.start + offset)}
                x2={layout.x(range.start + offset)}
                y1={16}
                y2={height}
              />
              <text x={layout.x(range.start + offset)} y={11} textAnchor="middle">
                {formatTick(offset, step)}
              </text>
            </g>
          ))}
        </g>
        <SessionLanes
          snapshot={snapshot}
          layout={layout}
          top={AXIS_HEIGHT}
          laneHeight={LANE_HEIGHT}
          clipId={clipId}
        />
        <line className="tl-separator" x1={0} x2={width} y1={ROWS_TOP - 5} y2={ROWS_TOP - 5} />
        {rows.map((request, index) => (
          <RequestRow
            key={request.id}
            request={request}
            isSelected={request.id === selectedId}
            layout={layout}
            top={ROWS_TOP + index * ROW_HEIGHT}
            height={ROW_HEIGHT - 3}
            clipId={clipId}
          />
        ))}
        {rows.length === 0 && (
          <text className="tl-empty" x={plotLeft} y={ROWS_TOP + 10}>
            No requests yet
          </text>
        )}
        {isLive(snapshot, now) && (
          <line className="tl-now" x1={layout.x(now)} x2={layout.x(now)} y1={16} y2={height} />
        )}
      </svg>
      {hidden > 0 && <p className="timeline-note">{plural(hidden, 'earlier request')} outside the window.</p>}
      <Legend />
      <RequestDetails requests={snapshot.requests} selectedId={selectedId} onSelect={setSelectedId} />
      <Diagnoses snapshot={snapshot} />
    </section>
  );
}

function Legend() {
  const items = [
    ['tl-swatch tl-send', 'first send'],
    ['tl-swatch tl-replay', 'replay'],
    ['tl-swatch tl-wait', 'waiting (queued)'],
    ['tl-swatch tl-401', '401 (hover it, or click the row, for the diagnosis)'],
    ['tl-swatch tl-refresh-ok', 'refresh ok'],
    ['tl-swatch tl-refresh-failed', 'refresh failed'],
    ['tl-swatch tl-prompt-open', 'sign-in prompt'],
    ['tl-swatch tl-status-signedIn', 'signed in'],
    ['tl-swatch tl-status-refreshing', 'refreshing'],
    ['tl-swatch tl-status-reauthRequired', 'reauth required'],
    ['tl-swatch tl-status-signedOut', 'signed out'],
    ['tl-swatch tl-status-restoring', 'restoring'],
  ] as const;
  return (
    <ul className="timeline-legend">
      {items.map(([className, label]) => (
        <li key={label}>
          <span className={className} aria-hidden="true" /> {label}
        </li>
      ))}
      <li>
        <span className="tl-ok">✓</span> / <span className="tl-failed">✗</span> final outcome
      </li>
    </ul>
  );
}

function Diagnoses({ snapshot }: { snapshot: TimelineSnapshot }) {
  if (snapshot.diagnoses.length === 0) return null;
  return (
    <div className="timeline-diagnoses">
      <h3>401 diagnoses</h3>
      <ul>
        {snapshot.diagnoses.map((group) => (
          <li
            key={`${group.cause}\n${group.hint}`}
            data-testid="timeline-diagnosis"
            data-cause={group.cause}
            data-count={group.count}
          >
            <strong>
              {group.count} × {group.cause}
            </strong>{' '}
            — {group.hint}
          </li>
        ))}
      </ul>
    </div>
  );
}
