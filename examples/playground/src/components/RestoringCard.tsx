import { useSessionModel } from '../usePlayground';

/** What the app shows while the session restores: `<RequireAuth loading>`. */
export function RestoringCard() {
  const model = useSessionModel();
  return (
    <section
      className="card restoring"
      data-testid="restoring"
      aria-busy="true"
      aria-labelledby="restoring-title"
    >
      <h2 id="restoring-title">
        Restoring your session… <span className="spinner" role="status" aria-label="restoring" />
      </h2>
      <p className="muted">
        {model === 'refresh'
          ? 'One silent refresh: the browser sends the httpOnly refresh cookie, which JavaScript never sees.'
          : 'Reading the stored session.'}
      </p>
    </section>
  );
}
