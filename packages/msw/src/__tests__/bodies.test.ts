import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { BASE_URL, login, useMockAuth } from './support';

const { auth, server } = useMockAuth({ recordBodies: true });

const send = (method: string, body: string | undefined, accessToken?: string) =>
  fetch(`${BASE_URL}/echo`, {
    method,
    ...(body === undefined ? {} : { body }),
    headers: accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` },
  });

describe('recordBodies', () => {
  it('records the body each protected request carried, a refused one too, and null for none', async () => {
    server.use(
      auth.protect(
        http.post(`${BASE_URL}/echo`, async ({ request }) => HttpResponse.text(await request.text())),
      ),
      auth.protect(http.get(`${BASE_URL}/echo`, () => HttpResponse.text('nothing'))),
    );
    const { accessToken } = await login();
    auth.controls.expireAccessTokens();
    expect((await send('POST', '{"a":1}', accessToken)).status).toBe(401);
    const fresh = await login();
    const answer = await send('POST', '{"a":1}', fresh.accessToken);
    await send('GET', undefined, fresh.accessToken);

    expect(await answer.text()).toBe('{"a":1}'); // the handler still reads the body
    expect(auth.stats.requests.map((request) => [request.method, request.status, request.body])).toEqual([
      ['POST', 401, '{"a":1}'],
      ['POST', 200, '{"a":1}'],
      ['GET', 200, null],
    ]);
  });

  it('redacts the tokens a body carries, as in urls', async () => {
    server.use(auth.protect(http.post(`${BASE_URL}/echo`, () => new HttpResponse(null, { status: 204 }))));
    const alice = await login();
    const bob = await login('bob', 'builder');
    const body = JSON.stringify({ mine: alice.accessToken, theirs: bob.accessToken, kept: bob.refreshToken });

    await send('POST', body, alice.accessToken);

    expect(auth.stats.requests[0]?.body).toBe(
      JSON.stringify({ mine: '[redacted]', theirs: '[redacted]', kept: '[redacted]' }),
    );
  });
});
