import type { AuthRequest } from '@reauth/core';
import type { AuthRequestInit } from './options';

/** One logical request: what the authorizer needs to know of it, and how to send it (again). */
export interface Outgoing {
  readonly request: AuthRequest;
  /** A stream body is read as it is sent: it can't be sent again. */
  readonly isStream?: boolean;
  /** The arguments of the next send, with `value` in the header `name` (null: the headers as they are). */
  next(name: string, value: string | null): SendArgs;
}

/** The arguments of one call of fetch. */
export type SendArgs = [RequestInfo | URL, (RequestInit | undefined)?];

/** The headers a send carried, for the diagnosis of its 401. */
export const headersOf = ([input, init]: SendArgs): Headers =>
  new Headers((init ?? (input as Request)).headers);

// fetch turns every body into bytes when a Request is built, but a stream or (Node) an async iterable.
const isStreamLike = (body: object) =>
  typeof (body as ReadableStream).getReader === 'function' || Symbol.asyncIterator in body;

/**
 * A body fetch made from bytes is a byte stream; a caller's own stream is not (unless made so). Only the body
 * of a Request built from bytes tells: one built from another Request is not (Node) — ky and openapi-fetch
 * pass the first kind. Where BYOB readers don't exist, nothing tells: bytes are assumed, and teed.
 */
function isByteStream(body: ReadableStream): boolean {
  try {
    body.getReader({ mode: 'byob' }).releaseLock();
    return true;
  } catch {
    return typeof ReadableStreamBYOBReader === 'undefined';
  }
}

/**
 * Prepares a call of fetch for one send or more. A URL with no body or a string body is sent as given (the hot
 * path: no Request built, nothing copied). Anything else is built into a Request once, by fetch's own rules
 * (init overrides the Request's fields; a used body throws), and each send takes a tee of its body.
 * `isCustomHeader`: the token goes in a header other than Authorization.
 */
export function outgoing(
  input: RequestInfo | URL,
  init?: AuthRequestInit,
  isCustomHeader?: boolean,
): Outgoing {
  const skipAuth = init?.skipAuth;
  // fetch drops only Authorization on a redirect to another origin: a token in another header would follow it
  // there. A send with one refuses redirects, unless the caller chose a mode (a Request's is 'follow' by default).
  const refuse: RequestInit =
    isCustomHeader && !init?.redirect && (input as Request | null)?.redirect !== 'manual'
      ? { redirect: 'error' }
      : {};
  const given = init?.body;
  if (typeof (input as Request | null)?.url !== 'string' && (given == null || typeof given === 'string')) {
    // A null signal is no signal: the authorizer reads it with `?.`.
    const signal = init?.signal as AbortSignal | undefined;
    return {
      request: { url: String(input), method: init?.method, signal, skipAuth },
      next(name, value) {
        if (value === null) return [input, init];
        const headers = new Headers(init?.headers);
        headers.set(name, value);
        return [input, { ...init, headers, ...refuse }];
      },
    };
  }
  const inputBody = (input as Request).body;
  const isStream = given != null ? isStreamLike(Object(given)) : !!inputBody && !isByteStream(inputBody);
  let spare = new Request(input as RequestInfo, init);
  const { body, url, method, signal } = spare;
  return {
    request: { url, method, signal, skipAuth },
    isStream,
    next(name, value) {
      let sent = spare;
      // The copy keeps what this send reads: a replay sends the same bytes with the same content type.
      if (body && !isStream) spare = sent.clone();
      if (value !== null) {
        const headers = new Headers(sent.headers);
        headers.set(name, value);
        sent = new Request(sent, { headers, ...refuse });
      }
      return [sent];
    },
  };
}
