import { misuse } from './errors';
import { decodeJwt } from './jwt';
import type { Claims, StorageLike, TokensInput } from './types';
import { warnOnce } from './utils';

declare const process: { env: { NODE_ENV?: string } };

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

/** A finite number, 0 or more, also from a numeric string (some servers send `"3600"`). */
function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() ? Number(value) : value;
  return typeof n === 'number' && n >= 0 && n < Number.POSITIVE_INFINITY ? n : undefined;
}

/**
 * Validates and normalizes tokens. Throws a TypeError naming the bad field (never its value).
 * @param keep the refresh token to keep when the input leaves it undefined (refresh results)
 */
export function normalizeTokens(
  input: TokensInput,
  now: number,
  keep: string | null,
  where: string,
): TokenSet {
  if (typeof input !== 'object' || !input) {
    throw misuse(
      where,
      `expected an object like { accessToken, refreshToken?, expiresIn? }, got ${input === null ? 'null' : typeof input}`,
    );
  }
  const accessToken = input.accessToken ?? input.access_token;
  if (typeof accessToken !== 'string' || !accessToken) {
    throw misuse(
      where,
      `\`accessToken\` (or \`access_token\`) must be a non-empty string, got ${accessToken === '' ? 'an empty string' : typeof accessToken}`,
    );
  }
  const refreshToken = input.refreshToken !== undefined ? input.refreshToken : input.refresh_token;
  if (refreshToken != null && typeof refreshToken !== 'string') {
    throw misuse(where, `\`refreshToken\` must be a string, null or undefined, got ${typeof refreshToken}`);
  }
  const user = decodeJwt(accessToken);
  const expiresIn = toNumber(input.expiresIn ?? input.expires_in);
  const exp = toNumber(user?.exp);
  return {
    accessToken,
    refreshToken: refreshToken === undefined ? keep : refreshToken || null,
    expiresAt:
      expiresIn !== undefined
        ? now + expiresIn * 1000
        : (toNumber(input.expiresAt) ?? (exp === undefined ? null : exp * 1000)),
    receivedAt: now,
    user,
  };
}

/** The versioned shape tokens take in storage and in cross-tab messages. */
export function toStored({ accessToken, refreshToken, expiresAt, receivedAt }: TokenSet) {
  return { v: 1, accessToken, refreshToken, expiresAt, receivedAt };
}

/** The tokens of the stored shape; throws on anything else (another version included). */
export function fromStored(data: unknown): TokenSet {
  const stored = data as (TokensInput & { v?: unknown; receivedAt?: unknown }) | null;
  const receivedAt = toNumber(stored?.receivedAt);
  if (stored?.v !== 1 || receivedAt === undefined) throw new TypeError('not a reauth session');
  return { ...normalizeTokens(stored, receivedAt, null, ''), expiresAt: toNumber(stored.expiresAt) ?? null };
}

/** Reads stored tokens; what can't be read is discarded with a development warning, never thrown. */
export function readStoredTokens(storage: StorageLike, key: string): TokenSet | null {
  try {
    const raw = storage.getItem(key);
    return raw == null ? null : fromStored(JSON.parse(raw));
  } catch {
    if (process.env.NODE_ENV !== 'production') {
      warnOnce(
        `storage under "${key}" held no readable reauth session (or one of another version); it was discarded.`,
      );
    }
    writeStoredTokens(storage, key, null);
    return null;
  }
}

export function writeStoredTokens(storage: StorageLike, key: string, tokens: TokenSet | null): void {
  try {
    if (!tokens) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(toStored(tokens)));
  } catch (error) {
    if (process.env.NODE_ENV !== 'production') {
      warnOnce(`storage failed (${(error as Error)?.name}); the session goes on in memory.`);
    }
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
