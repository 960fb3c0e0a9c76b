import type { MockAuthStats } from '@reauth/msw';
import { getResponse } from 'msw';
import type { SessionModel } from '../model';
import { createPlaygroundApi, type PlaygroundApi } from './api';
import { noteSetCookies, setCookiesOf, withCookieHeader } from './cookieBridge';
import { type CookieInfo, createCookieJar } from './cookieJar';
import type { RequestParts, ResponseParts } from './protocol';

/** The playground's backend with the browser's cookie jar in front of it: what a tab's requests reach. */
export interface MockServer {
  model: SessionModel;
  controls: PlaygroundApi['controls'];
  stats: MockAuthStats;
  /** The cookies the browser holds for the API, without their values. */
  cookies(): CookieInfo[];
  /**
   * Answers a request as the browser would get it: the jar's cookies sent with it (unless its credentials are
   * `omit`), the answer's `Set-Cookie` stored in the jar and not handed on.
   */
  serve(request: RequestParts): Promise<ResponseParts>;
}

async function answer(api: PlaygroundApi, request: Request): Promise<Response> {
  try {
    const response = await getResponse(api.handlers, request);
    if (response) return response;
    const description = `No mock route for ${request.method} ${new URL(request.url).pathname}`;
    return Response.json({ error: 'not_found', error_description: description }, { status: 404 });
  } catch (error) {
    // A handler that throws is a bug of the mock: a 500 says so, and the request still settles.
    // The path only: a query may carry a secret.
    console.error(
      '[playground] the mock server failed on',
      request.method,
      new URL(request.url).pathname,
      error,
    );
    return Response.json(
      { error: 'server_error', error_description: 'The mock server failed' },
      { status: 500 },
    );
  }
}

/**
 * The backend of one session model (`createPlaygroundApi`) and its cookie jar, in this realm (a SharedWorker, or
 * the tab itself where there is none).
 *
 * @param origin the page's origin: the API lives under it
 * @param model the session model the kit serves
 */
export function createMockServer(origin: string, model: SessionModel): MockServer {
  noteSetCookies();
  const api = createPlaygroundApi(origin, model);
  const jar = createCookieJar();

  return {
    model,
    controls: api.controls,
    stats: api.stats,
    cookies: () => jar.list(),
    async serve({ url, method, headers, body, credentials }) {
      // `omit` here: the cookie the kit reads is the jar's, put in by the bridge; msw's handlers would add the
      // page's own document.cookie (of any app on this host) to a request that includes credentials.
      const request = new Request(url, { method, headers, body, credentials: 'omit' });
      const cookie = credentials === 'omit' ? null : jar.headerFor(url);
      const response = await answer(api, withCookieHeader(request, cookie));
      for (const setCookie of setCookiesOf(response.headers)) jar.store(setCookie, url);
      const isNetworkError = response.type === 'error';
      return {
        isNetworkError,
        status: response.status,
        statusText: response.statusText,
        // A page never sees a Set-Cookie (where a browser would keep one anyway).
        headers: [...response.headers].filter(([name]) => name.toLowerCase() !== 'set-cookie'),
        body: isNetworkError || response.body === null ? null : await response.arrayBuffer(),
      };
    },
  };
}
