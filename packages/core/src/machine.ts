import { createStore } from 'zustand/vanilla';
import type { Tabs, TokensKind } from './crossTab';
import { AuthError } from './errors';
import type { AuthEventInput } from './internals';
import type { HandlerEntry, Prompt } from './reauth';
import { dropFlight, type Flight } from './refreshFlight';
import { readStoredTokens, type TokenSet, writeStoredTokens } from './tokens';
import type { ReauthReason, SessionState, SessionStatus, StorageLike } from './types';
import { deferred } from './utils';

/** Where the session is: idle (signed in or out), a refresh in flight, or a re-authentication prompt open. */
export type Phase =
  | { readonly name: 'idle' }
  | { readonly name: 'refreshing'; readonly flight: Flight }
  | { readonly name: 'reauth'; readonly prompt: Prompt };

/**
 * Everything that changes the session. Reports of the workers (`refresh*`, `reauth*`) name the flight or prompt
 * they come from: a report from one the session no longer runs (superseded, timed out, ended) changes nothing.
 */
export type Action =
  /** Tokens from a sign-in, a prompt, another tab's refresh or answer (`fromTab`: not announced back). */
  | { type: 'signIn'; tokens: TokenSet; kind: TokensKind; fromTab?: boolean }
  /** The session ends: every waiter rejects with `error`; a refresh landing later is discarded. */
  | { type: 'end'; error: AuthError }
  | { type: 'refreshStart'; flight: Flight }
  | { type: 'refreshSuccess'; flight: Flight; tokens: TokenSet }
  /** Transient: tokens kept. */
  | { type: 'refreshFailure'; flight: Flight; error: AuthError }
  /** Terminal: here (`error`, told to the other tabs) or in another tab (the flight, if any, dropped). */
  | { type: 'refreshRefused'; flight: Flight | null; error?: AuthError }
  | { type: 'reauthCancel'; prompt: Prompt; cause?: unknown; isEverywhere: boolean };

/** What the machine needs from its session. */
export interface MachineDeps {
  storage: StorageLike;
  storageKey: string;
  now(): number;
  canRefresh(set: TokenSet): boolean;
  emit(event: AuthEventInput): void;
  /** The registered prompt handlers: the last one prompts. */
  handlers: HandlerEntry[];
  /** Starts the prompt worker: calls its handler, which reports back with `signIn` or `reauthCancel`. */
  runPrompt(prompt: Prompt, reason: ReauthReason): void;
}

/**
 * The session's one owner of state: its phase, tokens and epoch change only in `dispatch`, which also writes the
 * public state, settles the waiters, emits the events and tells the other tabs. Every transition is here.
 */
