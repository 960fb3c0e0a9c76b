import { watchExpiry } from './autoRefresh';
import { AuthError, misuse } from './errors';
import { type AuthEventInput, INTERNALS, isolated, type SessionInternals } from './internals';
import { createMachine } from './machine';
import { resolveOptions } from './options';
import { addReauthHandler, type HandlerEntry } from './reauth';
import { connectSessionTabs } from './sessionTabs';
import { normalizeInput, type TokenSet } from './tokens';
import type {
  AnySessionOptions,
  AuthEvent,
  CookieSessionInput,
  RefreshCookieOptions,
  Session,
  SessionCookieOptions,
  SessionOptions,
  TokensInput,
} from './types';
import { waitFor, warnOnce } from './utils';

/**
 * Creates a session: token state, single-flight refresh, request gate and re-authentication.
 *
 * @param options how to refresh, where to store, and timings
 * @returns the session the adapters and React bindings share
 * @example
 * const session = createSession({
 *   refresh: ({ refreshToken }) => api.post('/auth/refresh', { refreshToken }, { skipAuth: true }).then((r) => r.data),
 *   storage: localStorage,
 * });
 */
export function createSession(options?: SessionOptions): Session<undefined>;
/** With the refresh token in an httpOnly cookie: `refresh({ refreshToken: null, signal })` is required. */
export function createSession(options: RefreshCookieOptions): Session<'refresh'>;
/** A cookie session: no token in JS, no auth header; `refresh` is an optional sliding-session call. */
export function createSession(options: SessionCookieOptions): Session<'session'>;
export function createSession(options: AnySessionOptions): Session;
export function createSession(options: AnySessionOptions = {}): Session {
  const resolved = resolveOptions(options);
  const { refreshLeewayMs, getRoles, now, crossTab, autoRefresh, wake, cookies } = resolved;

  const listeners = new Set<(event: AuthEvent) => void>();
  const emit = (event: AuthEventInput) => {
    const stamped = { ...event, at: now() } as AuthEvent;
    for (const listener of [...listeners]) listener(stamped);
  };
  const handlers: HandlerEntry[] = [];
  const machine = createMachine(resolved, emit, handlers);
  const { store, dispatch, tokens, refresh, canRefresh } = machine;
  const tabs = crossTab ? connectSessionTabs(machine, crossTab, resolved) : null;
  machine.connect(tabs);
  // A new tab asks the open ones for the session; its requests wait for the answer, a moment at most.
  let asking = tabs && !tokens() ? tabs.ask() : null;
  asking?.then(() => {
    asking = null;
  });
  // A refresh cookie restores by a silent refresh, once no open tab has handed over the session.
  machine.restoreByCookie(asking);

  // Usable: not refused by the server and not expired by the clock. With refreshLeewayMs 0 the clock is not
  // trusted at all: only a 401 says a token is done.
  const isUsable = (set: TokenSet | null, at = now()) =>
    !!set &&
    !machine.isRefused(set) &&
    (refreshLeewayMs === 0 || set.expiresAt === null || set.expiresAt > at);
  // Asked before every request: the clock is read once.
  function needsRefresh(set: TokenSet): boolean {
    const at = now();
    return !isUsable(set, at) || (refreshDueAt(set) ?? Infinity) <= at;
  }
  /** When `set` enters its refresh leeway; null when the clock says nothing (no expiry, leeway 0, no refresh). */
  function refreshDueAt(set: TokenSet): number | null {
    if (refreshLeewayMs === 0 || set.expiresAt === null || !canRefresh(set)) return null;
    return set.expiresAt - (refreshLeewayMs ?? Math.min(30_000, (set.expiresAt - set.receivedAt) / 2));
  }

  function signIn(input?: TokensInput | CookieSessionInput): void {
    dispatch({
      type: 'signIn',
      // Answering a step-up (a prompt's complete()): a stronger access token; the refresh token given, else kept.
      tokens: normalizeInput(input, now(), machine.stepUp() ? tokens() : null, 'signIn(tokens)', cookies),
      kind: 'signIn',
    });
  }

  const willWait = () => {
    const set = tokens();
    const will = !!(machine.phase().name !== 'idle' || (asking && !set) || (set && needsRefresh(set)));
    // The environment is read only then: on a server, unbundled, `process.env` is a lookup on every request.
    if (will && process.env.NODE_ENV !== 'production' && machine.flight()?.isCalling) {
      warnOnce(
        'a request made inside refresh() waits for that very refresh, so it ends only at refreshTimeoutMs: send the refresh call with { skipAuth: true } (or a client without reauth), and do not call getAccessToken() in it.',
      );
    }
    return will;
  };

  async function getAccessToken({ signal }: { signal?: AbortSignal } = {}): Promise<string | null> {
    if (process.env.NODE_ENV !== 'production') willWait(); // warns when called inside refresh() and waiting
    if (asking && !tokens()) await waitFor(asking, signal);
    if (machine.isRestoring()) {
      await waitFor(machine.ready(), signal);
      // Restored nothing: the request goes out without a token (a refresh still landing is not waited for).
      if (!tokens()) return null;
    }
    const prompt = machine.prompt();
    const set = tokens();
    if (prompt) await waitFor(prompt.done.promise, signal);
    else if (machine.flight() || (set && needsRefresh(set))) {
      // Offline with a token still good: the refresh waits for the network, the request need not.
      if (set && isUsable(set) && machine.isOffline()) {
        refresh().catch(() => {});
        return cookies === 'session' ? null : set.accessToken;
      }
      try {
        await waitFor(refresh(), signal);
      } catch (error) {
        // A transient failure while the token is still good: send the request with it.
        if (signal?.aborted || !isUsable(tokens())) throw error;
      }
    }
    // A cookie session has no token: the browser sends the cookie.
    return cookies === 'session' ? null : (tokens()?.accessToken ?? null);
  }

  if (autoRefresh || wake) {
    const isIdle = (set: TokenSet | null): set is TokenSet =>
      !!set && machine.phase().name === 'idle' && canRefresh(set);
    const check = () => {
      const set = tokens();
      if (isIdle(set) && needsRefresh(set)) refresh().catch(() => {});
    };
    watchExpiry({
      ...resolved,
      subscribe: store.subscribe,
      // Not after a failed background refresh: the next request, the next visibility or `online` tries again.
      dueAt: () => {
        const set = tokens();
        return isIdle(set) && !store.getState().error ? refreshDueAt(set) : null;
      },
      check,
      onNetwork: machine.network,
    });
    // Tokens restored from an asynchronous storage are checked once they arrive, as restored ones are at start.
    if (autoRefresh && machine.isRestoring()) machine.ready().then(check);
  }

  const hasReauthHandler = () => handlers.length > 0;
  // The options (`now`, `cookies`, `signer`…), then the machine's own.
  const internals: SessionInternals = { ...resolved, ...machine, willWait, emit, hasReauthHandler };

  return Object.defineProperty<Session>(
    {
      getState: store.getState,
      subscribe: (listener) => store.subscribe(isolated(listener)),
      signIn,
      signOut() {
        machine.signedOutByUser();
        // A signed-out session may still run a silent refresh (a refresh cookie): it ends too.
        if (store.getState().status !== 'signedOut' || machine.flight())
          dispatch({ type: 'end', error: new AuthError('SIGNED_OUT') });
        else machine.clearStorage();
        tabs?.signOut();
      },
      getAccessToken,
      refresh,
      ready: machine.ready,
      restore: machine.restore,
      onReauth: (handler) =>
        addReauthHandler(handlers, handler, (entry) => {
          // Its prompt is open: no one can answer it now, so nothing may wait on it. Only here: another tab's
          // prompt may still be answered, so the other tabs are not signed out.
          const prompt = machine.prompt();
          if (prompt?.entry === entry) dispatch({ type: 'reauthCancel', prompt, isEverywhere: false });
          const stepUp = machine.stepUp();
          if (stepUp?.entry === entry)
            dispatch({ type: 'reauthCancel', prompt: stepUp, isEverywhere: false });
        }),
      hasRole(role) {
        if (typeof role !== 'string' && process.env.NODE_ENV !== 'production')
          throw misuse('hasRole(role)', 'expected a role name (a string)');
        const { user } = store.getState();
        const roles = user && getRoles(user);
        // A string would match by substring ('min' of 'admin'): only an array grants a role.
        const isList = Array.isArray(roles);
        if (!isList && roles && process.env.NODE_ENV !== 'production')
          warnOnce('getRoles must return an array of role names; hasRole() is false until it does.');
        return isList && roles.includes(role);
      },
      cancelReauth() {
        const prompt = machine.prompt();
        if (prompt) dispatch({ type: 'reauthCancel', prompt, isEverywhere: true });
      },
      on(type: string, listener: (event: never) => void) {
        if (process.env.NODE_ENV !== 'production') {
          isolated(listener, 'on(type, listener)');
          if (type !== '*' && !(EVENT_TYPES as readonly string[]).includes(type))
            warnOnce(`on('${type}') never fires: the events are ${EVENT_TYPES.join(', ')}.`);
        }
        // Isolated once here, not per event: a listener that throws must not break the session mid-update.
        const filtered = isolated((event: AuthEvent) => {
          if (type === '*' || event.type === type) (listener as (event: AuthEvent) => void)(event);
        });
        listeners.add(filtered);
        return () => void listeners.delete(filtered);
      },
    },
    INTERNALS,
    { value: internals },
  );
}

/** The events `on` can listen to (development checks only: production builds drop the list). */
export const EVENT_TYPES = [
  'signedIn',
  'signedOut',
  'refreshStart',
  'refreshSuccess',
  'refreshFailure',
  'reauthRequired',
  'reauthResolved',
  'reauthCancelled',
  'requestQueued',
  'requestReplayed',
  'unauthorized',
] as const satisfies readonly AuthEvent['type'][];
