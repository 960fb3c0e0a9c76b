import { createStore } from 'zustand/vanilla';
import type { Tabs, TokensKind } from './crossTab';
import { AuthError } from './errors';
import type { AuthEventInput } from './internals';
import type { ResolvedOptions } from './options';
import { createTokenWriter, readLater } from './persist';
import { type HandlerEntry, type Prompt, runPrompt } from './reauth';
import { createFlight, dropFlight, type Flight, joinFlight, runFlight } from './refreshFlight';
import { decodeStored, normalizeInput, readStoredTokens, type TokenSet } from './tokens';
import type { CookieSessionInput, ReauthReason, SessionState, TokensInput } from './types';
import { type Deferred, deferred, warnOnce } from './utils';

/** Where the session is: idle (signed in or out), a refresh in flight, or a re-authentication prompt open. */
export type Phase =
  | { readonly name: 'idle' }
  /** Reading an asynchronous storage at start-up (or on `restore()`); requests wait for it. */
  | { readonly name: 'restoring'; readonly done: Deferred<void> }
  | { readonly name: 'refreshing'; readonly flight: Flight }
  | { readonly name: 'reauth'; readonly prompt: Prompt };

/**
 * Everything that changes a session besides starting a refresh or a prompt (`refresh`, `requireReauth`). The
 * workers report with the flight or prompt they run: a report of one the session no longer runs (superseded,
 * timed out, ended) changes nothing.
 */
export type Action =
  /** Tokens from a sign-in, another tab's refresh or answer (`fromTab`: not announced back). */
  | { type: 'signIn'; tokens: TokenSet; kind: TokensKind; fromTab?: boolean }
  /** The session ends: every waiter rejects with `error`; a refresh landing later is discarded. */
  | { type: 'end'; error: AuthError }
  /** What the read of `done`'s restore found (null: nothing, unreadable, failed or timed out). */
  | { type: 'restored'; done: Deferred<void>; read: () => TokenSet | null }
  | { type: 'refreshResult'; flight: Flight; result: unknown }
  | { type: 'refreshError'; flight: Flight; cause: unknown }
  /** Timeout and grace passed with no answer. */
  | { type: 'refreshAbandoned'; flight: Flight }
  /** Another tab was refused this refresh token (null: the shared refresh cookie). */
  | { type: 'refusedElsewhere'; refreshToken: string | null; since?: number | undefined }
  | { type: 'reauthAnswer'; prompt: Prompt; result: TokensInput | CookieSessionInput | null | undefined }
  /** `isEverywhere`: the user dismissed it, so the other tabs sign out too. */
  | { type: 'reauthCancel'; prompt: Prompt; cause?: unknown; isEverywhere: boolean };

/** A prompt's report: its answer, or its dismissal. */
type PromptAction = Extract<Action, { type: 'reauthAnswer' | 'reauthCancel' }>;

/**
 * The session's one owner of state: its phase, tokens and epoch change only here, in `dispatch`, `refresh` and
 * `requireReauth`, which also write the public state, settle the waiters, emit the events and tell the other
 * tabs. The refresh flight and the prompt are workers that report back through `dispatch`.
 */
