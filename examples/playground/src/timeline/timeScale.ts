import type { TimelineSnapshot } from './types';

/** How far back the live window reaches, unless something still open began earlier. */
export const LIVE_SPAN_MS = 10_000;
/** The narrowest window: a burst of a few ms still reads as bars, not slivers. */
const MIN_SPAN_MS = 400;
/** After the last change the picture keeps moving this long, then rests. */
export const SETTLE_MS = 1_500;

export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** The latest moment anything in the snapshot began or ended. */
export function lastActivity(snapshot: TimelineSnapshot): number {
  let latest = Number.NEGATIVE_INFINITY;
  const see = (item: { start: number; end: number | null }) => {
    latest = Math.max(latest, item.end ?? item.start, item.start);
  };
  for (const request of snapshot.requests) {
    see(request);
    for (const send of request.sends) see(send);
  }
  for (const item of [...snapshot.refreshes, ...snapshot.prompts]) see(item);
  const lastStatus = snapshot.statuses.at(-1);
  if (lastStatus) latest = Math.max(latest, lastStatus.start);
  return Number.isFinite(latest) ? latest : snapshot.lastChange;
}

/** Whether the window follows the clock: something is on the wire, waiting, or changed a moment ago. */
export const isLive = (snapshot: TimelineSnapshot, now: number) =>
  snapshot.isBusy || snapshot.isOpen || now - snapshot.lastChange < SETTLE_MS;

/**
 * The time range to draw. Live: up to now, reaching back to the oldest item that ended within the last
 * {@link LIVE_SPAN_MS} or is still open. Idle: the same, anchored at the last activity, so a finished burst
 * stays on screen, fitted to its width.
 */
export function timeWindow(snapshot: TimelineSnapshot, now: number): TimeWindow {
  const anchor = isLive(snapshot, now) ? now : lastActivity(snapshot);
  const from = anchor - LIVE_SPAN_MS;
  let start = anchor - MIN_SPAN_MS;
  for (const item of [...snapshot.requests, ...snapshot.refreshes, ...snapshot.prompts]) {
    if (item.end === null) start = Math.min(start, item.start);
    else if (item.end >= from) start = Math.min(start, Math.max(item.start, from));
  }
  const span = anchor - start;
  return { start: start - span * 0.02, end: anchor + span * 0.03 };
}

/** Tick offsets from the window's start, at 1, 2 or 5 × a power of ten ms, about `count` of them. */
export function ticks(window: TimeWindow, count = 6): { step: number; offsets: number[] } {
  const span = Math.max(window.end - window.start, 1);
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw) ?? raw;
  const offsets: number[] = [];
  for (let offset = 0; offset <= span; offset += step) offsets.push(offset);
  return { step, offsets };
}

/** `250 ms`, `1.5 s`, `12 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** A tick label: in ms below a 1 s step, else in s with as many decimals as the step needs. */
export function formatTick(offset: number, step: number): string {
  if (offset === 0) return '0';
  if (step < 1_000)
    return offset >= 1_000 ? `${(offset / 1_000).toFixed(step < 100 ? 2 : 1)} s` : `${Math.round(offset)} ms`;
  return `${(offset / 1_000).toFixed(step % 1_000 === 0 ? 0 : 1)} s`;
}
