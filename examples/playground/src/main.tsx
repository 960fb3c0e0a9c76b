import { AuthProvider } from '@reauth/react';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startMockApi } from './mock/startMockApi';
import { modelOf } from './model';
import { createPlayground } from './setup';
import { PlaygroundProvider } from './usePlayground';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('[playground] index.html has no #root');

// The session model is the page's (`?model=refresh`): the session is made once per page load, in that model.
const model = modelOf(location.search);

startMockApi(model).then(
  (mockApi) => {
    const playground = createPlayground(mockApi, model);
    // For the browser tests and the curious: the session, the kit's controls and counters.
    Object.assign(window, { playground });
    createRoot(root).render(
      <StrictMode>
        <QueryClientProvider client={playground.queryClient}>
          <AuthProvider session={playground.session}>
            <PlaygroundProvider value={playground}>
              <App />
            </PlaygroundProvider>
          </AuthProvider>
        </QueryClientProvider>
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.textContent = `The mock API did not start: ${String(error)}. The playground needs a browser with service workers, on http://localhost or https.`;
  },
);
