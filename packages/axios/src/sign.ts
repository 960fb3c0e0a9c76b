import type { Authorizer, Ticket } from '@reauth/core';
import { AxiosHeaders, type AxiosResponseTransformer, type InternalAxiosRequestConfig } from 'axios';

/** A config carrying the ticket of its send under the adapter's symbol. */
export type Carrier = InternalAxiosRequestConfig & { [ticket: symbol]: Ticket | undefined };

// A value AxiosHeaders#set stores as it is: printable ASCII, no space at either end (a token, say).
const isPlainValue = /^[!-~]([ -~]*[!-~])?$/;

/** Dropped by axios (its Node http adapter) on a redirect to another origin, as it drops Authorization. */
function sensitive(config: InternalAxiosRequestConfig, name: string): void {
  if (!config.sensitiveHeaders?.includes(name))
    config.sensitiveHeaders = [...(config.sensitiveHeaders ?? []), name];
}

/**
 * Makes `sign(config, ticket)`: puts the ticket's token on the config's headers (a replay never keeps the token
 * of its first send) and the ticket on the config under `key`.
 */
export function createSign(authorizer: Authorizer, key: symbol) {
  const { header } = authorizer;
  const lower = header.toLowerCase();
  // axios and follow-redirects drop Authorization (and the sensitiveHeaders) on a redirect to another origin.
  const isCustomHeader = lower !== 'authorization';
  // A name AxiosHeaders#set takes as a name (it parses anything else as raw header lines); core refuses a header
  // that is not an HTTP token.
  const isPlainName = lower !== '__proto__';
  // The last value found plain: a token is tested once, not on every request (tokens are long, requests many).
  let plain: string | undefined;
  const isPlain = (value: string) => {
    if (value === plain) return true;
    if (!isPlainValue.test(value)) return false;
    plain = value;
    return true;
  };
  return <C extends InternalAxiosRequestConfig>(config: C, ticket: Ticket): C => {
    // Another interceptor may have made it a plain object.
    const headers = AxiosHeaders.from(config.headers) as AxiosHeaders & Record<string, unknown>;
    const value = authorizer.credentials(ticket);
    // A replay never keeps the proof of an earlier send (a DPoP proof is made for one send alone).
    const before = (config as unknown as Carrier)[key]?.proof;
    if (before) for (const name in before) headers.delete(name);
    if (ticket.proof) {
      for (const name in ticket.proof) {
        headers.set(name, ticket.proof[name] as string);
        sensitive(config, name);
      }
      // Each answer's headers reach the signer (a DPoP-Nonce) before any response interceptor can reshape it.
      const observe: AxiosResponseTransformer = (data, answer) => {
        authorizer.observe(ticket, answer);
        return data;
      };
      (observe as unknown as Carrier)[key] = ticket;
      // The observer of an earlier send goes: one per send.
      config.transformResponse = [config.transformResponse ?? []]
        .flat()
        .filter((transform) => !(transform as unknown as Carrier)[key])
        .concat(observe);
    }
    if (value !== null) {
      // AxiosHeaders#set without its parsing and sanitising, which a plain name and value don't need (a sixth of
      // its time); set itself where the header is there already (in any case, or `false`).
      if (isPlainName && !headers.has(header) && isPlain(value)) headers[header] = value;
      else headers.set(header, value);
    }
    // A replay sent signed out drops the token its first send carried; a cookie session never set one.
    else if (ticket.attempt && authorizer.setsHeader) headers.delete(header);
    if (isCustomHeader) {
      sensitive(config, header);
      // axios's fetch adapter follows redirects as fetch does, which drops only Authorization: a send with the token
      // in another header refuses them (as @reauth/fetch's sends do), unless the caller chose a mode.
      if (value !== null && config.fetchOptions?.redirect === undefined)
        config.fetchOptions = { ...config.fetchOptions, redirect: 'error' };
    }
    config.headers = headers;
    (config as unknown as Carrier)[key] = ticket;
    return config;
  };
}
