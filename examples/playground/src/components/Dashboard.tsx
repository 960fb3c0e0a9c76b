import { isAuthError } from '@reauth/core';
import { RequireAuth } from '@reauth/react';
import { type UseQueryResult, useQuery } from '@tanstack/react-query';
import { isAxiosError } from 'axios';
import type { ReactNode } from 'react';
import { usePlayground } from '../usePlayground';

function useResource<T>(path: string): UseQueryResult<T> {
  const { api } = usePlayground();
  return useQuery({
    queryKey: [path],
    // No `signal`: StrictMode's double mount in development would cancel every first fetch, which the
    // timeline would show as a cancelled request on each sign-in. A query nobody watches any more finishes.
    queryFn: async () => (await api.get<T>(path)).data,
  });
}

/** In words, with the code: an AuthError's code, or the HTTP status. */
function describeError(error: unknown): string {
  if (isAuthError(error)) return `${error.code}: ${error.message}`;
  if (isAxiosError(error)) return error.response ? `HTTP ${error.response.status}` : error.message;
  return String(error);
}

function Card<T>({
  title,
  name,
  query,
  children,
}: {
  title: string;
  name: string;
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
}) {
  const state = query.isPending ? 'loading' : query.isError ? 'error' : 'ready';
  return (
    <section className="card" data-testid={`card-${name}`} data-state={state} aria-busy={query.isFetching}>
      <h3>
        {title} {query.isFetching && <span className="spinner" role="status" aria-label="loading" />}
      </h3>
      {query.isPending && !query.isError && <p className="muted">Loading…</p>}
      {query.isError && (
        <p className="form-error" role="alert">
          {describeError(query.error)}
        </p>
      )}
      {query.data !== undefined && children(query.data)}
    </section>
  );
}

interface Project {
  id: number;
  name: string;
  status: string;
}

function AuditLog() {
  const audit = useResource<{ id: number; who: string; what: string }[]>('/admin/audit');
  return (
    <Card title="Audit log (admin)" name="audit" query={audit}>
      {(entries) => (
        <ul>
          {entries.map((entry) => (
            <li key={entry.id}>
              <strong>{entry.who}</strong> {entry.what}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** Four resources loaded in parallel through TanStack Query and the axios instance with attachAuth. */
export function Dashboard() {
  const profile = useResource<{ plan: string; seats: number; memberSince: string; user?: string }>(
    '/profile',
  );
  const projects = useResource<Project[]>('/projects');
  const notifications = useResource<{ id: number; text: string }[]>('/notifications');

  return (
    <div className="dashboard">
      <Card title="Profile" name="profile" query={profile}>
        {(data) => (
          <p>
            {data.plan} plan · {data.seats} seats · member since {data.memberSince}
            {data.user && <span className="muted"> · the server knows you as {data.user}</span>}
          </p>
        )}
      </Card>
      <Card title="Projects" name="projects" query={projects}>
        {(data) => (
          <ul>
            {data.map((project) => (
              <li key={project.id}>
                {project.name} <span className="muted">{project.status}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Notifications" name="notifications" query={notifications}>
        {(data) => (
          <ul>
            {data.map((item) => (
              <li key={item.id}>{item.text}</li>
            ))}
          </ul>
        )}
      </Card>
      {/* biome-ignore lint/a11y/useValidAriaRole: the user's role, not an ARIA one */}
      <RequireAuth
        role="admin"
        fallback={
          <section className="card locked" data-testid="card-audit-locked">
            <h3>Audit log</h3>
            <p className="muted">
              Admins only: <code>&lt;RequireAuth role="admin"&gt;</code> keeps this panel (and its request)
              out for this user. Sign in as bob to see it.
            </p>
          </section>
        }
      >
        <AuditLog />
      </RequireAuth>
    </div>
  );
}
