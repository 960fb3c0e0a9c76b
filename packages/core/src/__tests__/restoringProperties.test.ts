import { createSession, type RefreshContext, type WakeSignal } from '@reauth/core';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runParameters } from '#test-support/runParameters';
import { asReactNative, asyncStorage, restoreGlobals, stored, T0 } from './support/asyncStorage';

const TIMEOUT_MS = 1_000;

/** How the server answers one refresh call: tokens after `ms`, a network error, a refusal, or never. */
const answerArb = fc.oneof(
  fc.record({ kind: fc.constant('ok' as const), ms: fc.integer({ min: 0, max: 1_500 }) }),
  fc.record({ kind: fc.constantFrom('network' as const, 'refused' as const, 'hang' as const) }),
);

const stepArb = fc.oneof(
  fc.record({
    kind: fc.constant('request' as const),
    abortAfterMs: fc.option(fc.integer({ min: 0, max: 3_000 })),
  }),
  fc.record({ kind: fc.constantFrom('signIn' as const, 'signOut' as const, 'restore' as const) }),
  fc.record({
    kind: fc.constant('wake' as const),
    signal: fc.constantFrom<WakeSignal>('offline', 'online', 'foreground'),
  }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 70_000 }) }),
);

/**
 * A rotating refresh-token server: a refresh token is spent when the server answers with new tokens, and one
 * presented again after that is reuse. A network error or a call never answered spends nothing.
 */
function rotatingServer(answers: { kind: 'ok' | 'network' | 'refused' | 'hang'; ms?: number }[]) {
  let issued = 0;
  const spent = new Set<string>();
  const reused: string[] = [];
  let calls = 0;
  const issue = () => {
    issued += 1;
    return { accessToken: `a${issued}`, refreshToken: `r${issued}`, expiresIn: 60 };
  };
  const refresh = ({ refreshToken, signal }: RefreshContext) => {
    const answer = answers[calls % answers.length] ?? { kind: 'ok', ms: 0 };
    calls += 1;
    if (answer.kind === 'network') return Promise.reject(new TypeError('fetch failed'));
    if (answer.kind === 'refused')
      return Promise.reject(Object.assign(new Error('invalid_grant'), { status: 400 }));
    return new Promise<ReturnType<typeof issue>>((resolve) => {
      if (answer.kind === 'hang') return; // never answered, nothing spent
      setTimeout(() => {
        if (spent.has(refreshToken)) reused.push(refreshToken);
        spent.add(refreshToken);
        if (!signal.aborted) resolve(issue());
      }, answer.ms);
    });
  };
  return { refresh, issue, reused, calls: () => calls };
}

beforeEach(asReactNative);
afterEach(restoreGlobals);

describe('restoring, offline and wake-up over random interleavings', () => {
  it('settles every request, never presents a spent refresh token, and never stays restoring or refreshing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(answerArb, { minLength: 1, maxLength: 6 }),
        fc.array(stepArb, { minLength: 1, maxLength: 14 }),
        fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: 'never' as const }),
        fc.boolean(),
        async (answers, steps, readMs, isStoredAtStart) => {
          vi.setSystemTime(T0);
          vi.spyOn(console, 'warn').mockImplementation(() => {});
          const server = rotatingServer(answers);
          const first = server.issue();
          const kit = asyncStorage(
            isStoredAtStart ? { reauth: stored(first.accessToken, first.refreshToken, T0, T0 + 60_000) } : {},
          );
          kit.hold(readMs === 'never' || readMs > 0);
          const wiring: { notify?: (signal?: WakeSignal) => void } = {};
          const session = createSession({
            storage: kit.storage,
            refresh: server.refresh,
            refreshTimeoutMs: TIMEOUT_MS,
            autoRefresh: true,
            wake: (notify) => {
              wiring.notify = notify;
              return undefined;
            },
          });
          if (typeof readMs === 'number' && readMs > 0) {
            setTimeout(() => {
              kit.hold(false);
              for (const op of kit.held.splice(0)) op.resolve();
            }, readMs);
          }
          const pending: { settled: boolean }[] = [];
          for (const step of steps) {
            if (step.kind === 'request') {
              const controller = new AbortController();
              const tracked = { settled: false };
              pending.push(tracked);
              const settle = () => {
                tracked.settled = true;
              };
              session.getAccessToken({ signal: controller.signal }).then(settle, settle);
              if (step.abortAfterMs !== null) setTimeout(() => controller.abort(), step.abortAfterMs);
            } else if (step.kind === 'signIn') session.signIn(server.issue());
            else if (step.kind === 'signOut') session.signOut();
            else if (step.kind === 'restore') void session.restore();
            else if (step.kind === 'wake') wiring.notify?.(step.signal);
            else if (step.kind === 'wait') await vi.advanceTimersByTimeAsync(step.ms);
          }
          // The network comes back and the read (if it ever answers) has long timed out: everything must settle.
          wiring.notify?.('online');
          await vi.advanceTimersByTimeAsync(10 * TIMEOUT_MS);
          await vi.advanceTimersByTimeAsync(10 * TIMEOUT_MS);
          expect(pending.filter((request) => !request.settled)).toEqual([]);
          expect(server.reused).toEqual([]);
          // A background refresh may have just begun: it lands or is given up within the grace period.
          for (let turn = 0; turn < 5 && session.getState().status === 'refreshing'; turn += 1) {
            await vi.advanceTimersByTimeAsync(3 * TIMEOUT_MS);
          }
          expect(['restoring', 'refreshing']).not.toContain(session.getState().status);
          session.signOut();
          vi.clearAllTimers();
        },
      ),
      runParameters(200),
    );
  });
});
