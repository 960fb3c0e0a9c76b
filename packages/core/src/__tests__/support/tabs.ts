import { type AuthEvent, createSession, type Session, type SessionOptions } from '@reauth/core';
import { controlledRefresh, memoryStorage } from './harness';

/** The refresh timeout of the cross-tab suites. */
export const TIMEOUT = 1_000;
let keys = 0;

/**
 * Tabs of one origin: sessions on one channel (the fake BroadcastChannel: stub it first), one refresh function
 * between them, each with its own memory storage; every event of every tab recorded in order.
 */
export function openTabs(count: number, options: SessionOptions = {}) {
  const control = controlledRefresh();
  const storageKey = `tabs-${++keys}`;
  const events: AuthEvent[] = [];
  const open = (extra: SessionOptions = {}): Session => {
    const session = createSession({
      refresh: control.refresh,
      storage: memoryStorage(),
      storageKey,
      now: () => Date.now(),
      refreshTimeoutMs: TIMEOUT,
      crossTab: true,
      ...options,
      ...extra,
    });
    session.on('*', (event) => events.push(event));
    return session;
  };
  const tabs = Array.from({ length: count }, () => open());
  return { tabs, open, storageKey, channel: `reauth:${storageKey}`, events, ...control };
}
