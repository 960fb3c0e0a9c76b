import { useAuth } from '@reauth/react';
import { Controls } from './components/Controls';
import { Dashboard } from './components/Dashboard';
import { KitCounters } from './components/KitCounters';
import { LoginModal } from './components/LoginModal';
import { SessionHeader } from './components/SessionHeader';
import { SignInCard } from './components/SignInCard';
import { TimelineView } from './timeline/TimelineView';
import { usePlayground } from './usePlayground';

/** The playground: the session at the top, the app in the middle, the levers beside it, the timeline below. */
export function App() {
  const { timeline } = usePlayground();
  const isAuthenticated = useAuth((auth) => auth.isAuthenticated);

  return (
    <div className="layout">
      <SessionHeader />
      <main className="main">
        {isAuthenticated ? <Dashboard /> : <SignInCard />}
        <KitCounters />
      </main>
      <aside className="side">
        <Controls />
      </aside>
      <section className="timeline-section" aria-label="Timeline">
        <TimelineView timeline={timeline} />
      </section>
      <LoginModal />
    </div>
  );
}
