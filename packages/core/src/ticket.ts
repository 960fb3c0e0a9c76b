import type { AuthRequest } from './authorizer';
import { resolveRequestUrl } from './origins';
import { redactUrl } from './utils';

/** What one send of a request carried. Opaque to adapters but for `mode` and `attempt`. */
export interface Ticket {
  /** `auth`: handled by reauth; `skip`: `skipAuth`; `foreign`: origin not allowed, no token. */
  readonly mode: 'auth' | 'skip' | 'foreign';
  readonly token: string | null;
  readonly epoch: number;
  /** Redacted, for events. */
  readonly url: string;
  readonly method: string;
  /** 0 for the first send, then 1 per replay. */
  readonly attempt: number;
  /** Headers the session's signer made for this send alone (`{ DPoP: proof }`): the adapter sends them too. */
  readonly proof?: Readonly<Record<string, string>> | undefined;
}

/** A ticket whose event URL is resolved and redacted only when an event needs it. */
export class RequestTicket implements Ticket {
  // Assigned in the constructor alone (`declare`: no second initialisation per request, no bytes).
  declare readonly mode: Ticket['mode'];
  declare readonly token: string | null;
  declare readonly epoch: number;
  declare readonly attempt: number;
  declare readonly request: AuthRequest;
  declare readonly proof: Readonly<Record<string, string>> | undefined;
  /** Sends of this request not counted against `maxRetries` (a DPoP nonce retry, a late step-up's retry). */
  declare readonly free: number;
  /** The session's tokens now: kept out of the URL shown in events, whatever parameter carries them. */
  declare private readonly secrets: () => (string | null | undefined)[];
  declare private shown: string | undefined;
  constructor(
    mode: Ticket['mode'],
    token: string | null,
    epoch: number,
    attempt: number,
    request: AuthRequest,
    secrets: () => (string | null | undefined)[],
    proof?: Readonly<Record<string, string>>,
    free = 0,
  ) {
    this.mode = mode;
    this.token = token;
    this.epoch = epoch;
    this.attempt = attempt;
    this.request = request;
    this.secrets = secrets;
    this.proof = proof;
    this.free = free;
    this.shown = undefined;
  }
  get method(): string {
    return (this.request.method ?? 'GET').toUpperCase();
  }
  get url(): string {
    if (this.shown === undefined) {
      const { url = '', baseURL } = this.request;
      let shown = redactUrl(resolveRequestUrl(url, baseURL)?.href ?? url);
      // The ticket's token and the session's too, wherever the URL carries them (opaque, any parameter name), as
      // given or percent-encoded (`?t=${encodeURIComponent(token)}`).
      for (const secret of [this.token, ...this.secrets()]) {
        for (const form of secret ? [secret, encodeURIComponent(secret)] : []) {
          shown = shown.split(form).join('[redacted]');
        }
      }
      this.shown = shown;
    }
    return this.shown;
  }
}
