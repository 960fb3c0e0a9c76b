import type { AuthRequest } from '@reauth/core';
import type { AuthRequestInit } from './options';

/** The arguments of one call of fetch. */
export type SendArgs = [RequestInfo | URL, (RequestInit | undefined)?];

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
  readonly url: string;
  readonly method: string | undefined;
  readonly signal: AbortSignal | undefined;
  readonly skipAuth: boolean | undefined;
  /** A stream body is read as it is sent: it can't be sent again. */
  readonly isStream: boolean = false;
  /** The arguments of the latest send. */
  sent: SendArgs | undefined;
  /** The Request the next send takes (bodies other than strings), else undefined. */
  private spare: Request | undefined;
  private readonly refusesRedirects: boolean;

  /** `isCustomHeader`: the token goes in a header other than Authorization. */
  constructor(
    private readonly input: RequestInfo | URL,
    private readonly init: AuthRequestInit | undefined,
    isCustomHeader: boolean,
  ) {
    this.skipAuth = init?.skipAuth;
    // fetch drops only Authorization on a redirect to another origin: a token in another header would follow
    // it there. A send with one refuses redirects, unless the caller chose a mode (a Request's is 'follow' by
    // default).
    this.refusesRedirects =
      isCustomHeader && !init?.redirect && (input as Request | null)?.redirect !== 'manual';
    const given = init?.body;
    if (typeof (input as Request | null)?.url !== 'string' && (given == null || typeof given === 'string')) {
      this.url = String(input);
      this.method = init?.method;
      // A null signal is no signal: the authorizer reads it with `?.`.
      this.signal = init?.signal as AbortSignal | undefined;
      return;
    }
    const inputBody = (input as Request).body;
    this.isStream = given != null ? isStreamLike(Object(given)) : !!inputBody && !isByteStream(inputBody);
    const spare = new Request(input as RequestInfo, init);
    this.spare = spare;
    this.url = spare.url;
    this.method = spare.method;
    this.signal = spare.signal;
  }

  /** The arguments of the next send, with `value` in the header `name` (null: the headers as they are). */
  next(name: string, value: string | null): SendArgs {
    const { init, spare } = this;
    let sent: SendArgs;
    if (!spare) {
      if (value === null) sent = [this.input, init];
      else {
        const headers = new Headers(init?.headers);
        headers.set(name, value);
        const changed: RequestInit = { ...init, headers };
        if (this.refusesRedirects) changed.redirect = 'error';
        sent = [this.input, changed];
      }
    } else {
      let request = spare;
      // The copy keeps what this send reads: a replay sends the same bytes with the same content type.
      if (spare.body && !this.isStream) this.spare = spare.clone();
      if (value !== null) {
        const headers = new Headers(request.headers);
        headers.set(name, value);
        request = new Request(request, this.refusesRedirects ? { headers, redirect: 'error' } : { headers });
      }
      sent = [request];
    }
    this.sent = sent;
    return sent;
  }

  /** The headers the latest send carried, for the diagnosis of its 401. */
  sentHeaders(): Headers | undefined {
    const [input, init] = this.sent ?? [];
    return input === undefined ? undefined : new Headers((init ?? (input as Request)).headers);
  }
}
