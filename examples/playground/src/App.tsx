import { RequireAuth } from '@reauth/react';
import { Controls } from './components/Controls';
import { Dashboard } from './components/Dashboard';
import { KitCounters } from './components/KitCounters';
import { LoginModal } from './components/LoginModal';
import { ModelSwitch } from './components/ModelSwitch';
import { RestoringCard } from './components/RestoringCard';
import { SessionHeader } from './components/SessionHeader';
import { SignInCard } from './components/SignInCard';
import { TimelineView } from './timeline/TimelineView';
import { usePlayground } from './usePlayground';

/**
 * The playground: the session at the top, the app in the middle, the model switch and the levers beside it, the
 * timeline below. While the session restores (a refresh cookie's silent refresh on reload) the app shows that,
 * not the sign-in form: no login form flashes for a user who is about to be signed in.
 */
export function App() {
  const { timeline } = usePlayground();

  return (
    <div className="layout">
      <SessionHeader />
      <main className="main">
        <RequireAuth fallback={<SignInCard />} loading={<RestoringCard />}>
          <Dashboard />
        </RequireAuth>
        <KitCounters />
      </main>
      <aside className="side">
        <ModelSwitch />
        <Controls />
      </aside>
      <section className="timeline-section" aria-label="Timeline">
        <TimelineView timeline={timeline} />
      </section>
      <LoginModal />
    </div>
  );
}
