import { misuse } from './errors';
import type { CookieSessionInput, ReauthHandler, ReauthReason, TokensInput } from './types';
import type { Deferred } from './utils';

/** A registration of an `onReauth` handler. */
export type HandlerEntry = { handler: ReauthHandler };

/** An open re-authentication prompt. */
export interface Prompt {
  done: Deferred<void>;
  controller: AbortController;
  /** The registration whose handler is prompting. */
  entry: HandlerEntry;
}

/** How a prompt reports back: as an action of the session's machine. */
export type PromptReport = (
  action:
    | { type: 'reauthAnswer'; prompt: Prompt; result: TokensInput | CookieSessionInput | null | undefined }
    | { type: 'reauthCancel'; prompt: Prompt; cause: unknown; isEverywhere: true },
) => void;

/**
 * The prompt worker: asks the prompt's handler for tokens and reports the answer (a throw is a dismissal).
 */
export function runPrompt(
  prompt: Prompt,
  reason: ReauthReason,
  report: PromptReport,
  { acrValues = [], maxAge }: { acrValues?: string[]; maxAge?: number | undefined } = {},
): void {
  Promise.resolve()
    .then(() => prompt.entry.handler({ reason, signal: prompt.controller.signal, acrValues, maxAge }))
    .then(
      (result) => report({ type: 'reauthAnswer', prompt, result }),
      (cause) => report({ type: 'reauthCancel', prompt, cause, isEverywhere: true }),
    );
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
