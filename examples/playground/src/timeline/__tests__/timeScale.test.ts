import { describe, expect, it } from 'vitest';
import { formatDuration, formatTick, isLive, LIVE_SPAN_MS, ticks, timeWindow } from '../timeScale';
import type { TimelineRequest, TimelineSnapshot } from '../types';

const request = (start: number, end: number | null): TimelineRequest => ({
  id: start,
  method: 'GET',
  url: 'https://api.example.test/items',
  path: '/items',
  skipAuth: false,
  start,
  end,
  outcome: end === null ? 'pending' : 'ok',
  status: end === null ? null : 200,
  code: null,
  sends: [{ start, end, status: 200, error: null, replay: false, lateUnauthorized: false, diagnosis: null }],
  waits: [],
});

const snapshot = (requests: TimelineRequest[], lastChange: number): TimelineSnapshot => ({
  requests,
  refreshes: [],
  prompts: [],
  statuses: [{ status: 'signedIn', start: 0, end: null }],
  events: [],
  diagnoses: [],
  isBusy: requests.some((item) => item.end === null),
  isOpen: requests.some((item) => item.end === null),
  lastChange,
});

describe('timeWindow', () => {
  it('keeps a finished burst on screen when idle, fitted to it rather than to the last 10 s', () => {
    const burst = snapshot([request(50_000, 50_300), request(50_010, 50_350)], 50_350);
    const now = 120_000;

    expect(isLive(burst, now)).toBe(false);
    const range = timeWindow(burst, now);

    expect(range.start).toBeLessThanOrEqual(50_000);
    expect(range.start).toBeGreaterThan(49_900);
    expect(range.end).toBeGreaterThanOrEqual(50_350);
    expect(range.end).toBeLessThan(50_400);
  });

  it('follows the clock while live, reaching back to a request still open however old', () => {
    const live = snapshot([request(1_000, 2_000), request(5_000, null)], 40_000);

    const range = timeWindow(live, 60_000);

    expect(range.end).toBeGreaterThanOrEqual(60_000);
    expect(range.start).toBeLessThanOrEqual(5_000);
    expect(range.start).toBeGreaterThan(2_000 - LIVE_SPAN_MS); // the finished one, 58 s old, is out
  });
});

describe('ticks', () => {
  it('steps by 1, 2 or 5 × a power of ten and labels in ms or s', () => {
    expect(ticks({ start: 0, end: 700 }, 7)).toEqual({
      step: 100,
      offsets: [0, 100, 200, 300, 400, 500, 600, 700],
    });
    expect(ticks({ start: 1_000, end: 13_000 }, 6).step).toBe(2_000);
    expect(formatTick(0, 100)).toBe('0');
    expect(formatTick(300, 100)).toBe('300 ms');
    expect(formatTick(1_500, 500)).toBe('1.5 s');
    expect(formatTick(4_000, 2_000)).toBe('4 s');
    expect([formatDuration(42), formatDuration(1_234), formatDuration(12_345)]).toEqual([
      '42 ms',
      '1.2 s',
      '12 s',
    ]);
  });
});
