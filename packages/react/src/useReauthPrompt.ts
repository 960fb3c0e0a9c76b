import type { ReauthContext } from '@reauth/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuthContext } from './AuthContext';
import type { ReauthPrompt } from './types';

/** An open re-authentication: what the prompt shows of it, and how to settle it. */
type Opened = Omit<ReauthContext, 'signal'> & {
  close: () => void;
};

/** No acr values asked for: one array, so the result keeps its identity across renders. */
const NONE: string[] = [];

/**
 * The state of a login modal that resumes your requests. Mounting it registers the session's reauth handler
 * (the latest mounted prompt is the active one; unmounting restores the previous one and dismisses its open
 * prompt). When a refresh is refused it opens once, however many requests wait.
 *
 * @returns `{ isOpen, reason, acrValues, maxAge, complete(tokens), dismiss() }` (`acrValues`, `maxAge`: a step-up's)
 * @example
 * function LoginModal() {
 *   const { isOpen, complete, dismiss } = useReauthPrompt();
 *   if (!isOpen) return null;
 *   const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
 *     event.preventDefault();
 *     const form = new FormData(event.currentTarget);
 *     const { data } = await api.post('/auth/login', Object.fromEntries(form), { skipAuth: true });
 *     complete(data); // every waiting request is replayed with the new token
 *   };
 *   return <form onSubmit={onSubmit}>…<button type="button" onClick={dismiss}>Cancel</button></form>;
 * }
 */
export function useReauthPrompt(): ReauthPrompt {
  const { session, signIn } = useAuthContext('useReauthPrompt');
  const [open, setOpen] = useState<Opened>();
  // The open prompts, the last shown: a step-up may open over a sign-in prompt, and each is answered in turn.
  const stack = useRef<Opened[]>([]);

  useEffect(() => {
    const show = (prompts: Opened[]) => {
      stack.current = prompts;
      setOpen(prompts.at(-1));
    };
    const unregister = session.onReauth(
      ({ signal, ...shown }) =>
        new Promise((resolve) => {
          // Dismissed, or no one needs this prompt any more (the signal: signed in here or elsewhere, signed out,
          // cancelled). Either way the handler gives up (null); after an abort the session ignores the answer.
          const close = () => {
            signal.removeEventListener('abort', close);
            show(stack.current.filter((other) => other !== opened));
            resolve(null);
          };
          const opened: Opened = { ...shown, close };
          if (signal.aborted) return resolve(null);
          signal.addEventListener('abort', close);
          show([...stack.current, opened]);
        }),
    );
    return () => {
      // The session dismisses a prompt that was open with this handler; the state goes with the component.
      stack.current = [];
      unregister();
    };
  }, [session]);

  const dismiss = useCallback(() => stack.current.at(-1)?.close(), []);

  return {
    isOpen: !!open,
    reason: open?.reason ?? null,
    acrValues: open?.acrValues ?? NONE,
    maxAge: open?.maxAge,
    // signIn itself (not the handler's promise) so that a TypeError on bad tokens reaches the form, and the
    // prompt stays open; on success the session aborts the prompt's signal, which closes it.
    complete: signIn,
    dismiss,
  };
}
