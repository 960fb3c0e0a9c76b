import { misuse } from './errors';
import { createMemoryStorage } from './tokens';
import type { AnySessionOptions, Claims, CookieMode } from './types';
import { getHttpStatus } from './utils';

/** `createSession`'s options with their defaults, checked: a misuse is a TypeError saying what was expected. */
export function resolveOptions(options: AnySessionOptions) {
  // Production throws the engine's own TypeError at the same call (destructuring null).
  if (process.env.NODE_ENV !== 'production' && (typeof options !== 'object' || !options))
    throw misuse('createSession', 'expected an options object, or nothing');
  const {
    refresh: refreshTokens,
    storage = createMemoryStorage(),
    storageKey = 'reauth',
    refreshLeewayMs,
    refreshTimeoutMs = 15_000,
    isRefreshRejected = (error: unknown) => [400, 401, 403].includes(getHttpStatus(error) as number),
    getRoles = rolesClaim,
    now = Date.now,
    crossTab = isBrowser() && typeof BroadcastChannel === 'function',
    autoRefresh = isBrowser(),
    wake,
    cookies,
    dpop,
  } = options as AnySessionOptions & { cookies?: unknown };
  // Production builds keep the option's name and drop the explanation.
  const check = (ok: boolean, option: string, expected: string | false) => {
    if (!ok) throw misuse('createSession', `\`${option}\` ${expected || 'is invalid'}`);
  };
  check(
    !refreshTokens || typeof refreshTokens === 'function',
    'refresh',
    process.env.NODE_ENV !== 'production' &&
      'must be a function ({ refreshToken, signal }) => Promise<tokens>',
  );
  check(
    refreshLeewayMs === undefined || (refreshLeewayMs >= 0 && refreshLeewayMs < Infinity),
    'refreshLeewayMs',
    process.env.NODE_ENV !== 'production' && 'must be a finite number of ms, 0 or more',
  );
  // Timers hold 2^31 - 1 ms at most, and the grace period doubles the timeout.
  check(
    refreshTimeoutMs > 0 && (refreshTimeoutMs <= 2 ** 30 || refreshTimeoutMs === Infinity),
    'refreshTimeoutMs',
    process.env.NODE_ENV !== 'production' &&
      'must be a positive number of ms, at most 2^30 (Infinity for none)',
  );
  // Development only (production takes them on trust): the types, where a value from an environment variable (a
  // string) would pass the checks above or read as true — '0' >= 0, and 'false' turns background refresh on.
  if (process.env.NODE_ENV !== 'production') {
    const isNumber = (value: unknown) => value === undefined || typeof value === 'number';
    check(isNumber(refreshLeewayMs), 'refreshLeewayMs', 'must be a number of ms, not a string');
    check(isNumber(refreshTimeoutMs), 'refreshTimeoutMs', 'must be a number of ms, not a string');
    check(
      typeof storageKey === 'string' && !!storageKey,
      'storageKey',
      'must be a non-empty string (one per app on the origin)',
    );
    check(typeof autoRefresh === 'boolean', 'autoRefresh', 'must be a boolean');
    check(
      typeof crossTab === 'boolean' || (!!crossTab && typeof crossTab === 'object'),
      'crossTab',
      'must be a boolean or { channelName?, lock? }',
    );
  }
  const { channelName = `reauth:${storageKey}`, lock } = typeof crossTab === 'object' ? crossTab : {};
  check(
    !lock || typeof lock.request === 'function',
    'crossTab.lock',
    process.env.NODE_ENV !== 'production' &&
      'must be a lock like navigator.locks: request(name, { signal }, callback)',
  );
  check(
    typeof getRoles === 'function',
    'getRoles',
    process.env.NODE_ENV !== 'production' && 'must be a function (claims) => string[]',
  );
  check(
    typeof isRefreshRejected === 'function',
    'isRefreshRejected',
    process.env.NODE_ENV !== 'production' && 'must be a function (error) => boolean',
  );
  // A clock answering NaN would make every token look expired: each request would refresh.
  check(
    typeof now === 'function' && Number.isFinite(now()),
    'now',
    process.env.NODE_ENV !== 'production' && 'must be a function () => epoch ms (a finite number)',
  );
  check(
    typeof storage?.getItem === 'function' &&
      typeof storage.setItem === 'function' &&
      typeof storage.removeItem === 'function',
    'storage',
    process.env.NODE_ENV !== 'production' &&
      'must have getItem, setItem and removeItem (localStorage works as is)',
  );

  check(
    cookies === undefined || cookies === 'refresh' || cookies === 'session',
    'cookies',
    process.env.NODE_ENV !== 'production' &&
      `must be 'refresh' (an httpOnly refresh cookie) or 'session' (a cookie session), or left out; got ${typeof cookies === 'string' ? `'${cookies}'` : typeof cookies}`,
  );
  check(
    cookies !== 'refresh' || !!refreshTokens,
    'refresh',
    process.env.NODE_ENV !== 'production' &&
      "is needed with cookies: 'refresh': a function ({ signal }) => Promise<{ accessToken, expiresIn? }> that calls your refresh endpoint with credentials",
  );
  check(
    wake === undefined || typeof wake === 'function',
    'wake',
    process.env.NODE_ENV !== 'production' && 'must be a function (notify) => unsubscribe',
  );
  check(
    dpop === undefined ||
      (typeof dpop?.sign === 'function' &&
        typeof dpop.observe === 'function' &&
        typeof dpop.scheme === 'string'),
    'dpop',
    process.env.NODE_ENV !== 'production' &&
      "must be a signer such as `await dpop()` from '@reauth/oauth' ({ scheme, sign, observe })",
  );
  check(
    !dpop || cookies !== 'session',
    'dpop',
    process.env.NODE_ENV !== 'production' &&
      "can't bind a cookie session: with cookies: 'session' no token is sent for a proof to go with",
  );

  return {
    /** Absent: both tokens in JS. */
    cookies: cookies as CookieMode | undefined,
    // One call shape inside: the refresh token, or null with cookies.
    refreshTokens: refreshTokens as
      | ((context: { refreshToken: string | null; signal: AbortSignal }) => Promise<unknown>)
      | undefined,
    storage,
    storageKey,
    refreshLeewayMs,
    refreshTimeoutMs,
    isRefreshRejected,
    getRoles,
    now,
    // On a server, sessions of different users share one process: they must never share tokens.
    crossTab: crossTab ? { channelName, lock } : null,
    autoRefresh,
    wake,
    /** The per-send signer (DPoP), if any. */
    signer: dpop,
    /** A browser page or React Native: restoring starts inside createSession (on a server, only by restore()). */
    isApp: isBrowser() || (typeof navigator !== 'undefined' && navigator.product === 'ReactNative'),
  };
}

/** A browser page (not a server, not a worker): where tabs share sessions and refresh in the background. */
const isBrowser = () => typeof window !== 'undefined' && typeof document !== 'undefined';

/** The default `getRoles`: the `roles` claim, an array or a space-separated string. */
function rolesClaim(claims: Claims): string[] {
  const { roles } = claims;
  if (typeof roles === 'string') return roles.split(' ').filter(Boolean);
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}

/** `createSession`'s options, checked, with their defaults. */
export type ResolvedOptions = ReturnType<typeof resolveOptions>;
