import { CHAR_WIDTH, isShown, type Layout, span, truncate } from './geometry';
import { formatDuration } from './timeScale';
import type { TimelineSnapshot } from './types';

/**
 * Text for a bar: after its end when it fits before `limit` (the next bar, or the plot's edge), else inside it
 * (light on the bar), else as much as fits after it. The bar's <title> always has the whole text.
 */
function BarLabel({
  x,
  width,
  y,
  limit,
  text,
}: {
  x: number;
  width: number;
  y: number;
  limit: number;
  text: string;
}) {
  const after = x + width + 4;
  const textWidth = text.length * CHAR_WIDTH;
  if (after + textWidth <= limit - 4) {
    return (
      <text className="tl-bar-label" x={after} y={y}>
        {text}
      </text>
    );
  }
  const isInside = textWidth <= width - 6 || width - 6 > limit - 4 - after;
  const room = isInside ? width - 6 : limit - 4 - after;
  if (room < 3 * CHAR_WIDTH) return null;
  return (
    <text className={isInside ? 'tl-bar-label tl-inside' : 'tl-bar-label'} x={isInside ? x + 3 : after} y={y}>
      {truncate(text, room)}
    </text>
  );
}

/** Where the next bar of a lane begins: a label must end before it. */
const nextStart = (layout: Layout, items: readonly { start: number }[], index: number) => {
  const next = items[index + 1];
  return next ? layout.x(next.start) : layout.plotRight;
};

interface LanesProps {
  snapshot: TimelineSnapshot;
  layout: Layout;
  top: number;
  laneHeight: number;
  clipId: string;
}

/** The three lanes of the timeline about the session: status, refreshes, sign-in prompts. */
export function SessionLanes({ snapshot, layout, top, laneHeight, clipId }: LanesProps) {
  const bar = laneHeight - 6;
  const lane = (index: number) => top + index * laneHeight + 2;
  const isNarrow = layout.labelWidth < 100;
  return (
    <g className="tl-lanes">
      {['Session', 'Refresh', isNarrow ? 'Prompt' : 'Sign-in prompt'].map((name, index) => (
        <text key={name} className="tl-lane-name" x={4} y={lane(index) + bar - 4}>
          {name}
        </text>
      ))}
      <g clipPath={`url(#${clipId})`}>
        {snapshot.statuses
          .filter((status) => isShown(layout, status))
          .map((status) => {
            const { x, width } = span(layout, status.start, status.end);
            return (
              // A status may last less than a millisecond: the next one starts at the same time.
              <g key={`${status.start}-${status.status}`} className={`tl-status tl-status-${status.status}`}>
                <rect x={x} y={lane(0)} width={width} height={bar} />
                {width > status.status.length * CHAR_WIDTH + 6 && (
                  <text x={x + 4} y={lane(0) + bar - 4}>
                    {status.status}
                  </text>
                )}
                <title>{`${status.status} · ${formatDuration((status.end ?? layout.now) - status.start)}`}</title>
              </g>
            );
          })}
        {snapshot.refreshes.map((refresh, index) => {
          if (!isShown(layout, refresh)) return null;
          const { x, width } = span(layout, refresh.start, refresh.end);
          const duration = formatDuration((refresh.end ?? layout.now) - refresh.start);
          const text =
            refresh.outcome === 'ok'
              ? `✓ ${duration}`
              : refresh.outcome === 'failed'
                ? `✗ ${refresh.code ?? 'failed'} · ${duration}`
                : `refreshing… ${duration}`;
          return (
            <g
              key={refresh.id}
              className={`tl-refresh tl-refresh-${refresh.outcome}`}
              data-testid="timeline-refresh"
              data-outcome={refresh.outcome}
            >
              <rect x={x} y={lane(1)} width={width} height={bar} rx={3} />
              <BarLabel
                x={x}
                width={width}
                y={lane(1) + bar - 4}
                limit={nextStart(layout, snapshot.refreshes, index)}
                text={text}
              />
              <title>{`Refresh (${refresh.waiting} waiting at start): ${text}${refresh.terminal ? ', terminal' : ''}`}</title>
            </g>
          );
        })}
        {snapshot.prompts.map((prompt, index) => {
          if (!isShown(layout, prompt)) return null;
          const { x, width } = span(layout, prompt.start, prompt.end);
          const text = { open: 'open', resolved: '✓ signed in', cancelled: '✗ cancelled' }[prompt.outcome];
          return (
            <g
              key={prompt.id}
              className={`tl-prompt tl-prompt-${prompt.outcome}`}
              data-testid="timeline-prompt"
              data-outcome={prompt.outcome}
            >
              <rect x={x} y={lane(2)} width={width} height={bar} rx={3} />
              <BarLabel
                x={x}
                width={width}
                y={lane(2) + bar - 4}
                limit={nextStart(layout, snapshot.prompts, index)}
                text={text}
              />
              <title>{`Sign-in prompt (${prompt.reason}): ${text}`}</title>
            </g>
          );
        })}
      </g>
    </g>
  );
}
