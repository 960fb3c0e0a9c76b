import { attachAuth } from '@reauth/axios';
import { createSession } from '@reauth/core';
import axios, { type AxiosAdapter, AxiosError, AxiosHeaders, type AxiosResponse } from 'axios';
import { createTimeline, type Timeline, type TimelineOptions } from '../createTimeline';

export const BASE_URL = 'https://api.example.test';

/** Distinctive token strings: a test searches the snapshot for the `SECRET` in them. */
const tokenOf = (kind: string, n: number) => `${kind}-${n}-SECRET-${'x'.repeat(8)}`;

/** Resolves after the next animation frame: when the timeline's batched notification has run. */
export const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/** A deferred promise a test settles by hand. */
export function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * A real session and axios instance with attachAuth and the timeline, on an in-test API: 200 for the tokens it
 * issued last, 401 (expired) for any other. `refreshGate` holds refreshes; `refuseRefresh` answers 400.
 */
export function setup(options: TimelineOptions = {}) {
  let issued = 0;
  let valid = '';
  const server = { refuseRefresh: false, refreshGate: Promise.resolve(), refreshes: 0, sends: 0 };
  const issue = () => {
    issued += 1;
    valid = tokenOf('access', issued);
    return { accessToken: valid, refreshToken: tokenOf('refresh', issued), expiresIn: 600 };
  };
  const session = createSession({
    crossTab: false,
    autoRefresh: false,
    refresh: async () => {
      server.refreshes += 1;
      await server.refreshGate;
      if (server.refuseRefresh) {
        const response = { status: 400, data: { error: 'invalid_grant' } } as AxiosResponse;
        throw new AxiosError(
          'Request failed with status code 400',
          'ERR_BAD_REQUEST',
          undefined,
          {},
          response,
        );
      }
      return issue();
    },
  });
  const adapter: AxiosAdapter = async (config) => {
    server.sends += 1;
    await new Promise((resolve) => setTimeout(resolve, 1));
    const sent = String(AxiosHeaders.from(config.headers).get('Authorization') ?? '');
    const isValid = valid !== '' && sent === `Bearer ${valid}`;
    const response: AxiosResponse = {
      data: isValid ? { ok: true } : { error: 'invalid_token' },
      status: isValid ? 200 : 401,
      statusText: isValid ? 'OK' : 'Unauthorized',
      headers: isValid
        ? {}
        : {
            'www-authenticate': 'Bearer error="invalid_token", error_description="The access token expired"',
          },
      config,
      request: {},
    };
    if (isValid) return response;
    throw new AxiosError('Request failed with status code 401', 'ERR_BAD_REQUEST', config, {}, response);
  };
  let tick = 0;
  const timeline = createTimeline(session, { now: () => ++tick, ...options });
  const http = axios.create({ baseURL: BASE_URL, adapter: timeline.wrapAdapter(adapter) });
  attachAuth(http, session);
  timeline.trackRequests(http);
  const signIn = () => session.signIn(issue());
  /** The server forgets the current token: the next request is refused as expired. */
  const expire = () => {
    valid = '';
  };
  return { session, http, timeline, server, signIn, expire };
}

/** Holds the next refreshes until the test lets them go. */
export function holdRefresh(server: { refreshGate: Promise<void> }) {
  const gate = deferred();
  server.refreshGate = gate.promise;
  return gate;
}

/** How many sends got a diagnosed 401 so far. */
export const diagnosed = (timeline: Timeline) =>
  timeline.getSnapshot().requests.filter((request) => request.sends.some((send) => send.diagnosis)).length;