export function createMachine(
  options: ResolvedOptions,
  emit: (event: AuthEventInput) => void,
  /** The registered prompt handlers: the last one prompts. */
  handlers: HandlerEntry[],
) {
  const { storage, storageKey, now, refreshTokens, refreshTimeoutMs, isRefreshRejected, cookies } = options;
  let phase: Phase = { name: 'idle' };
  let tabs: Tabs | null = null;
  let pending: Promise<string | null | undefined> | undefined;
  let tokens = readStoredTokens(
    storage,
    storageKey,
    options.isApp
      ? (read) => {
          pending = read;
        }
      : undefined,
  );
  let refusedToken: string | null = null;
  let refusedWhileRestoring: { refreshToken: string | null } | null = null;
  // With cookies: the server refused the cookie since the last sign-in (a signed-out 401 then prompts at once).
  let isCookieRefused = false;
  let epoch = 0;
  // What ended each session, by epoch: a late 401 rejects with the error that ended its own session.
  const endErrors = new Map<number, AuthError>();
  const {
    write: persist,
    isCurrent: isStorageCurrent,
    settled: writesSettled,
  } = createTokenWriter(storage, storageKey, refreshTimeoutMs);
  // With cookies, the browser holds the refresh credential: `refresh` is called whenever new tokens are needed.
  const canRefresh = (set: TokenSet) => !!refreshTokens && (!!cookies || !!set.refreshToken);
  /** Signed out with a refresh cookie that may still be good: a 401 tries one silent refresh first. */
  const canRefreshSignedOut = () => !!cookies && !!refreshTokens && !isCookieRefused;
  /**
   * Tokens as this session's model holds them: null for another model's (a cookie session's marker, or tokens
   * where a cookie session is run); with cookies, without a refresh token (one stored or sent by the model before
   * is never presented).
   */
  const fit = (set: TokenSet): TokenSet | null => {
    if (!set.session !== (cookies !== 'session')) return null;
    // Bound (DPoP) to a key that is not the signer's: every send would be refused.
    const bound = (set.user?.cnf as { jkt?: unknown } | undefined)?.jkt;
    if (options.signer?.jkt && bound !== undefined && bound !== options.signer.jkt) return null;
    return cookies && set.refreshToken ? { ...set, refreshToken: null } : set;
  };
  /** Restored tokens of another model, or that can neither be used nor refreshed, are dropped from storage too. */
  const usable = (stored: TokenSet | null) => {
    const set = stored && fit(stored);
    if (stored && (!set || (!canRefresh(set) && set.expiresAt !== null && set.expiresAt <= now()))) {
      persist(null);
      return null;
    }
    // A refresh token left by the model before is not kept in storage either, where a script could read it.
    if (set !== stored) persist(set);
    return set;
  };
  tokens = usable(tokens);
  // In an app with a refresh cookie and no access token, restoring is a silent refresh (after the other tabs
  // were asked for the session: see `restoreByCookie`).
  const isCookieStartup = !pending && !tokens && options.isApp && cookies === 'refresh';
  if (pending || isCookieStartup) phase = { name: 'restoring', done: deferred() };
  const view = () => ({
    status: restoringOf()
      ? ('restoring' as const)
      : phase.name === 'reauth'
        ? ('reauthRequired' as const)
        : phase.name === 'refreshing' && tokens
          ? ('refreshing' as const)
          : tokens
            ? ('signedIn' as const)
            : ('signedOut' as const),
    user: tokens?.user ?? null,
    expiresAt: tokens?.expiresAt ?? null,
  });
  const store = createStore<SessionState>()(() => ({ ...view(), error: null }));
  /** Publishes the phase and tokens, and `error` when given. */
  const publish = (error?: AuthError | null) =>
    store.setState(error === undefined ? view() : { ...view(), error });
  /** Restoring from an asynchronous read: its outcome, or nothing after `refreshTimeoutMs` (entry untouched). */
  const restoreFrom = (read: Promise<string | null | undefined>, done: Deferred<void>) =>
    readLater(read, refreshTimeoutMs).then((raw) =>
      // Decoded only if still wanted: an unreadable entry is removed then, not under a sign-in made meanwhile.
      dispatch({ type: 'restored', done, read: () => decodeStored(raw, storage, storageKey) }),
    );
  if (pending && phase.name === 'restoring') restoreFrom(pending, phase.done);
  /** The other tabs asked for the session (a new tab's question), before restoring by a cookie refresh. */
  let asked: Promise<void> = Promise.resolve();
  /** A restore by the cookie failed transiently (offline, unreachable): coming back online restores again. */
  let isRestoreDue = false;
  /** Restoring ends with nothing restored: signed out, with `error` if any. */
  function finishRestore(done: Deferred<void>, error: AuthError | null = null) {
    phase = { name: 'idle' };
    publish(error);
    done.resolve();
  }
  /** Restoring: reading storage, or (a refresh cookie) the silent refresh that follows. */
  function restoringOf(p = phase): Deferred<void> | null {
    return p.name === 'restoring' ? p.done : p.name === 'refreshing' ? (p.flight.restoring ?? null) : null;
  }
  const endError = (of = epoch - 1) =>
    endErrors.get(of) ?? endErrors.get(epoch - 1) ?? new AuthError('SIGNED_OUT');
  const flightOf = (p = phase) => (p.name === 'refreshing' ? p.flight : null);
  const promptOf = (p = phase) => (p.name === 'reauth' ? p.prompt : null);
  const idle = () => {
    const flight = flightOf();
    dropFlight(flight, false);
    phase = { name: 'idle' };
    flight?.restoring?.resolve();
  };
  // Commits so far: a refresh() that waited for restoring knows whether new tokens came meanwhile.
  let commits = 0;
  const commit = (next: TokenSet) => {
    commits += 1;
    tokens = next;
    refusedToken = null;
    isCookieRefused = false;
    persist(next);
    publish(null);
  };
  /** A flight that landed without tokens: the session is idle again. */
  const failed = (flight: Flight, error: AuthError, terminal: boolean) => {
    idle();
    emit({ type: 'refreshFailure', error, terminal, durationMs: now() - flight.started });
  };

  /**
   * Opens a re-authentication prompt with the last registered handler, or joins the open one; with no handler
   * the session ends with `expired`.
   * @returns resolves when the prompt signs in; rejects when the session ends instead
   */
  function requireReauth(reason: ReauthReason, expired = new AuthError('SESSION_EXPIRED')): Promise<void> {
    const restoring = restoringOf();
    if (restoring) return restoring.promise.then(() => requireReauth(reason, expired));
    const open = promptOf();
    if (open) return open.done.promise;
    const entry = handlers[handlers.length - 1];
    if (!entry) {
      dispatch({ type: 'end', error: expired });
      return Promise.reject(expired);
    }
    const prompt: Prompt = { done: deferred(), controller: new AbortController(), entry };
    phase = { name: 'reauth', prompt };
    publish(reason === 'unauthenticated' ? null : expired);
    emit({ type: 'reauthRequired', reason, waiting: waiting.count });
    runPrompt(prompt, reason, dispatch);
    return prompt.done.promise;
  }

  /** The open step-up prompt (RFC 9470): beside the phase, since the session stays signed in meanwhile. */
  let stepUp: Prompt | null = null;
  /**
   * Opens the step-up prompt with the last registered handler, or joins the open one. Without a handler it
   * rejects with STEP_UP_REQUIRED; dismissed, with STEP_UP_CANCELLED; the session is kept either way.
   * @returns resolves when tokens meeting the step-up came (a sign-in)
   */
  function requireStepUp(acrValues: string[], maxAge: number | undefined): Promise<void> {
    if (stepUp) return stepUp.done.promise;
    const entry = handlers[handlers.length - 1];
    if (!entry) return Promise.reject(new AuthError('STEP_UP_REQUIRED'));
    const prompt: Prompt = { done: deferred(), controller: new AbortController(), entry };
    stepUp = prompt;
    emit({ type: 'reauthRequired', reason: 'step_up', waiting: waiting.count });
    runPrompt(prompt, 'step_up', dispatch, { acrValues, maxAge });
    return prompt.done.promise;
  }
  /** Ends the open step-up prompt: resolved by new tokens, or rejected with `error`. */
  function closeStepUp(error?: AuthError): void {
    const open = stepUp;
    if (!open) return;
    stepUp = null;
    open.controller.abort();
    if (error) open.done.reject(error);
    else open.done.resolve();
  }

  /**
   * Refreshes now, or joins the refresh in progress; waits at most `refreshTimeoutMs` for it.
   * @returns resolves once the session has usable tokens again (refreshed or re-authenticated)
   */
  function refresh(): Promise<void> {
    // A storage read is waited for; the silent refresh of a refresh cookie is joined. New tokens meanwhile (that
    // refresh, a sign-in, another tab's) are what was asked for; a sign-out is the end of it.
    if (phase.name === 'restoring') {
      const at = epoch;
      const seen = commits;
      return phase.done.promise.then(() =>
        epoch !== at ? Promise.reject(endError(at)) : commits !== seen ? undefined : refresh(),
      );
    }
    const open = promptOf();
    if (open) return open.done.promise;
    const sent = tokens;
    let flight = flightOf();
    if (!sent && !flight && !canRefreshSignedOut())
      return Promise.reject(
        new AuthError('SIGNED_OUT', { message: 'refresh() needs a signed-in session; call signIn() first.' }),
      );
    // Held for the network, which may be back without a word (no listener): a new caller looks again.
    if (flight?.isWaitingOnline && !isKnownOffline()) send(flight);
    if (!flight) {
      if (sent && !canRefresh(sent))
        return requireReauth(cookies === 'session' ? 'unauthenticated' : 'no_refresh_token');
      flight = start(sent);
    }
    return joinFlight(flight, refreshTimeoutMs, (outcome) => {
      const open = promptOf();
      return outcome === 'ok' || (!open && tokens)
        ? undefined
        : open
          ? open.done.promise
          : Promise.reject(endError());
    });
  }
  /** A new flight renewing `sent` (null: signed out, with a refresh cookie); `restoring` while it restores. */
  function start(sent: TokenSet | null, restoring?: Deferred<void>): Flight {
    const flight = createFlight(sent, now(), restoring);
    phase = { name: 'refreshing', flight };
    if (restoring && refreshTimeoutMs < Infinity) {
      // The user waits on restoring: it ends at the timeout, signed out; the call may still land in its grace.
      flight.restoreEnds = setTimeout(() => {
        if (flightOf() !== flight) return;
        flight.restoring = undefined;
        isRestoreDue = true;
        publish(new AuthError('REFRESH_TIMEOUT'));
        restoring.resolve();
      }, refreshTimeoutMs);
    }
    publish();
    emit({ type: 'refreshStart', waiting: waiting.count });
    // A listener of refreshStart may have ended the session: nothing is sent for it then.
    if (flightOf() === flight) send(flight);
    return flight;
  }
  const isCurrent = (flight: Flight) => flightOf() === flight;
  let isOffline = false;
  const isKnownOffline = () => isOffline || (typeof navigator !== 'undefined' && navigator.onLine === false);
  /** Sends the flight's refresh, or (offline) holds it until the network is back, or it is abandoned. */
  const send = (flight: Flight) => {
    // Restoring does not wait for the network: offline, it ends signed out (the next 401 tries again).
    flight.isWaitingOnline = isKnownOffline() && !flight.restoring;
    if (!flight.isWaitingOnline) {
      runFlight(flight, { ...options, tabs, dispatch, isStorageCurrent, isCurrent, writesSettled });
    } else if (flight.grace === undefined && refreshTimeoutMs < Infinity) {
      flight.grace = setTimeout(() => dispatch({ type: 'refreshAbandoned', flight }), 2 * refreshTimeoutMs);
    }
  };

  /** Reads storage again when signed out and idle (on a server, the first read of an asynchronous one). */
  function restore(): Promise<void> {
    if (phase.name !== 'idle' || tokens) return restoringOf()?.promise ?? Promise.resolve();
    // Asked for: the cookie is tried again, whatever was learned of it.
    isRestoreDue = isCookieRefused = false;
    // A write still under way (a sign-out's removal above all) is read after it, not before.
    let read = writesSettled()?.then(() => storage.getItem(storageKey) as Promise<string | null | undefined>);
    const found = read
      ? null
      : readStoredTokens(storage, storageKey, (given) => {
          read = given;
        });
    if (!read && !found && cookies !== 'refresh') return Promise.resolve();
    // Restored as at start-up, whether read at once or later: no sign-in event, nothing told to other tabs.
    const done = deferred<void>();
    phase = { name: 'restoring', done };
    // Restoring shows while it takes time: an asynchronous read, or the refresh of a cookie.
    if (read || !found) publish();
    if (read) restoreFrom(read, done);
    else dispatch({ type: 'restored', done, read: () => found });
    return done.promise;
  }

  function dispatch(action: Action): void {
    const before = phase;
    const flight = (action as { flight?: Flight }).flight;
    const prompt = (action as { prompt?: Prompt }).prompt;
    // Reports of a flight or a prompt the session no longer runs change nothing, but with cookies: see `landed`.
    if (flight && flight !== flightOf()) {
      if (cookies && !flight.controller.signal.aborted) landed(flight, action);
      return;
    }
    if (prompt && prompt !== promptOf() && prompt !== stepUp) return;
    // Only a prompt's reports carry one: its answer, or its dismissal.
    if (prompt && prompt === stepUp) {
      answerStepUp(action as PromptAction);
      return;
    }
    switch (action.type) {
      case 'signIn': {
        const superseded = flightOf(before);
        const resolved = promptOf(before);
        idle();
        commit(action.tokens);
        // A sign-in while restoring wins: the late read is dropped.
        restoringOf(before)?.resolve();
        if (!action.fromTab) tabs?.announce(action.tokens, action.kind);
        // A refresh still in flight would write older tokens over these: drop it; its waiters go on with these.
        // With cookies, another tab's news does not cancel a sent refresh: the server may have rotated the cookie
        // already, and only its answer gives the browser the new one (its tokens are ignored when it lands).
        dropFlight(superseded, !(cookies && action.fromTab));
        superseded?.outcome.resolve('ok');
        const { user, expiresAt } = action.tokens;
        if (action.kind !== 'refresh') emit({ type: 'signedIn', user, expiresAt });
        else if (superseded)
          emit({ type: 'refreshSuccess', expiresAt, durationMs: now() - superseded.started });
        if (resolved) {
          resolved.controller.abort();
          resolved.done.resolve();
          emit({ type: 'reauthResolved' });
        }
        // New tokens from a sign-in (not a routine refresh, here or in another tab): the requests that asked for a
        // step-up try them. One reauthResolved per prompt, as one reauthRequired each.
        if (stepUp && action.kind !== 'refresh') {
          closeStepUp();
          emit({ type: 'reauthResolved' });
        }
        return;
      }
      case 'end': {
        const { error } = action;
        endErrors.set(epoch, error);
        endErrors.delete(epoch - 32);
        epoch += 1;
        tokens = refusedToken = null;
        phase = { name: 'idle' };
        persist(null);
        const lostFlight = flightOf(before);
        const lostPrompt = promptOf(before);
        dropFlight(lostFlight);
        lostFlight?.outcome.reject(error);
        lostPrompt?.controller.abort();
        lostPrompt?.done.reject(error);
        closeStepUp(error);
        const shown = error.code === 'SIGNED_OUT' ? null : error;
        publish(shown);
        restoringOf(before)?.resolve();
        emit({ type: 'signedOut', error: shown });
        return;
      }
      case 'restored': {
        if (restoringOf() !== action.done) return; // a sign-in, a sign-out or another tab's refresh came first
        const found = usable(action.read());
        // Refused in another tab while this one was reading: not presented again.
        tokens = found && found.refreshToken !== refusedWhileRestoring?.refreshToken ? found : null;
        refusedWhileRestoring = null;
        // A refresh cookie, and no access token: one silent refresh says whether the session is still there —
        // once the open tabs were asked (one may hand the session over), unless one heard it refused meanwhile.
        if (!tokens && cookies === 'refresh' && !isCookieRefused) {
          const { done } = action;
          asked.then(() => {
            if (restoringOf() !== done) return; // a sign-in (another tab's answer) or a sign-out came first
            if (isCookieRefused) finishRestore(done);
            else if (isKnownOffline()) {
              // Offline: not attempted; signed out until the network is back, which restores again.
              isRestoreDue = true;
              finishRestore(done, new AuthError('REFRESH_UNAVAILABLE'));
            } else start(null, done);
          });
          return;
        }
        finishRestore(action.done);
        return;
      }
      case 'refreshResult': {
        const { refreshToken, outcome, sent } = action.flight;
        let next: TokenSet;
        try {
          next = normalizeInput(action.result as TokensInput, now(), sent, 'refresh() result', cookies);
        } catch (cause) {
          transient(action.flight, new AuthError('REFRESH_UNAVAILABLE', { cause }));
          return;
        }
        idle();
        commit(next);
        tabs?.announce(next, 'refresh', refreshToken ?? undefined);
        emit({
          type: 'refreshSuccess',
          expiresAt: next.expiresAt,
          durationMs: now() - action.flight.started,
        });
        // A listener may have signed out inside the commit: then the waiters fail as signed out.
        if (tokens === next) outcome.resolve('ok');
        else outcome.reject(endError());
        return;
      }
      case 'refreshError': {
        const { cause, flight } = action;
        const isTerminal = isRejected(cause);
        // Offline: the refresh is sent again once the network is back (or abandoned after the grace period).
        if (!isTerminal && isKnownOffline() && !flight.restoring) {
          action.flight.isWaitingOnline = true;
          return;
        }
        if (!isTerminal) {
          transient(action.flight, new AuthError('REFRESH_UNAVAILABLE', { cause }));
          return;
        }
        if (cookies) isCookieRefused = true;
        if (!flight.sent) {
          // Signed out, and the cookie refused: no session to lose, so nothing expired. At start-up, signed out
          // quietly; on a 401, the user signs in as with any signed-out 401 (with no prompt, the 401 goes back).
          const refused = new AuthError('SIGNED_OUT', { cause });
          failed(flight, refused, true);
          publish(null);
          if (!flight.restoring) tabs?.refused(null, flight.sentAt);
          if (flight.restoring || !handlers.length) flight.outcome.reject(refused);
          else {
            requireReauth('unauthenticated').catch(() => {});
            flight.outcome.resolve('reauth');
          }
          return;
        }
        const expired = new AuthError('SESSION_EXPIRED', { cause });
        failed(flight, expired, true);
        tabs?.refused(flight.refreshToken, flight.sentAt);
        requireReauth('refresh_rejected', expired).catch(() => {});
        flight.outcome.resolve('reauth');
        return;
      }
      case 'refreshAbandoned': {
        transient(action.flight, new AuthError('REFRESH_TIMEOUT'));
        return;
      }
      case 'refusedElsewhere': {
        // With cookies: a refusal of a refresh sent before this tab's tokens came (a sign-in, elsewhere
        // too) concerns an older cookie.
        const { since } = action;
        if (cookies && tokens && since !== undefined && tokens.receivedAt > since) return;
        if (cookies) isCookieRefused = true;
        if (phase.name === 'restoring') refusedWhileRestoring = { refreshToken: action.refreshToken };
        const lost = flightOf();
        // With cookies every tab presents the one cookie: a refresh of this tab, signed out or not, waiting for
        // the lock would present the refused cookie again.
        const isOurs = cookies ? !!(tokens || lost) : !!tokens && tokens.refreshToken === action.refreshToken;
        if (!isOurs) return;
        dropFlight(lost);
        if (lost?.restoring) {
          // Restoring: signed out quietly, as if refused here.
          idle();
          publish(null);
          lost.outcome.reject(new AuthError('SIGNED_OUT'));
          return;
        }
        // This tab must not present it again: it re-authenticates as if refused here.
        if (lost) phase = { name: 'idle' };
        requireReauth(tokens ? 'refresh_rejected' : 'unauthenticated').catch(() => {});
        lost?.outcome.resolve('reauth');
        return;
      }
      case 'reauthAnswer': {
        const { result } = action;
        if (result == null) {
          dispatch({ type: 'reauthCancel', prompt: action.prompt, isEverywhere: true });
          return;
        }
        let next: TokenSet;
        try {
          next = normalizeInput(result, now(), null, 'signIn(tokens)', cookies);
        } catch (cause) {
          if (process.env.NODE_ENV !== 'production') {
            warnOnce(
              'the reauth handler resolved with tokens signIn() refuses; the prompt counts as dismissed.',
            );
          }
          dispatch({ type: 'reauthCancel', prompt: action.prompt, cause, isEverywhere: true });
          return;
        }
        dispatch({ type: 'signIn', tokens: next, kind: 'signIn' });
        return;
      }
      case 'reauthCancel': {
        const error = new AuthError('REAUTH_CANCELLED', { cause: action.cause });
        emit({ type: 'reauthCancelled', error });
        if (promptOf() !== action.prompt) return; // a listener signed in meanwhile
        dispatch({ type: 'end', error });
        if (action.isEverywhere) tabs?.signOut();
      }
    }
  }
  /** The step-up prompt's answer: tokens sign in (and resume its requests); a dismissal rejects only them. */
  function answerStepUp(action: PromptAction): void {
    const result = action.type === 'reauthAnswer' ? action.result : null;
    let next: TokenSet | null = null;
    let cause = action.type === 'reauthCancel' ? action.cause : undefined;
    if (result != null) {
      try {
        next = normalizeInput(result, now(), tokens, 'signIn(tokens)', cookies);
      } catch (error) {
        cause = error;
      }
    }
    if (next) {
      dispatch({ type: 'signIn', tokens: next, kind: 'signIn' });
      return;
    }
    const error = new AuthError('STEP_UP_CANCELLED', { cause });
    emit({ type: 'reauthCancelled', error });
    closeStepUp(error);
  }

  /**
   * A refresh that another tab's sign-in superseded still lands (see 'signIn'). It presented the cookie the jar held
   * when it went out, that sign-in's own if it came first. Refused, the cookie this session holds is refused unless
   * the session was received after it went out: as if heard from elsewhere, and told. Renewed, the browser holds the
   * cookie its answer set: a cookie session's requests sent before it are late 401s, here and in the other tabs (a
   * new generation, the user kept: the answer may be the older cookie's).
   */
  function landed(flight: Flight, action: Action): void {
    const since = flight.sentAt;
    if (action.type === 'refreshResult') {
      if (cookies === 'session' && tokens && !promptOf()) {
        dispatch({
          type: 'signIn',
          tokens: normalizeInput(undefined, now(), tokens, '', cookies),
          kind: 'refresh',
        });
      }
    } else if (
      action.type === 'refreshError' &&
      !(tokens && tokens.receivedAt > since) &&
      isRejected(action.cause)
    ) {
      tabs?.refused(null, since);
      dispatch({ type: 'refusedElsewhere', refreshToken: null, since });
    }
  }

  /** Whether a refresh failure is terminal (`isRefreshRejected`); a throwing predicate says transient. */
  function isRejected(cause: unknown): boolean {
    try {
      return isRefreshRejected(cause);
    } catch {
      return false; // the waiters must not hang on it
    }
  }

  /** Transient: the tokens are kept, the waiters reject with `error`. */
  function transient(flight: Flight, error: AuthError): void {
    if (flight.restoring) isRestoreDue = true;
    failed(flight, error, false);
    publish(error);
    flight.outcome.reject(error);
  }

  /** Requests waiting now, for events. */
  const waiting = { count: 0 };

  return {
    store,
    dispatch,
    refresh,
    requireReauth,
    requireStepUp,
    canRefresh,
    canRefreshSignedOut,
    waiting,
    /** Restoring: requests wait for `ready()`. */
    isRestoring: () => !!restoringOf(),
    endError,
    phase: () => phase,
    /** Whether the device is known to be offline (`navigator.onLine === false`, or `notify('offline')`). */
    isOffline: isKnownOffline,
    /** The device went offline, or came back: a refresh held for the network is sent. */
    network(isOnline: boolean) {
      isOffline = !isOnline;
      const flight = flightOf();
      if (isOnline && flight?.isWaitingOnline) send(flight);
      if (isOnline && isRestoreDue) void restore();
    },
    /** Resolves when restoring ends (at once when not restoring). */
    ready: () => restoringOf()?.promise ?? Promise.resolve(),
    /** Reads storage again when signed out and idle (on a server, the first read of an asynchronous one). */
    restore,
    /**
     * The start-up silent refresh of a refresh cookie, once `before` (the other tabs asked for the session) is
     * done: unless a tab's answer, a sign-in or a sign-out came first. An asynchronous read waits for it too.
     */
    restoreByCookie(before: Promise<void> | null) {
      if (before) asked = before;
      const done = phase.name === 'restoring' && !pending ? phase.done : null;
      if (done) dispatch({ type: 'restored', done, read: () => null });
    },
    /** An explicit sign-out: until the next sign-in, a 401 prompts instead of renewing from the cookie. */
    signedOutByUser() {
      if (cookies) isCookieRefused = true;
    },
    /** What another tab sent, as this session's model holds it (null: not of this model). */
    fit,
    /** The refresh in flight, if any. */
    flight: flightOf,
    /** The open re-authentication prompt, if any. */
    prompt: promptOf,
    /** The open step-up prompt, if any. */
    stepUp: () => stepUp,
    tokens: () => tokens,
    epoch: () => epoch,
    /** The server refused this token: it is not sent as valid again. */
    markRefused(token: string) {
      if (tokens?.accessToken === token) refusedToken = token;
    },
    isRefused: (set: TokenSet) => set.accessToken === refusedToken,
    /** A sign-out with nothing to end still clears what storage holds. */
    clearStorage: () => persist(null),
    connect(link: Tabs | null) {
      tabs = link;
    },
  };
}

export type Machine = ReturnType<typeof createMachine>;
