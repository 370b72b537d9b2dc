import { useMemo, useState } from 'preact/hooks';
import { createApi } from '../api/client';
import type { Session } from '../auth/session';
import { ConnectionsPage } from '../connections/ConnectionsPage';
import { ConnectionSetup } from '../connections/ConnectionSetup';
import { RemoveConnection } from '../connections/RemoveConnection';
import { DiscontinuedPage } from '../exports/DiscontinuedPage';
import { ExportDetails } from '../exports/ExportDetails';
import { ExportForm } from '../exports/ExportForm';
import { ExportsPage } from '../exports/ExportsPage';
import { RunDetails } from '../runs/RunDetails';
import { Console, contextFor } from './context';
import { Layout } from './Layout';
import { match, useRoute } from './router';

/** Which page a path shows; null when there is none. */
function page(path: string, query: URLSearchParams) {
  let params: Record<string, string> | undefined;
  if (path === '/connections') return <ConnectionsPage />;
  if (path === '/connections/new') return <ConnectionSetup />;
  if ((params = match('/connections/:id', path))) return <ConnectionSetup id={params.id} />;
  if ((params = match('/connections/:id/remove', path))) return <RemoveConnection id={params.id} />;
  if (path === '/exports') return <ExportsPage />;
  if (path === '/exports/new') return <ExportForm duplicateOf={query.get('duplicate') ?? undefined} />;
  if ((params = match('/exports/:id', path))) return <ExportDetails id={params.id} />;
  if ((params = match('/exports/:id/edit', path))) return <ExportForm id={params.id} />;
  if ((params = match('/exports/:id/discontinued', path))) return <DiscontinuedPage id={params.id} />;
  if ((params = match('/runs/:id', path))) return <RunDetails id={params.id} />;
  return null;
}

export function App({ session }: { session: Session }) {
  const [expired, setExpired] = useState(false);
  const context = useMemo(
    () =>
      contextFor(
        session,
        createApi(session.token, () => setExpired(true)),
      ),
    [session],
  );
  const { path, query } = useRoute();
  const shown = page(path, query);
  return (
    <Console.Provider value={context}>
      {expired && (
        <div class="alert banner" role="alert">
          <p>Your sign-in has ended.</p>
          <button type="button" class="primary" onClick={() => session.signOut()}>
            Sign in again
          </button>
        </div>
      )}
      {shown ?? (
        <Layout title="Page not found" section="">
          <p>The console has no page at this address.</p>
        </Layout>
      )}
    </Console.Provider>
  );
}
