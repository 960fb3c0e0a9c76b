import { describe, expect, it } from 'vitest';
import { createCookieJar } from '../cookieJar';

const API = 'http://127.0.0.1:5173/api';

describe('createCookieJar (the browser’s cookies for the mock API)', () => {
  it('sends a cookie only below its Path, as the kit’s refresh cookie (Path=/api/auth) must be', () => {
    const jar = createCookieJar();
    jar.store('reauth_refresh=r1; HttpOnly; Path=/api/auth; SameSite=Strict', `${API}/auth/login`);
    expect(jar.headerFor(`${API}/auth/refresh`)).toBe('reauth_refresh=r1');
    expect(jar.headerFor(`${API}/auth/logout`)).toBe('reauth_refresh=r1');
    expect(jar.headerFor(`${API}/auth`)).toBe('reauth_refresh=r1');
    // Not the API's other routes, nor a path that merely starts with the same letters.
    expect(jar.headerFor(`${API}/pulse/1`)).toBeNull();
    expect(jar.headerFor(`${API}/authority`)).toBeNull();
    expect(jar.list()).toEqual([{ name: 'reauth_refresh', path: '/api/auth', isHttpOnly: true }]);
  });

  it('replaces a cookie of the same name and path (a rotation), and removes it on Max-Age=0 (a logout)', () => {
    const jar = createCookieJar();
    jar.store('reauth_session=s1; HttpOnly; Path=/; SameSite=Strict', `${API}/auth/login`);
    jar.store('reauth_session=s2; HttpOnly; Path=/; SameSite=Strict', `${API}/auth/refresh`);
    expect(jar.headerFor(`${API}/profile`)).toBe('reauth_session=s2');
    expect(jar.list()).toHaveLength(1);
    jar.store('reauth_session=; HttpOnly; Path=/; SameSite=Strict; Max-Age=0', `${API}/auth/logout`);
    expect(jar.headerFor(`${API}/profile`)).toBeNull();
    expect(jar.list()).toEqual([]);
  });

  it('keeps cookies of different paths apart, sends the longer path first, and forgets expired ones', () => {
    let now = 1_000_000;
    const jar = createCookieJar(() => now);
    jar.store('a=1; Path=/', `${API}/x`);
    jar.store('a=2; Path=/api; Max-Age=60', `${API}/x`);
    expect(jar.headerFor(`${API}/x`)).toBe('a=2; a=1');
    now += 60_000;
    expect(jar.headerFor(`${API}/x`)).toBe('a=1');
    expect(jar.list()).toEqual([{ name: 'a', path: '/', isHttpOnly: false }]);
  });

  it('gives a cookie without Path the folder of the URL that set it, sends Secure ones over https only', () => {
    const jar = createCookieJar();
    jar.store('folder=1', `${API}/auth/login`);
    jar.store('secure=1; Secure; Path=/', `${API}/auth/login`);
    expect(jar.headerFor(`${API}/auth/refresh`)).toBe('folder=1');
    expect(jar.headerFor(`${API}/profile`)).toBeNull();
    expect(jar.headerFor('https://127.0.0.1:5173/api/profile')).toBe('secure=1');
    // Another host gets none of them (host-only cookies).
    expect(jar.headerFor('http://localhost:5173/api/auth/refresh')).toBeNull();
  });

  it('ignores what is not a cookie', () => {
    const jar = createCookieJar();
    jar.store('no-equals-sign; Path=/', API);
    jar.store('=value; Path=/', API);
    expect(jar.list()).toEqual([]);
  });
});
