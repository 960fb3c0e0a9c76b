import type { Spread } from './stats';

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 1) => value.toFixed(digits);
export const thousands = (value: number) => Math.round(value).toLocaleString('en-US');

/** A ratio as a signed percentage: 1.25 → `+25.0 %`. */
export const percent = (ratio: number) => `${ratio >= 1 ? '+' : ''}${fixed((ratio - 1) * 100)} %`;

/** A ratio's median and range across rounds: `+25.0 % [+10.2, +40.3]`. */
export const percentWithRange = ({ median, min, max }: Spread) =>
  `${percent(median)} [${percent(min).slice(0, -2)}, ${percent(max).slice(0, -2)}]`;

/** A count that should not vary between runs: one number, or its range when it did. */
export function counts(values: readonly number[]): string {
  const [min, max] = [Math.min(...values), Math.max(...values)];
  return min === max ? String(min) : `${min}-${max}`;
}

/** A duration across runs: `median (min-max)`. */
export const durations = (value: Spread | null) =>
  value ? `${fixed(value.median)} (${fixed(value.min)}-${fixed(value.max)})` : 'n/a';

/** A ratio's median and range as a factor: `1.032× [0.981, 1.104]`. */
export const ratioWithRange = ({ median, min, max }: Spread) =>
  `${fixed(median, 3)}× [${fixed(min, 3)}, ${fixed(max, 3)}]`;
