import { BOLD_CHAR_WIDTH, isShown, type Layout, span, truncate } from './geometry';
import { formatDuration } from './timeScale';
import type { TimelineRequest } from './types';

interface RowProps {
  request: TimelineRequest;
  layout: Layout;
  top: number;
  height: number;
  clipId: string;
  /** Shown in the details below the picture. */
  isSelected: boolean;
}

/** One request: its waits (dashed), sends (first and replays), 401 marks with their diagnosis, final outcome. */
export function RequestRow({ request, layout, top, height, clipId, isSelected }: RowProps) {
  const middle = top + height / 2;
  const final = request.status ?? request.code;
  const outcome =
    request.outcome === 'ok' ? `✓ ${final}` : request.outcome === 'failed' ? `✗ ${final ?? 'failed'}` : '…';
  const label = `${request.method} ${request.path}${request.skipAuth ? ' (skipAuth)' : ''}`;
  return (
    <g
      className={`tl-request tl-request-${request.outcome}${isSelected ? ' tl-selected' : ''}`}
      data-testid="timeline-request"
      data-request-id={request.id}
      data-method={request.method}
      data-path={request.path.replace(/\?…$/, '')}
      data-sends={request.sends.length}
      data-outcome={request.outcome}
      data-status={final ?? ''}
    >
      <rect
        className="tl-row"
        x={0}
        y={top - 1}
        width={layout.outcomeLeft + layout.outcomeWidth}
        height={height + 2}
      />
      <text className="tl-row-label" x={4} y={top + height - 2}>
        {truncate(label, layout.labelWidth - 6)}
        <title>{label}</title>
      </text>
      <g clipPath={`url(#${clipId})`}>
        {request.waits
          .filter((wait) => isShown(layout, wait))
          .map((wait) => (
            <line
              // A request's waits follow one another: no two have the same start and end.
              key={`${wait.start}-${wait.end}`}
              className="tl-wait"
              x1={layout.x(wait.start)}
              x2={layout.x(wait.end ?? layout.now)}
              y1={middle}
              y2={middle}
            />
          ))}
        {request.sends.map((send, index) => {
          if (!isShown(layout, send)) return null;
          const { x, width } = span(layout, send.start, send.end);
          const result = send.status ?? send.error ?? 'in flight';
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: a request's sends only ever grow at the end
            <g key={index}>
              <rect
                className={send.replay ? 'tl-replay' : 'tl-send'}
                x={x}
                y={top + 2}
                width={width}
                height={height - 4}
                rx={2}
              >
                <title>{`${send.replay ? `Replay${send.lateUnauthorized ? ' (late 401)' : ''}` : 'First send'}: ${result}, ${formatDuration((send.end ?? layout.now) - send.start)}`}</title>
              </rect>
              {send.status === 401 && send.end !== null && (
                <rect
                  className="tl-401"
                  x={layout.x(send.end) - 1.5}
                  y={top - 1}
                  width={3}
                  height={height + 2}
                >
                  <title>
                    {send.diagnosis
                      ? `401 — ${send.diagnosis.cause}: ${send.diagnosis.hint}`
                      : '401 (not diagnosed)'}
                  </title>
                </rect>
              )}
            </g>
          );
        })}
      </g>
      {request.end !== null && (
        <circle className={`tl-end tl-${request.outcome}`} cx={layout.x(request.end)} cy={middle} r={3} />
      )}
      {/* Anchored at the drawing's right edge: a long code (REFRESH_UNAVAILABLE) ends inside it, not past it. */}
      <text
        className={`tl-outcome tl-${request.outcome}`}
        data-testid="timeline-outcome"
        x={layout.outcomeLeft + layout.outcomeWidth - 2}
        y={top + height - 2}
        textAnchor="end"
      >
        {truncate(outcome, layout.outcomeWidth - 2, BOLD_CHAR_WIDTH)}
        <title>{outcome}</title>
      </text>
    </g>
  );
}
