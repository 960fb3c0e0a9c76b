import { useState } from 'react';
import { RELOAD_OUTCOME, SESSION_MODELS, type SessionModel, urlForModel } from '../model';
import { usePlayground, useSessionModel } from '../usePlayground';

interface ModelSwitchProps {
  /** Leaves for `url`. Default: `location.assign`. */
  navigate?: (url: string) => void;
  /** Reloads the page. Default: `location.reload`. */
  reload?: () => void;
}

/**
 * The session model switch: the three places credentials live, one line each. The model is the page's
 * (`?model=`): the session is made once per page load, so choosing another signs out (ending the session on the
 * server too, with a cookie) and loads the page in the new model. And a reload, to watch what each model keeps.
 */
export function ModelSwitch({
  navigate = (url) => location.assign(url),
  reload = () => location.reload(),
}: ModelSwitchProps) {
  const playground = usePlayground();
  const current = useSessionModel();
  const [leaving, setLeaving] = useState<SessionModel | null>(null);

  async function choose(model: SessionModel) {
    if (model === current || leaving) return;
    setLeaving(model);
    await playground.signOut();
    navigate(urlForModel(location.href, model));
  }

  return (
    <section className="card model-switch" aria-labelledby="model-title" data-model={current}>
      <h2 id="model-title">Where the credentials live</h2>
      <div className="segmented" role="radiogroup" aria-labelledby="model-title">
        {SESSION_MODELS.map(({ model, label }) => (
          <label key={model} className={model === current ? 'is-current' : undefined}>
            <input
              type="radio"
              name="session-model"
              value={model}
              checked={model === current}
              disabled={leaving !== null}
              onChange={() => void choose(model)}
            />
            {label}
          </label>
        ))}
      </div>
      <ul className="model-lines">
        {SESSION_MODELS.map(({ model, label, line }) => (
          <li key={model} data-model={model} aria-current={model === current ? 'true' : undefined}>
            <strong>{label}:</strong> {line}
          </li>
        ))}
      </ul>
      <p className="muted" aria-live="polite">
        {leaving
          ? 'Signing out, then loading the page in the new model…'
          : 'Switching signs you out and loads the page in the new model.'}
      </p>
      <div className="reload">
        <button type="button" onClick={reload}>
          Reload the page
        </button>
        <span className="muted" data-testid="reload-outcome">
          {RELOAD_OUTCOME[current]}
        </span>
      </div>
    </section>
  );
}
