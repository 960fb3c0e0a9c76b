import { misuse } from './errors';
import type { ReauthHandler, ReauthReason, TokensInput } from './types';
import { type Deferred, warnOnce } from './utils';

declare const process: { env: { NODE_ENV?: string } };

/** A registration of an `onReauth` handler. */
export type HandlerEntry = { handler: ReauthHandler };

/** An open re-authentication prompt. */
export interface Prompt {
  done: Deferred<void>;
  controller: AbortController;
  /** The registration whose handler is prompting. */
  entry: HandlerEntry;
}

/** How a prompt reports back; the session ignores reports of a prompt it no longer has open. */
export interface PromptReport {
  /** Signs in with the handler's tokens; throws a TypeError when they are refused. */
  onSignIn(prompt: Prompt, tokens: TokensInput): void;
  onDismiss(prompt: Prompt, cause?: unknown): void;
  /** Whether the session still waits on this prompt. */
  isOpen(prompt: Prompt): boolean;
}

/**
 * The prompt worker: asks the prompt's handler for tokens and reports the answer. Null, undefined or a throw is a
 * dismissal; tokens `signIn` refuses count as one too.
 */
export function runPrompt(prompt: Prompt, reason: ReauthReason, report: PromptReport): void {
  Promise.resolve()
    .then(() => prompt.entry.handler({ reason, signal: prompt.controller.signal }))
    .then((result) => {
      if (!report.isOpen(prompt)) return;
      if (result == null) return report.onDismiss(prompt);
      try {
        report.onSignIn(prompt, result);
      } catch (error) {
        if (process.env.NODE_ENV !== 'production') {
          warnOnce(
            'the reauth handler resolved with tokens signIn() refuses; the prompt counts as dismissed.',
          );
        }
        report.onDismiss(prompt, error);
      }
    })
    .catch((error) => report.onDismiss(prompt, error));
}

/**
 * Registers a prompt handler in `handlers`; the last one registered prompts.
 *
 * @param onRemoved called with the registration when it is removed (its open prompt, if any, is dismissed there)
 * @returns a function that removes this registration
 */
export function addReauthHandler(
  handlers: HandlerEntry[],
  handler: ReauthHandler,
  onRemoved: (entry: HandlerEntry) => void,
): () => void {
  if (typeof handler !== 'function')
    throw misuse('onReauth(handler)', 'expected a function ({ reason, signal }) => Promise<tokens | null>');
  const entry = { handler };
  handlers.push(entry);
  return () => {
    const index = handlers.indexOf(entry);
    if (index >= 0) handlers.splice(index, 1);
    onRemoved(entry);
  };
}
