import type { AuthEventType } from '@reauth/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { TabsOptions } from '../crossTab';
import type { SessionInternals } from '../internals';
import type { Machine } from '../machine';
import type { ResolvedOptions } from '../options';
import type { FlightOptions } from '../refreshFlight';
import type { EVENT_TYPES } from '../session';

// The session passes its resolved options on whole, spread under the fields of the one it calls
// (`{ ...resolved, ...machine }`, `connectTabs({ ...tabOptions, ...options, listener })`, `runFlight(flight,
// { ...options, tabs, dispatch })`, `watchExpiry({ ...resolved, subscribe })`). A key in both would be shadowed
// without a word: a new option named like a machine field would never reach the machine, or the reverse. These
// checks fail the typecheck when one appears. Keys shared on purpose (the same value) are listed.

/** The keys of `A` that `B` has too. */
type Shared<A, B> = Extract<keyof A, keyof B>;

describe('option bags spread into one another', () => {
  it('the options and the machine share no key (SessionInternals)', () => {
    expectTypeOf<Shared<ResolvedOptions, Machine>>().toEqualTypeOf<never>();
    expectTypeOf<
      Shared<ResolvedOptions & Machine, { willWait: 1; emit: 1; hasReauthHandler: 1 }>
    >().toEqualTypeOf<never>();
    // What the adapters read is all there.
    expectTypeOf<ResolvedOptions & Machine>().toMatchTypeOf<
      Omit<SessionInternals, 'willWait' | 'emit' | 'hasReauthHandler'>
    >();
  });

  it('a flight gets the options, and the machine fields added to them are none of the options', () => {
    type Added = 'tabs' | 'dispatch' | 'isStorageCurrent' | 'isCurrent' | 'writesSettled';
    expectTypeOf<Shared<ResolvedOptions, Record<Added, 1>>>().toEqualTypeOf<never>();
    // Everything else a flight reads is an option of the same name.
    expectTypeOf<Exclude<keyof FlightOptions, Added | keyof ResolvedOptions>>().toEqualTypeOf<never>();
  });

  it('the tab link: only storageKey and refreshTimeoutMs come from the options, on purpose', () => {
    expectTypeOf<Shared<ResolvedOptions, TabsOptions>>().toEqualTypeOf<'storageKey' | 'refreshTimeoutMs'>();
  });

  it('the expiry watch: the fields the session adds are none of the options', () => {
    type Added = 'subscribe' | 'dueAt' | 'check' | 'onNetwork';
    expectTypeOf<Shared<ResolvedOptions, Record<Added, 1>>>().toEqualTypeOf<never>();
  });
});

describe("on()'s list of event names (its development warning for a name that never fires)", () => {
  it('names every event and nothing else', () => {
    expectTypeOf<(typeof EVENT_TYPES)[number]>().toEqualTypeOf<AuthEventType>();
  });
});
