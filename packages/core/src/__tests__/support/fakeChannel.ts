import { vi } from 'vitest';

/**
 * An in-process BroadcastChannel: a message reaches every other open channel of the same name in a later
 * macrotask (setTimeout 0), so fake timers keep delivery deterministic. A message posted while fake timers
 * run is due 1 ms later (sinon never runs a 0 ms timer in the tick that made it): a reply takes a tick. Data is cloned, as the real one does.
 */
export class FakeChannel {
  static open = new Set<FakeChannel>();
  /** Every channel ever made, in order: `created[n]` is the n-th session's. */
  static created: FakeChannel[] = [];
  /** Every message posted, in order, for assertions on the protocol (never printed). */
  static posted: { name: string; data: unknown; from: number; at: number }[] = [];
  /** How long a message takes to arrive, in ms: a slow or busy receiving tab. */
  static delayMs = 0;
  onmessage: ((event: { data: unknown }) => void) | null = null;

  constructor(readonly name: string) {
    FakeChannel.open.add(this);
    FakeChannel.created.push(this);
  }

  postMessage(data: unknown): void {
    if (!FakeChannel.open.has(this))
      throw new DOMException('BroadcastChannel is closed', 'InvalidStateError');
    const copy = structuredClone(data);
    FakeChannel.posted.push({
      name: this.name,
      data: copy,
      from: FakeChannel.created.indexOf(this),
      at: Date.now(),
    });
    for (const other of FakeChannel.open) {
      if (other === this || other.name !== this.name) continue;
      setTimeout(() => {
        if (FakeChannel.open.has(other)) other.onmessage?.({ data: structuredClone(copy) });
      }, FakeChannel.delayMs);
    }
  }

  close(): void {
    FakeChannel.open.delete(this);
  }

  unref(): void {}
}

/** Installs FakeChannel as the global BroadcastChannel for the current test. */
export function stubBroadcastChannel(): typeof FakeChannel {
  for (const channel of FakeChannel.open) channel.close();
  FakeChannel.created = [];
  FakeChannel.posted = [];
  FakeChannel.delayMs = 0;
  vi.stubGlobal('BroadcastChannel', FakeChannel);
  return FakeChannel;
}

/** A channel of the test's own, to speak the protocol as another (perhaps dead) tab would. */
export function rawTab(name: string): FakeChannel & { received: unknown[] } {
  const channel = Object.assign(new FakeChannel(name), { received: [] as unknown[] });
  channel.onmessage = ({ data }) => void channel.received.push(data);
  return channel;
}
