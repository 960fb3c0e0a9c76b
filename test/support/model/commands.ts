import fc from 'fast-check';
import type { RefreshFailure, SessionModel } from './authModel';

/** Each method is one way of sending a body (which a transport supports is its own choice). */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
export type RequestCommand = { kind: 'request'; method: Method; abortable: boolean; note: string };

export type Command =
  | RequestCommand
  | { kind: 'expire' }
  | { kind: 'failNextRefresh'; failure: RefreshFailure }
  | { kind: 'slowRefresh' }
  | { kind: 'abort'; pick: number }
  | { kind: 'signOut' }
  | { kind: 'signIn' }
  | { kind: 'onReauth'; answer: 'tokens' | 'null' }
  | { kind: 'offReauth' }
  | { kind: 'cancelReauth' }
  | { kind: 'clock'; periods: 1 | 2 }
  /** A GET to another origin (not allowed): it must go out with no credential, and come back unhandled. */
  | { kind: 'foreign' }
  /** Cookie models: the app's logout (the server revokes the cookie's family, the jar drops it), then signOut(). */
  | { kind: 'logout' }
  /** `refresh` model: the browser forgets the refresh cookie (expired, or cleared by the user). */
  | { kind: 'clearCookies' };

/**
 * Random test actions; requests use the given methods. Given a session model, requests to a foreign origin too,
 * and the cookie models' own actions (a logout, a forgotten cookie); without one, the actions of the first version.
 */
export function commandArb(
  methods: readonly [Method, ...Method[]],
  sessionModel?: SessionModel,
): fc.Arbitrary<Command> {
  const shared: fc.WeightedArbitrary<Command>[] = [
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('request' as const),
        method: fc.constantFrom(...methods),
        abortable: fc.boolean(),
        note: fc.string({ maxLength: 4 }),
      }),
    },
    { weight: 3, arbitrary: fc.constant({ kind: 'expire' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('failNextRefresh' as const),
        failure: fc.constantFrom<RefreshFailure>('unavailable', 'network', 'refused'),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'slowRefresh' as const }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat(7) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'signOut' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'signIn' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('onReauth' as const),
        answer: fc.constantFrom('tokens' as const, 'null' as const),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'offReauth' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'cancelReauth' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('clock' as const),
        periods: fc.constantFrom(1 as const, 2 as const),
      }),
    },
  ];
  if (!sessionModel) return fc.oneof(...shared);
  return fc.oneof(
    ...shared,
    { weight: 1, arbitrary: fc.constant({ kind: 'foreign' as const }) },
    ...(sessionModel === 'tokens'
      ? []
      : [{ weight: 1, arbitrary: fc.constant({ kind: 'logout' as const }) }]),
    ...(sessionModel === 'refresh'
      ? [{ weight: 1, arbitrary: fc.constant({ kind: 'clearCookies' as const }) }]
      : []),
  );
}
