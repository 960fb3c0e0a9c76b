import { BOLD_CHAR_WIDTH, CHAR_WIDTH, isShown, type Layout, span, truncate } from './geometry';
import { formatDuration } from './timeScale';
import type { TimelineRefresh, TimelineSnapshot } from './types';

/**
 * Text for a bar, kept inside the lane's room (from the end of the bar before, `floor`, to the start of the next
 * bar or the plot's edge, `limit`): after the bar's end when it fits, else inside the bar (light on it), else
 * before the bar, anchored at its start (a bar that just ended sits at the plot's right edge), else as much as
 * fits on the roomier side. The bar's <title> always has the whole text.
 */
function BarLabel({
  x,
  width,
  y,
  floor,
  limit,
  text,
}: {
  x: number;
  width: number;
  y: number;
  floor: number;
  limit: number;
  text: string;
}) {
  const after = x + width + 4;
  const before = x - 4;
  const textWidth = text.length * BOLD_CHAR_WIDTH;
  const roomAfter = limit - 4 - after;
  const roomBefore = before - (floor + 4);
  if (textWidth <= roomAfter) {
    return (
      <text className="tl-bar-label" x={after} y={y}>
        {text}
      </text>
    );
  }
  if (textWidth <= width - 6) {
    return (
      <text className="tl-bar-label tl-inside" x={x + 3} y={y}>
        {text}
      </text>
    );
  }
  const side = Math.max(roomAfter, roomBefore, width - 6);
  if (side < 3 * BOLD_CHAR_WIDTH) return null;
  const label = truncate(text, side, BOLD_CHAR_WIDTH);
  if (side === roomAfter) {
    return (
      <text className="tl-bar-label" x={after} y={y}>
        {label}
      </text>
    );
  }
  if (side === roomBefore) {
    return (
      <text className="tl-bar-label tl-before" x={before} y={y} textAnchor="end">
        {label}
      </text>
    );
  }
  return (
    <text className="tl-bar-label tl-inside" x={x + 3} y={y}>
      {label}
    </text>
  );
}

/** Where the next bar of a lane begins: a label must end before it. */
const nextStart = (layout: Layout, items: readonly { start: number }[], index: number) => {
  const next = items[index + 1];
  return next ? layout.x(next.start) : layout.plotRight;
};

/**
 * Where the room before a bar begins: after the bar before it and that bar's label (which may sit after it, so
 * counted whole), or the plot's left edge.
 */
const previousEnd = (
  layout: Layout,
  items: readonly { end: number | null }[],
  texts: string[],
  index: number,
) => {
  const previous = items[index - 1];
  if (!previous) return layout.plotLeft;
  const end = Math.max(layout.x(previous.end ?? layout.now), layout.plotLeft);
  return end + 4 + (texts[index - 1] ?? '').length * BOLD_CHAR_WIDTH;
};

/** A refresh bar's text: its outcome and how long it took (or takes so far). */
function refreshText(refresh: TimelineRefresh, now: number) {
  const duration = formatDuration((refresh.end ?? now) - refresh.start);
  return refresh.outcome === 'ok'
    ? `✓ ${duration}`
    : refresh.outcome === 'failed'
      ? `✗ ${refresh.code ?? 'failed'} · ${duration}`
      : `refreshing… ${duration}`;
}

const PROMPT_TEXT = { open: 'open', resolved: '✓ signed in', cancelled: '✗ cancelled' } as const;

/** A bar of the refresh or the prompt lane: its span, its outcome (as a class and for tests), label and tooltip. */
function LaneBar({
  kind,
  item,
  layout,
  y,
  height,
  floor,
  limit,
  text,
  title,
}: {
  kind: 'refresh' | 'prompt';
  item: { id: number; start: number; end: number | null; outcome: string };
  layout: Layout;
  y: number;
  height: number;
  floor: number;
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
      <BarLabel x={x} width={width} y={y + height - 4} floor={floor} limit={limit} text={text} />
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
  const refreshTexts = snapshot.refreshes.map((refresh) => refreshText(refresh, layout.now));
  const promptTexts = snapshot.prompts.map((prompt) => PROMPT_TEXT[prompt.outcome]);
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
          const text = refreshTexts[index] ?? '';
          return (
            <LaneBar
              key={refresh.id}
              kind="refresh"
              item={refresh}
              layout={layout}
              y={lane(1)}
              height={bar}
              floor={previousEnd(layout, snapshot.refreshes, refreshTexts, index)}
              limit={nextStart(layout, snapshot.refreshes, index)}
              text={text}
              title={`Refresh (${refresh.waiting} waiting at start): ${text}${refresh.terminal ? ', terminal' : ''}`}
            />
          );
        })}
        {snapshot.prompts.map((prompt, index) => {
          if (!isShown(layout, prompt)) return null;
          const text = promptTexts[index] ?? '';
          return (
            <LaneBar
              key={prompt.id}
              kind="prompt"
              item={prompt}
              layout={layout}
              y={lane(2)}
              height={bar}
              floor={previousEnd(layout, snapshot.prompts, promptTexts, index)}
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
