import type { AuthRequest } from '@reauth/core';
import type { AuthRequestInit, FetchLike } from './options';

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
 * One logical request: what the authorizer needs to know of it (it is the `AuthRequest` itself), and how to
 * send it (again). A URL with no body or a string body is sent as given (the hot path: no Request built,
 * nothing copied). Anything else is built into a Request once, by fetch's own rules (init overrides the
 * Request's fields; a used body throws), and each send takes a tee of its body.
 */
export class Outgoing implements AuthRequest {
  // Assigned in the constructor alone, in one order (`declare`: no field initialisers).
  declare readonly url: string;
  declare readonly method: string | undefined;
  declare readonly signal: AbortSignal | undefined;
  declare readonly skipAuth: boolean | undefined;
  /** A stream body is read as it is sent: it can't be sent again. */
  declare readonly isStream: boolean;
  /** What the latest send carried its headers in (a Request, or an init), for the diagnosis of its 401. */
  declare sent: { headers?: HeadersInit | undefined } | undefined;
  /** The Request the next send takes (bodies other than strings), else undefined. */
  declare private spare: Request | undefined;
  declare private readonly init: RequestInit | undefined;
  /** `{ redirect: 'error' }` where a send with a token refuses redirects. */
  declare private readonly refuse: RequestInit | undefined;

  /** `isCustomHeader`: the token goes in a header other than Authorization. */
  constructor(input: RequestInfo | URL, init: AuthRequestInit | undefined, isCustomHeader: boolean) {
    const given = init?.body;
    const isUrl = typeof (input as Request | null)?.url !== 'string';
    const isPlain = isUrl && (given == null || typeof given === 'string');
    const inputBody = isUrl ? null : (input as Request).body;
    // Read before a Request is built from the input: that takes its body.
    this.isStream =
      given != null ? !isPlain && isStreamLike(Object(given)) : !!inputBody && !isByteStream(inputBody);
    const spare = isPlain ? undefined : new Request(input as RequestInfo, init);
    this.init = init;
    this.spare = spare;
    this.sent = undefined;
    this.url = spare ? spare.url : String(input);
    // The Request's where one was built (it merged init's), else init's. A null signal is no signal: the
    // authorizer reads it with `?.`.
    this.method = (spare ?? init)?.method;
    this.signal = (spare ?? init)?.signal as AbortSignal | undefined;
    this.skipAuth = init?.skipAuth;
    // fetch drops only Authorization on a redirect to another origin: a token in another header would follow
    // it there. A send with one refuses redirects, unless the caller chose a mode (a Request's is 'follow' by
    // default).
    this.refuse =
      isCustomHeader && !init?.redirect && (input as Request | null)?.redirect !== 'manual'
        ? { redirect: 'error' }
        : undefined;
  }

  /**
   * Sends once with `fetch`, with `value` in the header `name` (null: the headers as they are) and the headers of
   * `proof` (a DPoP proof made for this send).
   */
  send(
    fetch: FetchLike,
    name: string,
    value: string | null,
    proof?: Readonly<Record<string, string>>,
  ): Promise<Response> {
    const { spare, init } = this;
    const headers = spare ? spare.headers : init?.headers;
    // No headers to merge with (the common GET): a plain record, which fetch reads once — a Headers object would
    // be built here and copied again by fetch.
    const auth: RequestInit | undefined =
      value === null
        ? undefined
        : {
            // (`null` is not "none": new Headers(null) throws, as fetch itself does for it.)
            headers:
              headers === undefined ? { [name]: value, ...proof } : withHeader(headers, name, value, proof),
            ...this.refuse,
          };
    // The copy keeps what this send reads: a replay sends the same bytes with the same content type.
    if (spare?.body && !this.isStream) this.spare = spare.clone();
    // The URL as read once, when its origin was checked — not the caller's URL object again, which may have been
    // changed since (while a refresh or a proof was awaited): fetch would read it anew, token attached.
    const input = spare ? (auth ? new Request(spare, auth) : spare) : this.url;
    const sent = spare ? undefined : auth ? { ...init, ...auth } : init;
    this.sent = sent ?? (input as Request);
    return fetch(input, sent);
  }
}

function withHeader(
  headers: HeadersInit,
  name: string,
  value: string,
  proof: Readonly<Record<string, string>> | undefined,
): Headers {
  const copy = new Headers(headers);
  copy.set(name, value);
  if (proof) for (const key in proof) copy.set(key, proof[key] as string);
  return copy;
}
