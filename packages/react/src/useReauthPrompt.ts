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
/** No acr values asked for: one array, so the result keeps its identity across renders. */
const NONE: string[] = [];

export function useReauthPrompt(): ReauthPrompt {
  const { session } = useAuthContext('useReauthPrompt');
  const [open, setOpen] = useState<{ reason: ReauthReason; acrValues: string[]; maxAge?: number } | null>(
    null,
  );
  // Settles the open prompt's promise; null when none is open.
  const settle = useRef<((tokens: null | undefined) => void) | null>(null);

  useEffect(() => {
    const unregister = session.onReauth(
      ({ reason, signal, acrValues, maxAge }) =>
        new Promise((resolve) => {
          const close = (outcome: null | undefined) => {
            signal.removeEventListener('abort', onAbort);
            if (settle.current === close) settle.current = null;
            setOpen(null);
            resolve(outcome);
          };
          // Signed in (here or elsewhere), signed out, cancelled: no one needs this prompt any more.
          const onAbort = () => close(undefined);
          if (signal.aborted) return resolve(undefined);
          signal.addEventListener('abort', onAbort);
          settle.current = close;
          setOpen(maxAge === undefined ? { reason, acrValues } : { reason, acrValues, maxAge });
        }),
    );
    return () => {
      // The session dismisses a prompt that was open with this handler; the state goes with the component.
      settle.current = null;
      unregister();
    };
  }, [session]);

  // signIn itself (not the handler's promise) so that a TypeError on bad tokens reaches the form, and the
  // prompt stays open; on success the session aborts the prompt's signal, which closes it.
  const complete = useCallback(
    (tokens?: TokensInput | CookieSessionInput) => session.signIn(tokens),
    [session],
  );
  const dismiss = useCallback(() => settle.current?.(null), []);

  return {
    isOpen: open !== null,
    reason: open?.reason ?? null,
    acrValues: open?.acrValues ?? NONE,
    maxAge: open?.maxAge,
    complete,
    dismiss,
  };
}
