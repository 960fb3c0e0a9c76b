import type { CookieInfo } from '../mock/cookieJar';
import { useKitStats, usePlayground, useSessionModel } from '../usePlayground';

/** The cookies the browser holds for the API: names and attributes, never a value (JavaScript never sees one). */
function BrowserCookies({ cookies }: { cookies: readonly CookieInfo[] | undefined }) {
  return (
    <p
      className="kit-cookies"
      data-testid="kit-cookies"
      data-names={cookies?.map((cookie) => cookie.name).join(' ') ?? ''}
    >
      <span className="muted">Browser cookies for the API: </span>
      {!cookies || cookies.length === 0
        ? 'none'
        : cookies.map((cookie, index) => (
            <span key={`${cookie.name};${cookie.path}`}>
              {index > 0 && ', '}
              <code>{cookie.name}</code>{' '}
              <span className="muted">
                ({cookie.isHttpOnly ? 'HttpOnly, ' : ''}Path={cookie.path})
              </span>
            </span>
          ))}
    </p>
  );
}

/** The mock server's own counters: what reached the "backend", from every tab; and the browser's cookies for it. */
export function KitCounters() {
  const { mockApi } = usePlayground();
  const stats = useKitStats();
  const model = useSessionModel();
  const counters = [
    ['logins', 'Logins', stats?.logins],
    ['refreshes', 'Refresh calls', stats?.refreshes],
    ['reuse', model === 'session' ? 'Sessions reused' : 'Refresh tokens reused', stats?.reuseDetected],
    ['requests', 'API requests', stats?.requests],
    ['unauthorized', 'of them 401', stats?.unauthorized],
  ] as const;

  return (
    <section className="card kit" aria-labelledby="kit-title">
      <h2 id="kit-title">Server counters</h2>
      <p className="muted">
        {mockApi.mode === 'shared'
          ? 'One mock server for all tabs (a SharedWorker).'
          : 'This tab runs its own mock server (no SharedWorker here): tabs do not share a session.'}
      </p>
      <dl>
        {counters.map(([key, label, value]) => (
          <div key={key} data-testid={`kit-${key}`} data-value={value ?? ''}>
            <dt>{label}</dt>
            <dd>{value ?? '–'}</dd>
          </div>
        ))}
      </dl>
      <BrowserCookies cookies={stats?.cookies} />
      <button type="button" onClick={() => mockApi.control('reset')}>
        Restart the server
      </button>
      <span className="muted"> (forgets every token: the session's next request is refused)</span>
    </section>
  );
}
