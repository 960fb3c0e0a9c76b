import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // The mock API runs in a module SharedWorker (see src/mock/startMockApi.ts).
  worker: { format: 'es' },
  // msw (with its GraphQL parser) is in the page: a demo's mock layer, never part of an app's bundle.
  build: { chunkSizeWarningLimit: 1_000 },
  server: { host: '127.0.0.1', port: 5173, open: false },
  preview: { host: '127.0.0.1', port: 4173 },
});
