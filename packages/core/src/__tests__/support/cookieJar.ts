import { vi } from 'vitest';
import { makeJwt } from './jwt';

/**
 * A refresh endpoint behind one cookie every tab shares, as browsers keep it: `refresh` presents whatever cookie
 * the jar holds when it is sent (answered 50 ms later), the server rotates it, and a cookie presented again is
 * reuse (refused, counted in `reused`). It answers in the session model's shape.
 */
export function sharedCookieJar(model: 'refresh' | 'session') {
  const jar = { cookie: 'c0', serial: 0, spent: new Set<string>(), reused: 0, calls: 0 };
  const refresh = vi.fn(async () => {
    jar.calls += 1;
    const presented = jar.cookie;
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (jar.spent.has(presented)) {
      jar.reused += 1;
      throw Object.assign(new Error('reused'), { status: 400 });
    }
    jar.spent.add(presented);
    jar.serial += 1;
    jar.cookie = `c${jar.serial}`;
    return model === 'refresh'
      ? { accessToken: makeJwt({ sub: 'alice', n: jar.serial }), expiresIn: 300 }
      : { user: { sub: 'alice', n: jar.serial } };
  });
  return { jar, refresh };
}
