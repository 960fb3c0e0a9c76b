import type { CookieSessionInput, ReauthReason, TokensInput } from '@reauth/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useAuthContext } from './AuthContext';
import type { ReauthPrompt } from './types';

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
/** What the prompt shows of an open re-authentication. */
type Shown = { reason: ReauthReason; acrValues: string[]; maxAge?: number };
/** An open re-authentication, and how to settle it. */
type Opened = { shown: Shown; close: (outcome: null | undefined) => void };

/** No acr values asked for: one array, so the result keeps its identity across renders. */
const NONE: string[] = [];

export function useReauthPrompt(): ReauthPrompt {
  const { session } = useAuthContext('useReauthPrompt');
  const [open, setOpen] = useState<Shown | null>(null);
  // The open prompts, the last shown: a step-up may open over a sign-in prompt, and each is answered in turn.
  const stack = useRef<Opened[]>([]);

  useEffect(() => {
    const show = () => {
      const top = stack.current[stack.current.length - 1];
      setOpen(top ? top.shown : null);
    };
    const unregister = session.onReauth(
      ({ reason, signal, acrValues, maxAge }) =>
        new Promise((resolve) => {
          const close = (outcome: null | undefined) => {
            signal.removeEventListener('abort', onAbort);
            stack.current = stack.current.filter((opened) => opened.close !== close);
            show();
            resolve(outcome);
          };
          // Signed in (here or elsewhere), signed out, cancelled: no one needs this prompt any more.
          const onAbort = () => close(undefined);
          if (signal.aborted) return resolve(undefined);
          signal.addEventListener('abort', onAbort);
          const shown = maxAge === undefined ? { reason, acrValues } : { reason, acrValues, maxAge };
          stack.current = [...stack.current, { shown, close }];
          show();
        }),
    );
    return () => {
      // The session dismisses a prompt that was open with this handler; the state goes with the component.
      stack.current = [];
      unregister();
    };
  }, [session]);

  // signIn itself (not the handler's promise) so that a TypeError on bad tokens reaches the form, and the
  // prompt stays open; on success the session aborts the prompt's signal, which closes it.
  const complete = useCallback(
    (tokens?: TokensInput | CookieSessionInput) => session.signIn(tokens),
    [session],
  );
  const dismiss = useCallback(() => stack.current[stack.current.length - 1]?.close(null), []);

  return {
    isOpen: open !== null,
    reason: open?.reason ?? null,
    acrValues: open?.acrValues ?? NONE,
    maxAge: open?.maxAge,
    complete,
    dismiss,
  };
}
