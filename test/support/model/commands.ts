import fc from 'fast-check';
import type { RefreshFailure } from './authModel';

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
  | { kind: 'clock'; periods: 1 | 2 };

/** Random test actions; requests use the given methods. */
export function commandArb(methods: readonly [Method, ...Method[]]): fc.Arbitrary<Command> {
  return fc.oneof(
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
  );
}
