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

/** A bar of the refresh or the prompt lane: its span, its outcome (as a class and for tests), label and tooltip. */
function LaneBar({
  kind,
  item,
  layout,
  y,
  height,
  limit,
  text,
  title,
}: {
  kind: 'refresh' | 'prompt';
  item: { id: number; start: number; end: number | null; outcome: string };
  layout: Layout;
  y: number;
  height: number;
  limit: number;
  text: string;
  title: string;
}) {
  const { x, width } = span(layout, item.start, item.end);
  return (
    <g
      className={`tl-${kind} tl-${kind}-${item.outcome}`}
      data-testid={`timeline-${kind}`}
      data-outcome={item.outcome}
    >
      <rect x={x} y={y} width={width} height={height} rx={3} />
      <BarLabel x={x} width={width} y={y + height - 4} limit={limit} text={text} />
      <title>{title}</title>
    </g>
  );
}

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
          const duration = formatDuration((refresh.end ?? layout.now) - refresh.start);
          const text =
            refresh.outcome === 'ok'
              ? `✓ ${duration}`
              : refresh.outcome === 'failed'
                ? `✗ ${refresh.code ?? 'failed'} · ${duration}`
                : `refreshing… ${duration}`;
          return (
            <LaneBar
              key={refresh.id}
              kind="refresh"
              item={refresh}
              layout={layout}
              y={lane(1)}
              height={bar}
              limit={nextStart(layout, snapshot.refreshes, index)}
              text={text}
              title={`Refresh (${refresh.waiting} waiting at start): ${text}${refresh.terminal ? ', terminal' : ''}`}
            />
          );
        })}
        {snapshot.prompts.map((prompt, index) => {
          if (!isShown(layout, prompt)) return null;
          const text = { open: 'open', resolved: '✓ signed in', cancelled: '✗ cancelled' }[prompt.outcome];
          return (
            <LaneBar
              key={prompt.id}
              kind="prompt"
              item={prompt}
              layout={layout}
              y={lane(2)}
              height={bar}
              limit={nextStart(layout, snapshot.prompts, index)}
              text={text}
              title={`Sign-in prompt (${prompt.reason}): ${text}`}
            />
          );
        })}
      </g>
    </g>
  );
}
