// Review probes: createMockAuthServer and protect() misused or configured as real test suites do. A misuse is a
// TypeError at the call saying what to change; a baseUrl that any browser would treat as the same origin serves
// the routes.
import { createMockAuthServer } from '@reauth/msw';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { postJson } from './support';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A kit on `baseUrl`, listening, with unhandled requests as errors. */
function serve(baseUrl: string) {
  const auth = createMockAuthServer({ baseUrl });
  const server = setupServer(...auth.handlers);
  server.listen({ onUnhandledRequest: 'error' });
  servers.push(server);
  return auth;
}

const create = (options: unknown) => () => createMockAuthServer(options as never);

describe('createMockAuthServer misuse', () => {
  // `new URL('localhost:3000')` parses (scheme "localhost:"), so URL.canParse lets it through; no request URL can
  // ever match `localhost:3000/auth/login`, and every test then fails with msw's "unhandled request".
  it('a baseUrl without a scheme (localhost:3000) is a TypeError asking for an absolute http(s) URL', () => {
    expect(create({ baseUrl: 'localhost:3000' })).toThrow(TypeError);
  });

  it('a baseUrl of another scheme (ws:) is a TypeError', () => {
    expect(create({ baseUrl: 'ws://api.example.test' })).toThrow(TypeError);
  });

  // No user can ever sign in: surely a mistake (an emptied fixture), and the tests then fail with 401s far away.
  it('users: [] is a TypeError', () => {
    expect(create({ baseUrl: 'https://api.example.test', users: [] })).toThrow(/users/);
  });

  it('two routes on one path (login and refresh both /auth/token) is a TypeError naming them', () => {
    expect(
      create({
        baseUrl: 'https://api.example.test',
        paths: { login: '/auth/token', refresh: '/auth/token' },
      }),
    ).toThrow(TypeError);
  });

  it('duplicate usernames are a TypeError naming the username', () => {
    expect(
      create({
        baseUrl: 'https://api.example.test',
        users: [
          { username: 'alice', password: 'a' },
          { username: 'alice', password: 'b' },
        ],
      }),
    ).toThrow(/"alice" twice/);
  });
});

describe('protect() misuse', () => {
  const auth = createMockAuthServer({ baseUrl: 'https://api.example.test' });
  const handler = () => http.get('https://api.example.test/x', () => HttpResponse.json({}));

  // `roles: 'admin'` for `roles: ['admin']`: accepted, and every request then throws inside the handler
  // (`'admin'.some is not a function`), which msw turns into a 500 far from the mistake.
  it("roles given as a string ('admin') is a TypeError at protect()", () => {
    expect(() => auth.protect(handler(), { roles: 'admin' as never })).toThrow(/roles/);
  });

  // What the misuse does today, when protect() accepts it: each request by a signed-in user.
  it("roles: 'admin' never turns a signed-in request into a 500 (refused at protect(), or checked as ['admin'])", async () => {
    const kit = createMockAuthServer({ baseUrl: 'https://roles.example.test' });
    let guarded: ReturnType<typeof kit.protect>;
    try {
      guarded = kit.protect(
        http.get('https://roles.example.test/x', () => HttpResponse.json({})),
        { roles: 'admin' as never },
      );
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      return;
    }
    const server = setupServer(...kit.handlers, guarded);
    server.listen({ onUnhandledRequest: 'error' });
    servers.push(server);
    const { accessToken } = await kit.controls.issueTokens('bob');
    const response = await fetch('https://roles.example.test/x', {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(response.status).not.toBe(500);
  });

  it('roles with a non-string entry is a TypeError at protect()', () => {
    expect(() => auth.protect(handler(), { roles: ['admin', 42] as never })).toThrow(/roles/);
  });
});

describe('baseUrl forms that name the same origin serve the routes', () => {
  it('a trailing slash', async () => {
    serve('https://api.example.test/');
    const response = await postJson('https://api.example.test/auth/login', {
      username: 'alice',
      password: 'wonderland',
    });
    expect(response.status).toBe(200);
  });

  it('a path prefix with a trailing slash', async () => {
    serve('https://api.example.test/v2/');
    const response = await postJson('https://api.example.test/v2/auth/login', {
      username: 'alice',
      password: 'wonderland',
    });
    expect(response.status).toBe(200);
  });

  // Hosts are case-insensitive and fetch lower-cases them: https://API.Example.test is the same origin.
  it('an upper-case host', async () => {
    serve('https://API.Example.test');
    const response = await postJson('https://api.example.test/auth/login', {
      username: 'alice',
      password: 'wonderland',
    }).catch((error: unknown) => error);
    expect(response).toMatchObject({ status: 200 });
  });

  // https://host:443 is https://host: the URL a client sends drops the default port.
  it('the default port written out (https://host:443)', async () => {
    serve('https://api.example.test:443');
    const response = await postJson('https://api.example.test/auth/login', {
      username: 'alice',
      password: 'wonderland',
    }).catch((error: unknown) => error);
    expect(response).toMatchObject({ status: 200 });
  });
});
