import { createSession, decodeJwt, type Session, type SessionOptions, type TokensInput } from '@reauth/core';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
let serial = 0;

/** A JWT-shaped access token for `sub` (unsigned: the session only decodes it), with a refresh token. */
export function tokensFor(sub?: string): TokensInput & { accessToken: string; refreshToken: string } {
  serial += 1;
  const iat = Math.floor(Date.now() / 1000);
  const claims = { ...(sub && { sub }), iat, exp: iat + 600, jti: String(serial) };
  return {
    accessToken: `${encode({ alg: 'HS256' })}.${encode(claims)}.sig${serial}`,
    refreshToken: `refresh-${serial}`,
  };
}

/** The `sub` of the token a request would carry now. */
export const subOf = async (session: Session) => {
  const token = await session.getAccessToken();
  return token ? (decodeJwt(token)?.sub ?? null) : null;
};

/** A real core session, alone (no other tab, no background refresh), whose refresh the server refuses (400). */
export function createTestSession(options: Partial<SessionOptions> = {}): Session {
  return createSession({
    refresh: () => Promise.reject(Object.assign(new Error('invalid_grant'), { status: 400 })),
    crossTab: false,
    autoRefresh: false,
    ...options,
  });
}

/** A promise settled by hand. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An in-process BroadcastChannel (a message reaches the other open channels of its name a macrotask later). */
export class LocalChannel {
  static open = new Set<LocalChannel>();
  onmessage: ((event: { data: unknown }) => void) | null = null;
  constructor(readonly name: string) {
    LocalChannel.open.add(this);
  }
  postMessage(data: unknown): void {
    for (const other of LocalChannel.open) {
      if (other === this || other.name !== this.name) continue;
      setTimeout(() => LocalChannel.open.has(other) && other.onmessage?.({ data: structuredClone(data) }), 0);
    }
  }
  close(): void {
    LocalChannel.open.delete(this);
  }
  unref(): void {}
}
