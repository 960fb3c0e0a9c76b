/** Geometry shared by the lanes: where the plot starts and ends, and how a time maps to x. */
export interface Layout {
  readonly labelWidth: number;
  readonly plotLeft: number;
  readonly plotRight: number;
  readonly outcomeLeft: number;
  readonly outcomeWidth: number;
  readonly now: number;
  readonly start: number;
  readonly end: number;
  readonly x: (time: number) => number;
}

/** Roughly how wide 11 px text is per character: enough to decide whether a label fits. */
export const CHAR_WIDTH = 7;

/**
 * The same for bold text, as the bar labels and outcomes are: wider, and error codes are capitals
 * (`✗ REFRESH_UNAVAILABLE` is about 165 px in Chromium's default sans-serif).
 */
export const BOLD_CHAR_WIDTH = 8;

/** `text`, cut with an ellipsis to fit `width` px. */
export const truncate = (text: string, width: number, charWidth = CHAR_WIDTH) => {
  const fits = Math.max(Math.floor(width / charWidth), 2);
  return text.length <= fits ? text : `${text.slice(0, fits - 1)}…`;
};

/** Whether an item reaches into the window (one that ended before it is left out, not drawn as a sliver). */
export const isShown = (layout: Layout, item: { end: number | null }) =>
  (item.end ?? layout.now) >= layout.start;

/** A bar from start to end (or now), at least 2 px wide so an instant still shows. */
export function span(layout: Layout, start: number, end: number | null) {
  const left = layout.x(start);
  return { x: left, width: Math.max(layout.x(end ?? layout.now) - left, 2) };
}
