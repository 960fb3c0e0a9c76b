import { createAuthFetch } from '@reauth/fetch';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_ORIGIN,
  FOREIGN_ORIGIN,
  interleavingsProperty,
  type SessionModel,
  sessionModelProperty,
  type Transport,
  usePropertyHooks,
  withDpop,
} from '#test-support/model';
import { runParameters, runTimeout } from '#test-support/runParameters';
import { fetchTransport, modelFetch } from './support/propertyModel';

/**
 * fetchTransport with GETs to the foreign origin too: a second createAuthFetch on the same session, over the
 * model's fetch as the foreign origin's server (the model sees where each send went).
 */
const fetchWithForeignOrigin: Transport = {
  ...fetchTransport,
  connect(model, session) {
    const foreignServer = modelFetch({
      ...model,
      serve: (request, abortError) => model.serve({ ...request, origin: FOREIGN_ORIGIN }, abortError),
    });
    const foreignFetch = createAuthFetch(session, {
      allowedOrigins: [API_ORIGIN],
      fetch: (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (new URL(url).origin !== FOREIGN_ORIGIN) throw new Error(`${url} is not on the foreign origin`);
        return foreignServer(input, init);
      },
    });
    return {
      ...fetchTransport.connect(model, session),
      sendForeign: async (init) => {
        const response = await foreignFetch(`${FOREIGN_ORIGIN}/asset`, init);
        return { status: response.status, data: await response.json() };
      },
    };
  },
};

describe('properties over random interleavings', () => {
  usePropertyHooks();

  it(
    'fetch + session hold every invariant whatever order answers, expiries, aborts and sign-outs land in',
    async () => {
      await fc.assert(interleavingsProperty(fetchTransport), runParameters(300));
    },
    runTimeout(60_000, 300),
  );

  // DPoP (RFC 9449): every send and replay signed anew, the proofs checked by the server before the model answers.
  it.each<[SessionModel, string]>([
    ['tokens', 'both tokens in JS'],
    ['refresh', "cookies: 'refresh'"],
  ])(
    'fetch + a DPoP-bound session in the %s model (%s): every invariant, and a fresh proof for each send',
    async (sessionModel) => {
      const transport = withDpop(fetchWithForeignOrigin);
      await fc.assert(sessionModelProperty(transport, sessionModel), runParameters(150));
      // The runs did send tokens: the check above ran on real proofs.
      expect(transport.proofsChecked()).toBeGreaterThan(100);
    },
    runTimeout(60_000, 150),
  );

  // The same interleavings where the credentials live elsewhere (DESIGN.md, "Session models"), against a server
  // that keeps them as cookies JS cannot read, with requests to a foreign origin among them.
  it.each<[SessionModel, string]>([
    ['tokens', 'both tokens in JS'],
    ['refresh', "cookies: 'refresh', a rotating refresh cookie"],
    ['session', "cookies: 'session', a session cookie and no header"],
  ])(
    'fetch + session in the %s model (%s) hold every invariant, and no credential goes where it must not',
    async (sessionModel) => {
      await fc.assert(sessionModelProperty(fetchWithForeignOrigin, sessionModel), runParameters(200));
    },
    runTimeout(60_000, 200),
  );
});
