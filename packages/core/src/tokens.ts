import { misuse } from './errors';
import { decodeJwt } from './jwt';
import type {
  AsyncStorageLike,
  Claims,
  CookieMode,
  CookieSessionInput,
  StorageLike,
  TokensInput,
} from './types';
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
  /**
   * A cookie session (`cookies: 'session'`): no token in JS. `accessToken` is then a marker of this sign-in or
   * refresh, never sent: a 401 on a request of an earlier one is a late 401.
   */
  session?: true;
}

let generation = 0;

/** The tokens of a cookie session: the user, and a marker of this generation in place of a token. */
function sessionSet(user: Claims | null, receivedAt: number): TokenSet {
  return {
    accessToken: `session#${++generation}`,
    refreshToken: null,
    expiresAt: null,
    receivedAt,
    user,
    session: true,
  };
}

/**
 * What a session holds after `input`, in its model (`cookies`): `normalizeTokens` for tokens in JS; the
 * access token alone with `'refresh'` (a refresh token given is ignored); a user alone with `'session'`.
 * @param keep the refresh token to keep (tokens in JS), or the user to keep (a cookie session's refresh)
 */
export function normalizeInput(
  input: TokensInput | CookieSessionInput | null | undefined,
  now: number,
  keep: TokenSet | null,
  where: string,
  cookies: CookieMode | undefined,
): TokenSet {
  if (cookies === 'session') {
    const given = input ?? {};
    const user = typeof given === 'object' ? (given as CookieSessionInput).user : given;
    if (typeof given !== 'object' || (user != null && (typeof user !== 'object' || Array.isArray(user)))) {
      throw misuse(
        where,
        process.env.NODE_ENV !== 'production'
          ? "with cookies: 'session', expected { user? } (the user your app knows, e.g. from /me) or nothing"
          : '`user`',
      );
    }
    if (process.env.NODE_ENV !== 'production' && ('accessToken' in given || 'access_token' in given)) {
      warnOnce(`${where}: cookies: 'session' sends no token; the accessToken given is ignored.`);
    }
    return sessionSet(user === undefined ? (keep?.user ?? null) : user, now);
  }
  if (cookies === 'refresh' && input && typeof input === 'object') {
    const tokens = input as TokensInput;
    if ((tokens.refreshToken ?? tokens.refresh_token) != null) {
      if (process.env.NODE_ENV !== 'production' && where === 'signIn(tokens)') {
        warnOnce(
          "signIn(tokens): cookies: 'refresh' keeps the refresh token in an httpOnly cookie; the refreshToken given is ignored (better: don't return it to JS).",
        );
      }
      return normalizeTokens({ ...tokens, refreshToken: null, refresh_token: null }, now, null, where);
    }
  }
  return normalizeTokens(input as TokensInput, now, cookies ? null : (keep?.refreshToken ?? null), where);
}

const shown = (value: unknown) => (typeof value === 'number' ? String(value) : typeof value);

/** A finite number, 0 or more, also from a numeric string (some servers send `"3600"`). */
function toNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() ? Number(value) : value;
  return typeof n === 'number' && n >= 0 && n < Infinity ? n : undefined;
}

/**
 * Validates and normalizes tokens. Throws a TypeError naming the bad field (never its value). The expiry is
 * `expiresIn`, else `expiresAt`, else the JWT's `exp`; an unreadable one is a TypeError for `signIn`, but is
 * skipped (with a development warning) in a refresh result or stored data: the server has rotated the refresh
 * token by then, and throwing the answer away would lose the session.
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
      process.env.NODE_ENV !== 'production'
        ? `expected an object like { accessToken, refreshToken?, expiresIn? }, got ${input === null ? 'null' : typeof input}`
        : 'expected tokens',
    );
  }
  const accessToken = input.accessToken ?? input.access_token;
  if (typeof accessToken !== 'string' || !accessToken) {
    throw misuse(
      where,
      process.env.NODE_ENV !== 'production'
        ? `\`accessToken\` (or \`access_token\`) must be a non-empty string, got ${accessToken === '' ? 'an empty string' : typeof accessToken}`
        : '`accessToken`',
    );
  }
  // It goes into a header: a line break or a space there fails the send with an error that quotes the value.
  const bad = /[^\x21-\x7e]/.exec(accessToken);
  if (bad) {
    throw misuse(
      where,
      process.env.NODE_ENV !== 'production'
        ? `\`accessToken\` must be printable ASCII (a header value); character ${bad.index + 1} is not`
        : '`accessToken`',
    );
  }
  const refreshToken = input.refreshToken !== undefined ? input.refreshToken : input.refresh_token;
  if (refreshToken != null && typeof refreshToken !== 'string') {
    throw misuse(where, `\`refreshToken\` must be a string, null or undefined, got ${typeof refreshToken}`);
  }
  const user = decodeJwt(accessToken);
  const givenIn = input.expiresIn ?? input.expires_in;
  const expiresIn = toNumber(givenIn);
  let expiresAt = expiresIn === undefined ? toNumber(input.expiresAt) : undefined;
  const inSeconds = expiresAt !== undefined && expiresAt < 1e11 && now > 1e11;
  const problem =
    givenIn != null && expiresIn === undefined
      ? `\`expiresIn\` must be a number of seconds, 0 or more, got ${shown(givenIn)}`
      : expiresIn === undefined && input.expiresAt != null && (expiresAt === undefined || inSeconds)
        ? `\`expiresAt\` must be epoch milliseconds${inSeconds ? ' — this looks like seconds: multiply by 1000' : `, got ${shown(input.expiresAt)}`}`
        : null;
  if (problem) {
    if (where === 'signIn(tokens)') throw misuse(where, problem);
    if (process.env.NODE_ENV !== 'production')
      warnOnce(`${where}: ${problem}; the expiry is taken from elsewhere.`);
    if (inSeconds) expiresAt = undefined;
  }
  const exp = toNumber(user?.exp);
  // The server's token, which the app can't change: told in development, with what to do (production keeps the
  // expiry as read: unknown, or far off; a 401 still refreshes).
  if (
    process.env.NODE_ENV !== 'production' &&
    expiresIn === undefined &&
    expiresAt === undefined &&
    user?.exp != null &&
    (exp === undefined || (exp > 1e11 && now > 1e11))
  ) {
    warnOnce(
      `${where || 'restored tokens'}: the access token's \`exp\` claim ${exp === undefined ? 'is not a number' : 'looks like milliseconds'} (a JWT's is seconds); its expiry is ${exp === undefined ? 'unknown' : 'far off'}, so it is renewed only after a 401. Give \`expiresIn\` with the tokens.`,
    );
  }
  return {
    accessToken,
    refreshToken: refreshToken === undefined ? keep : refreshToken || null,
    expiresAt:
      expiresIn !== undefined
        ? now + expiresIn * 1000
        : (expiresAt ?? (exp === undefined ? null : exp * 1000)),
    receivedAt: now,
    user,
  };
}

/** The versioned shape tokens take in storage and in cross-tab messages. */
export function toStored({ accessToken, refreshToken, expiresAt, receivedAt, user, session }: TokenSet) {
  // A cookie session keeps only the non-secret user: its marker means nothing to another tab or a reload.
  return session
    ? { v: 1, session, user, receivedAt }
    : { v: 1, accessToken, refreshToken, expiresAt, receivedAt };
}

