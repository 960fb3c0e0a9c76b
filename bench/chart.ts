import type { Spread } from './stats';

/** One line of a log-log chart: a name and its points (x, y), y null where there is no figure. */
export interface Series {
  name: string;
  points: readonly { x: number; y: number | null }[];
}

const COLORS = ['#1f6feb', '#8250df', '#cf222e', '#bf8700', '#1a7f37', '#6e7781'];
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const text = (x: number, y: number, body: string, extra = '') =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${extra}>${escapeXml(body)}</text>`;
const svg = (width: number, height: number, body: string[]) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">\n` +
  `<rect width="100%" height="100%" fill="white"/>\n${body.join('\n')}\n</svg>\n`;

/** A log-log line chart (both axes in powers of ten), legend on the right. Hand-written SVG, no library. */
export function logLogChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly Series[],
): string {
  const [left, top, plotW, plotH] = [70, 40, 420, 300];
  const xs = series.flatMap(({ points }) => points.map(({ x }) => x));
  const ys = series.flatMap(({ points }) => points.flatMap(({ y }) => (y !== null && y > 0 ? [y] : [])));
  const [xMin, xMax] = [Math.floor(Math.log10(Math.min(...xs))), Math.ceil(Math.log10(Math.max(...xs)))];
  const [yMin, yMax] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
  const px = (x: number) => left + ((Math.log10(x) - xMin) / Math.max(1, xMax - xMin)) * plotW;
  const py = (y: number) => top + plotH - ((Math.log10(y) - yMin) / Math.max(1, yMax - yMin)) * plotH;
  const body = [text(left, 20, title, 'font-size="14" font-weight="bold"')];
  for (let power = xMin; power <= xMax; power += 1) {
    const x = px(10 ** power);
    body.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="#ddd"/>`);
    body.push(text(x, top + plotH + 16, (10 ** power).toLocaleString('en-US'), 'text-anchor="middle"'));
  }
  for (let power = yMin; power <= yMax; power += 1) {
    const y = py(10 ** power);
    body.push(`<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#ddd"/>`);
    body.push(text(left - 6, y + 4, String(10 ** power), 'text-anchor="end"'));
  }
  body.push(text(left + plotW / 2, top + plotH + 34, xLabel, 'text-anchor="middle"'));
  body.push(
    text(16, top + plotH / 2, yLabel, `text-anchor="middle" transform="rotate(-90 16 ${top + plotH / 2})"`),
  );
  series.forEach(({ name, points }, index) => {
    const color = COLORS[index % COLORS.length]!;
    const drawn = points.flatMap(({ x, y }) => (y !== null && y > 0 ? [[px(x), py(y)] as const] : []));
    if (drawn.length === 0) return;
    const path = drawn.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    body.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of drawn)
      body.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`);
    const legendY = top + 10 + index * 18;
    body.push(`<rect x="${left + plotW + 16}" y="${legendY - 9}" width="12" height="4" fill="${color}"/>`);
    body.push(text(left + plotW + 34, legendY - 3, name));
  });
  return svg(left + plotW + 320, top + plotH + 50, body);
}

/** Horizontal bars of ratios (1 = the reference) with their [min, max] whiskers, one row per name. */
export function ratioChart(title: string, rows: readonly { name: string; ratio: Spread }[]): string {
  const [left, top, plotW, rowH] = [240, 40, 400, 24];
  const max = Math.max(2, ...rows.map(({ ratio }) => Math.min(ratio.max, 4)));
  const px = (ratio: number) => left + (Math.min(ratio, max) / max) * plotW;
  const body = [text(10, 20, title, 'font-size="14" font-weight="bold"')];
  for (let tick = 0; tick <= max; tick += 0.5) {
    body.push(
      `<line x1="${px(tick)}" y1="${top - 6}" x2="${px(tick)}" y2="${top + rows.length * rowH}" stroke="#ddd"/>`,
    );
    body.push(text(px(tick), top + rows.length * rowH + 14, `${tick}x`, 'text-anchor="middle"'));
  }
  rows.forEach(({ name, ratio }, index) => {
    const y = top + index * rowH;
    body.push(text(left - 8, y + 13, name, 'text-anchor="end"'));
    body.push(
      `<rect x="${left}" y="${y + 3}" width="${(px(ratio.median) - left).toFixed(1)}" height="14" fill="${COLORS[index % COLORS.length]}" opacity="0.8"/>`,
    );
    body.push(
      `<line x1="${px(ratio.min).toFixed(1)}" y1="${y + 10}" x2="${px(ratio.max).toFixed(1)}" y2="${y + 10}" stroke="black"/>`,
    );
    body.push(
      text(
        left + plotW + 8,
        y + 13,
        `${ratio.median.toFixed(2)}x [${ratio.min.toFixed(2)}, ${ratio.max.toFixed(2)}]`,
      ),
    );
  });
  return svg(left + plotW + 170, top + rows.length * rowH + 30, body);
}
