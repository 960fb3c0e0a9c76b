const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned-looking JWT (header.payload.fake-signature): decodeJwt reads claims, it does not verify. */
export function makeJwt(claims: Record<string, unknown>): string {
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.fake-signature`;
}

/** A JWT for `sub` expiring `lifetimeSec` after `nowMs` (by the test's clock). */
export function jwtExpiringIn(lifetimeSec: number, nowMs: number, sub = 'alice'): string {
  const iat = Math.floor(nowMs / 1000);
  return makeJwt({ sub, iat, exp: iat + lifetimeSec, roles: ['user'] });
}
