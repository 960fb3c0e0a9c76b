import { decodeJwt } from './jwt';
import type { Claims, StorageLike, TokensInput } from './types';
import { warnOnce } from './utils';

/** The tokens a session holds. Never part of the reactive state, never in an event or a message. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms, or null when unknown. */
  expiresAt: number | null;
  /** When this token was received, for the default leeway cap. */
  receivedAt: number;
  user: Claims | null;
}

function toSeconds(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Validates and normalizes tokens. Throws a TypeError naming the bad field (never its value).
 * @param keepRefreshToken the refresh token to keep when the input leaves it undefined (refresh results)
 */
export function normalizeTokens(
  input: TokensInput,
  now: number,
  keepRefreshToken: string | null,
  where: string,
): TokenSet {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(
      `[reauth] ${where} expected an object like { accessToken, refreshToken?, expiresIn? }, got ${input === null ? 'null' : typeof input}.`,
    );
  }
  const accessToken = input.accessToken ?? input.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new TypeError(
      `[reauth] ${where}: \`accessToken\` (or \`access_token\`) must be a non-empty string, got ${accessToken === '' ? 'an empty string' : typeof accessToken}.`,
    );
  }
  const rawRefresh = input.refreshToken !== undefined ? input.refreshToken : input.refresh_token;
  if (rawRefresh != null && typeof rawRefresh !== 'string') {
    throw new TypeError(
      `[reauth] ${where}: \`refreshToken\` must be a string, null or undefined, got ${typeof rawRefresh}.`,
    );
  }
  const refreshToken = rawRefresh === undefined ? keepRefreshToken : rawRefresh || null;
  const user = decodeJwt(accessToken);
  const expiresIn = toSeconds(input.expiresIn ?? input.expires_in);
  let expiresAt: number | null = null;
  if (expiresIn !== undefined) expiresAt = now + expiresIn * 1000;
  else if (typeof input.expiresAt === 'number' && Number.isFinite(input.expiresAt))
    expiresAt = input.expiresAt;
  else if (typeof user?.exp === 'number' && Number.isFinite(user.exp)) expiresAt = user.exp * 1000;
  return { accessToken, refreshToken, expiresAt, receivedAt: now, user };
}

const STORAGE_VERSION = 1;

/** Reads stored tokens; what can't be read is discarded with a development warning, never thrown. */
export function readStoredTokens(storage: StorageLike, key: string): TokenSet | null {
  let raw: string | null;
  try {
    raw = storage.getItem(key);
  } catch {
    warnOnce(`storage.getItem("${key}") threw; starting signed out.`);
    return null;
  }
  if (raw == null) return null;
  try {
    const data = JSON.parse(raw) as Partial<Record<keyof TokenSet | 'v', unknown>>;
    if (data.v !== STORAGE_VERSION) throw new Error('version');
    if (typeof data.receivedAt !== 'number') throw new Error('receivedAt');
    const expiresAt = typeof data.expiresAt === 'number' ? data.expiresAt : null;
    const tokens = normalizeTokens(
      {
        accessToken: data.accessToken as string,
        refreshToken: (data.refreshToken as string | null) ?? null,
        ...(expiresAt === null ? {} : { expiresAt }),
      },
      data.receivedAt,
      null,
      'stored session',
    );
    if (expiresAt === null) tokens.expiresAt = null;
    return tokens;
  } catch {
    warnOnce(
      `the data stored under "${key}" is not a reauth session (or of another version); it was discarded.`,
    );
    safely(() => storage.removeItem(key));
    return null;
  }
}

export function writeStoredTokens(storage: StorageLike, key: string, tokens: TokenSet | null): void {
  safely(() => {
    if (!tokens) return storage.removeItem(key);
    const { accessToken, refreshToken, expiresAt, receivedAt } = tokens;
    storage.setItem(
      key,
      JSON.stringify({ v: STORAGE_VERSION, accessToken, refreshToken, expiresAt, receivedAt }),
    );
  });
}

function safely(action: () => void): void {
  try {
    action();
  } catch (error) {
    warnOnce(
      `storage failed (${error instanceof Error ? error.name : 'error'}); the session goes on in memory.`,
    );
  }
}

export function createMemoryStorage(): StorageLike {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}
