import { AuthError, misuse } from './errors';
import type { AuthEventInput } from './internals';
import type { ReauthHandler, ReauthReason, Session, SessionState } from './types';
import { type Deferred, deferred, warnOnce } from './utils';

declare const process: { env: { NODE_ENV?: string } };

/** A registration of an `onReauth` handler. */
type HandlerEntry = { handler: ReauthHandler };

/** An open re-authentication prompt. */
export interface Reauth {
  done: Deferred<void>;
  controller: AbortController;
  /** The registration whose handler is prompting. */
  entry: HandlerEntry;
}

/** What re-authentication needs of its session. */
export interface ReauthDeps {
  /** The open prompt, if any. */
  reauth: Reauth | null;
  /** One entry per registration, so removing one registration of a handler leaves the others. */
  handlers: HandlerEntry[];
  /** Requests waiting now, for events. */
  waiting: { count: number };
  emit(event: AuthEventInput): void;
  setState(state: Partial<SessionState>): void;
  signIn: Session['signIn'];
  endSession(error: AuthError): void;
  /** Tells the other tabs that the session ended (they share it). */
  signOutOtherTabs(): void;
}

/**
 * Opens a re-authentication prompt with the last registered handler, or joins the open one; with no handler
 * the session ends with `expired`.
 *
 * @returns a promise that resolves when the prompt signs in, and rejects when the session ends instead
 */
export function requireReauth(
  ctx: ReauthDeps,
  reason: ReauthReason,
  expired = new AuthError('SESSION_EXPIRED'),
): Promise<void> {
  if (ctx.reauth) return ctx.reauth.done.promise;
  const entry = ctx.handlers[ctx.handlers.length - 1];
  if (!entry) {
    ctx.endSession(expired);
    return Promise.reject(expired);
  }
  const current: Reauth = { done: deferred(), controller: new AbortController(), entry };
  ctx.reauth = current;
  ctx.setState({ status: 'reauthRequired', error: reason === 'unauthenticated' ? null : expired });
  ctx.emit({ type: 'reauthRequired', reason, waiting: ctx.waiting.count });
  Promise.resolve()
    .then(() => entry.handler({ reason, signal: current.controller.signal }))
    .then((result) => {
      if (ctx.reauth !== current) return;
      if (result == null) return dismissReauth(ctx, current);
      try {
        ctx.signIn(result);
      } catch (error) {
        if (process.env.NODE_ENV !== 'production') {
          warnOnce(
            'the reauth handler resolved with tokens signIn() refuses; the prompt counts as dismissed.',
          );
        }
        dismissReauth(ctx, current, error);
      }
    })
    .catch((error) => dismissReauth(ctx, current, error));
  return current.done.promise;
}

/**
 * Cancels the prompt `which` if it is still the open one: the session ends with `REAUTH_CANCELLED`, and, when
 * the user chose it (`isEverywhere`), in the other tabs too: their prompts for the same session close.
 */
export function dismissReauth(
  ctx: ReauthDeps,
  which: Reauth | null,
  cause?: unknown,
  isEverywhere = true,
): void {
  if (!which || ctx.reauth !== which) return;
  const error = new AuthError('REAUTH_CANCELLED', { cause });
  ctx.emit({ type: 'reauthCancelled', error });
  if (ctx.reauth !== which) return; // a listener signed in meanwhile
  ctx.endSession(error);
  if (isEverywhere) ctx.signOutOtherTabs();
}

/**
 * Registers a prompt handler; the last one registered prompts.
 *
 * @returns a function that removes this registration (and dismisses its prompt if it is open)
 */
export function addReauthHandler(ctx: ReauthDeps, handler: ReauthHandler): () => void {
  if (typeof handler !== 'function')
    throw misuse('onReauth(handler)', 'expected a function ({ reason, signal }) => Promise<tokens | null>');
  const entry = { handler };
  ctx.handlers.push(entry);
  return () => {
    const index = ctx.handlers.indexOf(entry);
    if (index >= 0) ctx.handlers.splice(index, 1);
    // Its prompt is open: no one can answer it now, so nothing may wait on it. Only here: another tab's prompt
    // may still be answered, so the other tabs are not signed out.
    if (ctx.reauth?.entry === entry) dismissReauth(ctx, ctx.reauth, undefined, false);
  };
}