export function createMachine(deps: MachineDeps) {
  const { storage, storageKey, now, canRefresh, emit } = deps;
  let phase: Phase = { name: 'idle' };
  let tabs: Tabs | null = null;
  let tokens = readStoredTokens(storage, storageKey);
  let refusedToken: string | null = null;
  let epoch = 0;
  // What ended each session, by epoch: a late 401 rejects with the error that ended its own session.
  const endErrors = new Map<number, AuthError>();
  // False after a write storage refused: what it holds (if anything) is older than the session.
  let isStorageCurrent = true;
  const persist = (set: TokenSet | null) => {
    isStorageCurrent = writeStoredTokens(storage, storageKey, set);
  };
  if (tokens && !canRefresh(tokens) && tokens.expiresAt !== null && tokens.expiresAt <= now()) {
    tokens = null;
    persist(null);
  }
  const status = (): SessionStatus =>
    phase.name === 'reauth'
      ? 'reauthRequired'
      : phase.name === 'refreshing'
        ? 'refreshing'
        : tokens
          ? 'signedIn'
          : 'signedOut';
  const store = createStore<SessionState>()(() => ({
    status: status(),
    user: tokens?.user ?? null,
    expiresAt: tokens?.expiresAt ?? null,
    error: null,
  }));
  /** Publishes the phase and tokens, with `error` when given. */
  const publish = (error?: AuthError | null) =>
    store.setState({
      status: status(),
      user: tokens?.user ?? null,
      expiresAt: tokens?.expiresAt ?? null,
      ...(error === undefined ? {} : { error }),
    });
  const endError = (of = epoch - 1) =>
    endErrors.get(of) ?? endErrors.get(epoch - 1) ?? new AuthError('SIGNED_OUT');
  const flightOf = (p: Phase) => (p.name === 'refreshing' ? p.flight : null);
  const promptOf = (p: Phase) => (p.name === 'reauth' ? p.prompt : null);
  const idle = () => {
    clearTimeout(flightOf(phase)?.grace);
    phase = { name: 'idle' };
  };
  const commit = (next: TokenSet) => {
    tokens = next;
    refusedToken = null;
    persist(next);
    publish(null);
  };
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
    const open = promptOf(phase);
    if (open) return open.done.promise;
    const entry = deps.handlers[deps.handlers.length - 1];
    if (!entry) {
      dispatch({ type: 'end', error: expired });
      return Promise.reject(expired);
    }
    const prompt: Prompt = { done: deferred(), controller: new AbortController(), entry };
    phase = { name: 'reauth', prompt };
    publish(reason === 'unauthenticated' ? null : expired);
    emit({ type: 'reauthRequired', reason, waiting: waiting.count });
    deps.runPrompt(prompt, reason);
    return prompt.done.promise;
  }

  function dispatch(action: Action): void {
    const before = phase;
    switch (action.type) {
      case 'signIn': {
        const superseded = flightOf(before);
        const resolved = promptOf(before);
        idle();
        commit(action.tokens);
        if (!action.fromTab) tabs?.announce(action.tokens, action.kind);
        // A refresh still in flight would write older tokens over these: drop it; its waiters go on with these.
        dropFlight(superseded);
        superseded?.outcome.resolve('ok');
        const { user, expiresAt } = action.tokens;
        if (action.kind !== 'refresh') emit({ type: 'signedIn', user, expiresAt });
        else if (superseded) {
          emit({ type: 'refreshSuccess', expiresAt, durationMs: now() - superseded.started });
        }
        if (resolved) {
          resolved.controller.abort();
          resolved.done.resolve();
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
        const shown = error.code === 'SIGNED_OUT' ? null : error;
        publish(shown);
        emit({ type: 'signedOut', error: shown });
        return;
      }
      case 'refreshStart':
        phase = { name: 'refreshing', flight: action.flight };
        publish();
        emit({ type: 'refreshStart', waiting: waiting.count });
        return;
    }
    // The reports of workers: only from the one the session runs now.
    if (action.type === 'reauthCancel') {
      const { prompt } = action;
      if (promptOf(phase) !== prompt) return;
      const error = new AuthError('REAUTH_CANCELLED', { cause: action.cause });
      emit({ type: 'reauthCancelled', error });
      if (promptOf(phase) !== prompt) return; // a listener signed in meanwhile
      dispatch({ type: 'end', error });
      if (action.isEverywhere) tabs?.signOut();
      return;
    }
    if (action.type === 'refreshRefused' && !action.flight) {
      // Refused in another tab: this tab must not present it again; it re-authenticates as if refused here.
      const lost = flightOf(phase);
      if (lost) phase = { name: 'idle' };
      dropFlight(lost);
      requireReauth('refresh_rejected').catch(() => {});
      lost?.outcome.resolve('reauth');
      return;
    }
    const flight = action.flight as Flight;
    if (flightOf(phase) !== flight) return;
    switch (action.type) {
      case 'refreshSuccess': {
        const next = action.tokens;
        idle();
        commit(next);
        tabs?.announce(next, 'refresh', flight.refreshToken);
        emit({ type: 'refreshSuccess', expiresAt: next.expiresAt, durationMs: now() - flight.started });
        // A listener may have signed out inside the commit: then the waiters fail as signed out.
        if (tokens === next) flight.outcome.resolve('ok');
        else flight.outcome.reject(endError());
        return;
      }
      case 'refreshFailure':
        failed(flight, action.error, false);
        publish(action.error);
        flight.outcome.reject(action.error);
        return;
      case 'refreshRefused': {
        const expired = action.error as AuthError;
        failed(flight, expired, true);
        tabs?.refused(flight.refreshToken);
        requireReauth('refresh_rejected', expired).catch(() => {});
        flight.outcome.resolve('reauth');
      }
    }
  }

  /** Requests waiting now, for events. */
  const waiting = { count: 0 };

  return {
    store,
    dispatch,
    requireReauth,
    waiting,
    endError,
    phase: () => phase,
    flight: () => flightOf(phase),
    prompt: () => promptOf(phase),
    tokens: () => tokens,
    epoch: () => epoch,
    isStorageCurrent: () => isStorageCurrent,
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
