import { performance } from 'node:perf_hooks';

export type Lane = 'REQ' | 'AUTH' | 'API';
export type Tone = 'good' | 'bad' | 'warn' | 'plain';

interface Group {
  lane: Lane;
  first: number;
  last: number;
  count: number;
  render: (count: number) => string;
  tone: Tone;
  detail: string | undefined;
}

export interface Entry {
  /** Entries with the same lane and key that arrive close together print as one line with a count. */
  key?: string;
  tone?: Tone;
  /** A second, dimmed line under the entry (a hint). */
  detail?: string;
}

/** A live, aggregated timeline: one line per kind of event, with a count and the time since the act began. */
export interface Timeline {
  /** Starts an act: prints its title and resets the clock to 0. */
  act(title: string): void;
  add(lane: Lane, text: string | ((count: number) => string), entry?: Entry): void;
  /** Prints what is pending now, grouped. */
  flush(): void;
  /** Prints a line outside the lanes (titles, summaries). */
  say(text: string, tone?: Tone): void;
  /** Never prints `secret`: a line holding it is redacted and `hasLeaked` turns true. */
  guard(secret: string): void;
  hasLeaked(): boolean;
}

// A burst of events is printed once it has been quiet this long, so its duplicates can be counted.
const QUIET_MS = 25;
const ANSI = { dim: 2, bold: 1, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 };
const LANE_COLOUR: Record<Lane, number> = { REQ: ANSI.cyan, AUTH: ANSI.magenta, API: ANSI.blue };
const TONE_COLOUR: Record<Tone, number | null> = {
  good: ANSI.green,
  bad: ANSI.red,
  warn: ANSI.yellow,
  plain: null,
};

/** `20 × text`, or the text alone for one. */
export const times = (count: number, text: string): string => (count > 1 ? `${count} × ${text}` : text);

/**
 * @param write where finished lines go; colours only on a terminal and when `NO_COLOR` is not set
 */
export function createTimeline(write: (line: string) => void = console.log): Timeline {
  const isColoured = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
  const paint = (code: number | null, text: string) =>
    isColoured && code !== null ? `\u001b[${code}m${text}\u001b[0m` : text;
  const secrets = new Set<string>();
  let hasLeaked = false;
  let startedAt = performance.now();
  let pending = new Map<string, Group>();
  let timer: NodeJS.Timeout | undefined;
  let unique = 0;

  function print(line: string): void {
    let safe = line;
    for (const secret of secrets) {
      if (!safe.includes(secret)) continue;
      hasLeaked = true;
      safe = safe.split(secret).join('[redacted]');
    }
    write(safe);
  }

  function formatTime({ first, last }: Group): string {
    const [from, to] = [Math.round(first), Math.round(last)];
    return `${from === to ? from : `${from}–${to}`} ms`.padStart(12);
  }

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    const groups = [...pending.values()].sort((a, b) => a.first - b.first);
    pending = new Map();
    for (const group of groups) {
      const lane = paint(LANE_COLOUR[group.lane], group.lane.padEnd(4));
      const text = paint(TONE_COLOUR[group.tone], group.render(group.count));
      print(`${paint(ANSI.dim, formatTime(group))}  ${lane}  ${text}`);
      if (group.detail) print(`${' '.repeat(20)}${paint(ANSI.dim, group.detail)}`);
    }
  }

  return {
    act(title) {
      flush();
      write('');
      print(paint(ANSI.bold, title));
      startedAt = performance.now();
    },
    add(lane, text, { key, tone = 'plain', detail } = {}) {
      const at = performance.now() - startedAt;
      const render = typeof text === 'string' ? (count: number) => times(count, text) : text;
      const id = `${lane}\u0000${key ?? (typeof text === 'string' ? text : `#${unique++}`)}`;
      const group = pending.get(id);
      if (group) {
        group.count += 1;
        group.last = at;
      } else {
        pending.set(id, { lane, first: at, last: at, count: 1, render, tone, detail });
      }
      clearTimeout(timer);
      timer = setTimeout(flush, QUIET_MS);
    },
    flush,
    say(text, tone = 'plain') {
      flush();
      print(paint(TONE_COLOUR[tone], text));
    },
    guard(secret) {
      if (secret) secrets.add(secret);
    },
    hasLeaked: () => hasLeaked,
  };
}
