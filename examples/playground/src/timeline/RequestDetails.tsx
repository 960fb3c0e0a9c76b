import { useId } from 'react';
import { formatDuration } from './timeScale';
import type { TimelineRequest } from './types';

interface Step {
  at: number;
  text: string;
  isFailure: boolean;
}

/** What happened to one request, in order: its sends (with each 401's diagnosis), its waits, its outcome. */
function stepsOf(request: TimelineRequest): Step[] {
  const steps: Step[] = [];
  for (const wait of request.waits) {
    const how = wait.end === null ? 'waiting…' : `waited ${formatDuration(wait.end - wait.start)}`;
    steps.push({ at: wait.start, text: `${how} for the refresh or the sign-in`, isFailure: false });
  }
  for (const send of request.sends) {
    const what = send.replay
      ? `replayed${send.lateUnauthorized ? ' (someone had refreshed already)' : ''}`
      : 'sent';
    const answer =
      send.end === null
        ? 'in flight…'
        : `→ ${send.status ?? send.error ?? 'no answer'} in ${formatDuration(send.end - send.start)}`;
    const why = send.diagnosis ? ` — ${send.diagnosis.cause}: ${send.diagnosis.hint}` : '';
    steps.push({ at: send.start, text: `${what} ${answer}${why}`, isFailure: send.status === 401 });
  }
  steps.sort((a, b) => a.at - b.at);
  if (request.end !== null) {
    const outcome = request.outcome === 'ok' ? `✓ ${request.status}` : `✗ ${request.status ?? request.code}`;
    steps.push({ at: request.end, text: `settled: ${outcome}`, isFailure: request.outcome === 'failed' });
  }
  return steps;
}

const labelOf = (request: TimelineRequest) => `#${request.id} ${request.method} ${request.path}`;

/**
 * One request told step by step, for whoever can't hover a 3-pixel mark (touch, keyboard): chosen by a click
 * on its row in the picture, or in the list here.
 */
export function RequestDetails({
  requests,
  selectedId,
  onSelect,
}: {
  requests: readonly TimelineRequest[];
  selectedId: number | null;
  onSelect(id: number | null): void;
}) {
  const id = useId();
  const selected = requests.find((request) => request.id === selectedId) ?? null;
  if (requests.length === 0) return null;
  return (
    <div className="timeline-details" data-testid="timeline-details">
      <label htmlFor={id}>Request</label>{' '}
      <select
        id={id}
        value={selected?.id ?? ''}
        onChange={(event) => onSelect(event.target.value === '' ? null : Number(event.target.value))}
      >
        <option value="">Pick one, or click its row above</option>
        {[...requests].reverse().map((request) => (
          <option key={request.id} value={request.id}>
            {labelOf(request)}
          </option>
        ))}
      </select>
      {selected && (
        <ol className="timeline-steps">
          {stepsOf(selected).map((step, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the steps of a request are rebuilt in order each time
            <li key={index} className={step.isFailure ? 'tl-step-failed' : undefined}>
              <span className="tl-step-at">+{formatDuration(step.at - selected.start)}</span> {step.text}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