/** The tokens of the stored shape; throws on anything else (another version included). */
export function fromStored(data: unknown): TokenSet {
  const stored = data as
    | (TokensInput & { v?: unknown; receivedAt?: unknown; session?: unknown; user?: unknown })
    | null;
  const receivedAt = toNumber(stored?.receivedAt);
  if (stored?.v !== 1 || receivedAt === undefined) throw new TypeError('not a reauth session');
  if (stored.session === true)
    return normalizeInput(stored as CookieSessionInput, receivedAt, null, '', 'session');
  return { ...normalizeTokens(stored, receivedAt, null, ''), expiresAt: toNumber(stored.expiresAt) ?? null };
}

/** Any storage a session takes. */
export type AnyStorage = StorageLike | AsyncStorageLike;

const isThenable = (value: unknown): value is Promise<unknown> =>
  typeof (value as Promise<unknown> | null)?.then === 'function';

/**
 * What storage held, as tokens; what can't be read is discarded with a development warning, never thrown.
 * @param isKept leave an unreadable entry where it is, unsaid (a look that decides nothing about it)
 */
export function decodeStored(
  raw: unknown,
  storage: AnyStorage,
  key: string,
  isKept = false,
): TokenSet | null {
  try {
    return raw == null ? null : fromStored(JSON.parse(raw as string));
  } catch {
    if (isKept) return null;
    if (process.env.NODE_ENV !== 'production') {
      warnOnce(
        `storage under "${key}" held no readable reauth session (or one of another version); it was discarded.`,
      );
    }
    writeStoredTokens(storage, key, null);
    return null;
  }
}

/**
 * Reads stored tokens synchronously. An asynchronous storage's read is handed to `onPending` (or dropped): it is
 * never taken for "nothing stored", so nothing is removed that was not read.
 */
export function readStoredTokens(
  storage: AnyStorage,
  key: string,
  onPending?: (read: Promise<string | null | undefined>) => void,
): TokenSet | null {
  let raw: unknown;
  try {
    raw = storage.getItem(key);
  } catch {
    raw = '';
  }
  if (!isThenable(raw)) return decodeStored(raw, storage, key);
  if (onPending) onPending(raw as Promise<string | null | undefined>);
  else raw.then(undefined, () => {});
  return null;
}

/**
 * Stores (or with null, removes) the tokens. False when storage refused, so it no longer holds them; a Promise of
 * that with an asynchronous storage (a rejected write is a development warning, never an unhandled rejection).
 */
export function writeStoredTokens(
  storage: AnyStorage,
  key: string,
  tokens: TokenSet | null,
): boolean | Promise<boolean> {
  // What is stored is now out of date: a reload or another tab must not take it for the session.
  const refused = (error: unknown) => {
    try {
      const removed = storage.removeItem(key);
      if (isThenable(removed)) removed.then(undefined, () => {});
    } catch {}
    if (process.env.NODE_ENV !== 'production') {
      warnOnce(`storage failed (${(error as Error)?.name}); the session goes on in memory.`);
    }
    return false;
  };
  try {
    const done = tokens ? storage.setItem(key, JSON.stringify(toStored(tokens))) : storage.removeItem(key);
    return isThenable(done) ? done.then(() => true, refused) : true;
  } catch (error) {
    return refused(error);
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
