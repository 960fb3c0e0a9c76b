import { createSession } from '@reauth/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  interleavingsProperty,
  macrotaskScheduler,
  type SessionModel,
  sessionModelProperty,
  settleMicrotasks,
  usePropertyHooks,
  withDpop,
} from '#test-support/model';
import { runParameters, runTimeout } from '#test-support/runParameters';
import { axiosTransport } from './support/propertyModel';

describe('properties over random interleavings', () => {
  usePropertyHooks();

  it(
    'axios + session hold every invariant whatever order answers, expiries, aborts and sign-outs land in',
    async () => {
      await fc.assert(interleavingsProperty(axiosTransport), runParameters(300));
    },
    runTimeout(60_000, 300),
  );

  // DPoP (RFC 9449): every send and replay signed anew, the proofs checked by the server before the model answers.
  it.each<[SessionModel, string]>([
    ['tokens', 'both tokens in JS'],
    ['refresh', "cookies: 'refresh'"],
  ])(
    'axios + a DPoP-bound session in the %s model (%s): every invariant, and a fresh proof for each send',
    async (sessionModel) => {
      const transport = withDpop(axiosTransport);
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
    'axios + session in the %s model (%s) hold every invariant, and no credential goes where it must not',
    async (sessionModel) => {
      await fc.assert(sessionModelProperty(axiosTransport, sessionModel), runParameters(200));
    },
    runTimeout(60_000, 200),
  );

  it('concurrent callers during one expiry share a single refresh (single flight)', async () => {
    const callerArb = fc.array(fc.constantFrom('getAccessToken' as const, 'refresh' as const), {
      minLength: 1,
      maxLength: 8,
    });
    await fc.assert(
      fc.asyncProperty(macrotaskScheduler(), callerArb, async (s, callers) => {
        let clock = 1_000_000;
        let issued = 0;
        const refresh = vi.fn(async () => {
          await s.schedule(Promise.resolve(), 'refresh answers');
          issued += 1;
          return {
            accessToken: `fresh_${issued}_secret`,
            refreshToken: `rt_${issued}_secret`,
            expiresIn: 3600,
          };
        });
        const session = createSession({ refresh, now: () => clock, refreshLeewayMs: 1_000 });
        session.signIn({ accessToken: 'stale_secret', refreshToken: 'rt_0_secret', expiresIn: 60 });
        clock += 61_000;
        let starters = 0;
        const results = callers.map((kind, index) =>
          s.schedule(Promise.resolve(), `${kind} #${index}`).then(() => {
            const inFlight = session.getState().status === 'refreshing';
            const expired = (session.getState().expiresAt ?? 0) <= clock;
            // A caller starts a refresh only when none is in flight: getAccessToken while the token is
            // expired, refresh() always. Every other caller joins the one in flight.
            if (!inFlight && (kind === 'refresh' || expired)) starters += 1;
            return kind === 'refresh' ? session.refresh().then(() => 'joined') : session.getAccessToken();
          }),
        );
        const outcomes: string[] = callers.map(() => 'pending');
        results.forEach((result, index) => {
          const record = (outcome: string) => outcomes.splice(index, 1, outcome);
          result.then(
            (value) => record(String(value)),
            (error: unknown) => record(`rejected: ${error}`),
          );
        });
        await s.waitIdle();
        await settleMicrotasks();
        const fresh = outcomes.filter((outcome) => outcome === 'joined' || outcome.startsWith('fresh_'));
        expect(fresh, 'every caller gets a fresh token (or joins successfully)').toEqual(outcomes);
        expect(refresh, 'one refresh per caller that found none in flight').toHaveBeenCalledTimes(starters);
        if (callers.every((kind) => kind === 'getAccessToken')) expect(refresh).toHaveBeenCalledTimes(1);
      }),
      runParameters(200),
    );
  });
});
