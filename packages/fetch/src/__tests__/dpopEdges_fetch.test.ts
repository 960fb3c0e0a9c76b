import { createEventLog } from '@reauth/core';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createDpopResource, createFakeSigner } from '#test-support/model/dpop';
import { dpopSetup } from './support/dpop';
import { expectNoSecretsIn, finish, setup, url } from './support/setup';

let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
  vi.useFakeTimers();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the proof header', () => {
  it('a Request input already carrying a DPoP header (any case) goes with only the fresh proof', async () => {
    const { authFetch, api, resource } = dpopSetup();
    const request = new Request(url('/items'), { method: 'POST', body: 'x', headers: { dpop: 'stale' } });
    const response = await finish(authFetch(request));
    expect(response.status).toBe(200);
    expect(resource.state.verdicts).toEqual(['ok']);
    expect(api.sendsOf('/items')[0]?.headers.dpop).not.toContain('stale');
  });

  it('init.headers as tuples with a DPoP header: replaced, on the first send and the nonce retry', async () => {
    const { authFetch, resource, proofsOf } = dpopSetup();
    resource.state.nonce = 'n';
    const response = await finish(authFetch(url('/items'), { headers: [['DPoP', 'stale']] }));
    expect(response.status).toBe(200);
    expect(proofsOf('/items').map((p) => p?.nonce)).toEqual([undefined, 'n']);
  });

  it('a nonce retry of a POST with a Blob body sends the same bytes again', async () => {
    const { authFetch, api, resource } = dpopSetup();
    resource.state.nonce = 'n';
    const response = await finish(
      authFetch(url('/items'), {
        method: 'POST',
        body: new Blob(['hello']),
        headers: { 'content-type': 'text/plain' },
      }),
    );
    expect(response.status).toBe(200);
    const bodies = await Promise.all(api.sendsOf('/items').map((s) => s.bytes));
    expect(bodies.map((b) => new TextDecoder().decode(b ?? new Uint8Array()))).toEqual(['hello', 'hello']);
  });

  it('a use_dpop_nonce 401 on a stream body is handed back (cannot be sent again), with an accurate warning', async () => {
    const { authFetch, api, resource } = dpopSetup();
    resource.state.nonce = 'n';
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('s'));
        controller.close();
      },
    });
    const response = await finish(
      authFetch(url('/items'), { method: 'POST', body, duplex: 'half' } as RequestInit),
    );
    expect(response.status).toBe(401);
    expect(api.sendsOf('/items')).toHaveLength(1);
    expect(api.refresh).not.toHaveBeenCalled();
    // The warning must not say "unrefreshed" about a nonce: nothing was to be refreshed.
    const said = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(said).not.toMatch(/unrefreshed/);
  });
});

describe('no token in events, errors, warnings', () => {
  it('a run with a nonce retry, a refresh and a refused proof: nothing carries a token or a proof', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { authFetch, api, resource, session, tokens, signer, events } = dpopSetup();
    const log = createEventLog(session, { size: 100 });
    resource.state.nonce = 'n1';
    api.expireAccessTokens();
    await finish(authFetch(url('/items?access_token=leak')));
    const sign = signer.sign;
    signer.sign = async (send) => ({
      DPoP: (await sign(send)).DPoP?.replace('"htm":"GET"', '"htm":"X"') ?? '',
    });
    await finish(authFetch(url('/other')));
    signer.sign = async () => {
      throw new Error('no key');
    };
    await finish(authFetch(url('/items'))).catch(() => {});
    const fresh = api.lastIssued();
    const proofs = api.sends.map((s) => s.headers.dpop).filter((p): p is string => !!p);
    const text = [
      JSON.stringify(log.entries()),
      JSON.stringify(events),
      ...warn.mock.calls.map((c) => c.map(String).join(' ')),
      ...errors.mock.calls.map((c) => c.map(String).join(' ')),
    ].join('\n');
    expectNoSecretsIn(text, [tokens.accessToken, tokens.refreshToken, fresh.accessToken, 'leak', ...proofs]);
  });
});

describe('who is signed', () => {
  it('signed out (default model): nothing signed, nothing bound', async () => {
    const { authFetch, signer, api } = dpopSetup({ signedIn: false });
    api.route('/open', () => ({ status: 200 }));
    await finish(authFetch(url('/open')));
    expect(signer.signs).toEqual([]);
    expect(api.sendsOf('/open')[0]?.headers.dpop).toBeUndefined();
  });

  it("cookies: 'refresh', signed out: the first send is unsigned; the silent refresh's replay is signed for its token", async () => {
    const signer = createFakeSigner();
    const made = setup({ signedIn: false, silentRefresh: false });
    const session = (await import('@reauth/core')).createSession({
      cookies: 'refresh',
      dpop: signer,
      refresh: async () => {
        const issued = made.api.issueTokens();
        return { accessToken: issued.accessToken };
      },
    });
    const { createAuthFetch } = await import('@reauth/fetch');
    const authFetch = createAuthFetch(session, { fetch: made.api.fetch, allowedOrigins: [url('')] });
    const resource = createDpopResource((token) => made.api.check(token));
    made.api.route('/items', ({ send }) => {
      const reply = resource.answer({
        method: send.method,
        url: send.url,
        authorization: send.authorization,
        proof: send.headers.dpop ?? null,
      });
      return { status: reply.status, json: reply.body, headers: reply.headers };
    });
    const response = await finish(authFetch(url('/items')));
    expect(response.status).toBe(200);
    expect(made.api.sendsOf('/items').map((s) => !!s.headers.dpop)).toEqual([false, true]);
    expect(signer.signs).toHaveLength(1);
  });
});

describe('the diagnosis of a 401 with several challenges', () => {
  it("names the cause of the token's own scheme: the nonce reauth acted on, not the Bearer challenge beside it", async () => {
    const { authFetch, api, eventsOf } = dpopSetup();
    let sent = 0;
    api.route('/both', () =>
      ++sent === 1
        ? {
            status: 401,
            headers: {
              'www-authenticate': 'Bearer error="invalid_token", DPoP error="use_dpop_nonce"',
              'dpop-nonce': 'n-both',
            },
          }
        : { status: 200 },
    );
    expect((await finish(authFetch(url('/both')))).status).toBe(200);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(eventsOf('unauthorized').map((event) => event.diagnosis.cause)).toEqual(['use_dpop_nonce']);
  });
});

describe('a step-up asked in the DPoP challenge', () => {
  it('opens the step-up prompt when the DPoP challenge asks for it beside a Bearer one; no refresh', async () => {
    const { authFetch, api, session } = dpopSetup();
    const asked: unknown[] = [];
    session.onReauth(async (context) => {
      asked.push(context);
      return null;
    });
    api.route('/admin', () => ({
      status: 401,
      headers: {
        'www-authenticate':
          'Bearer error="invalid_token", DPoP error="insufficient_user_authentication", acr_values="mfa"',
      },
    }));
    const error = await finish(authFetch(url('/admin'))).catch((e: unknown) => e);
    expect(asked).toEqual([expect.objectContaining({ reason: 'step_up', acrValues: ['mfa'] })]);
    expect((error as { code?: string }).code).toBe('STEP_UP_CANCELLED');
    expect(api.refresh).not.toHaveBeenCalled();
  });
});
