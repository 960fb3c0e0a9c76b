import { useKitStats, usePlayground } from '../usePlayground';

/** The mock server's own counters: what reached the "backend", from every tab. */
export function KitCounters() {
  const { mockApi } = usePlayground();
  const stats = useKitStats();
  const counters = [
    ['logins', 'Logins', stats?.logins],
    ['refreshes', 'Refresh calls', stats?.refreshes],
    ['reuse', 'Refresh tokens reused', stats?.reuseDetected],
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
      <button type="button" onClick={() => mockApi.control('reset')}>
        Restart the server
      </button>
      <span className="muted"> (forgets every token: the session's next request is refused)</span>
    </section>
  );
}
