import { afterEach, beforeEach, expect, vi } from 'vitest';

/**
 * Everything a value could show a person who logs or prints it: its string, its JSON, an error's message, stack and
 * causes, and the same of what it holds (arrays, own enumerable fields), a few levels down. Tests search it for a
 * token: what it shows, a log line could.
 */
export function shown(value: unknown, depth = 0, seen = new Set<unknown>()): string {
  if (depth > 4 || value == null || seen.has(value)) return String(value);
  if (typeof value === 'object') seen.add(value);
  const parts: string[] = [];
  try {
    parts.push(String(value));
  } catch {}
  try {
    parts.push(JSON.stringify(value));
  } catch {}
  if (value instanceof Error)
    parts.push(value.message, value.stack ?? '', shown(value.cause, depth + 1, seen));
  if (typeof value === 'object') {
    for (const item of Array.isArray(value) ? value : Object.values(value as object)) {
      parts.push(shown(item, depth + 1, seen));
    }
  }
  return parts.join('\n');
}

/**
 * Silences and records the console (log, warn, error, info, debug) around each test of the file that calls it.
 * @returns the calls of the running test, and everything they show (see `shown`)
 */
export function recordConsole() {
  let calls: unknown[][] = [];
  beforeEach(() => {
    calls = [];
    for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        calls.push(args);
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return {
    calls: () => calls,
    clear: () => {
      calls = [];
    },
    text: () => calls.map((args) => shown(args)).join('\n'),
  };
}

/** What `fn` threw (undefined when it returned). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A clear misuse error: a TypeError at the call, `[reauth]`-prefixed, naming `name`. */
export function expectMisuse(fn: () => unknown, name: RegExp): TypeError {
  const error = thrown(fn);
  expect(error, 'expected the call to throw').toBeInstanceOf(TypeError);
  expect((error as Error).message).toMatch(/^\[reauth\]/);
  expect((error as Error).message).toMatch(name);
  return error as TypeError;
}

/** How `promise` stands after `ms` of fake time: its value, its error, or still pending. */
export async function outcomeOf(promise: Promise<unknown>, ms = 0) {
  let done: unknown = 'pending';
  promise.then(
    (value) => {
      done = { value };
    },
    (error) => {
      done = { error };
    },
  );
  await vi.advanceTimersByTimeAsync(ms);
  return done as { value?: unknown; error?: unknown } | 'pending';
}
