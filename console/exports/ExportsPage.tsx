import { useEffect, useState } from 'preact/hooks';
import type { ConnectionView, ExportView, Run } from '../api/types';
import { useConsole } from '../app/context';
import { Layout } from '../app/Layout';
import { Link } from '../app/Link';
import { permissionText } from '../app/permissions';
import { ErrorAlert, Loading } from '../ui/fields';
import { when } from '../ui/format';
import { DataTable } from '../ui/DataTable';
import { useLoad } from '../ui/useLoad';
import { scheduleText } from './scheduleText';

const LAST_RUN_CONCURRENCY = 4;

/** When each export last finished a run: asked after the list shows, a few at a time. */
function useLastRefreshed(exports: ExportView[] | undefined): Map<string, string | null> {
  const { api } = useConsole();
  const [finished, setFinished] = useState(new Map<string, string | null>());
  useEffect(() => {
    if (!exports) return;
    let stopped = false;
    const queue = [...exports];
    const next = async (): Promise<void> => {
      const item = queue.shift();
      if (!item || stopped) return;
      const { runs } = await api
        .get<{ runs: Run[] }>(`/exports/${item.id}/runs?top=5`)
        .catch(() => ({ runs: [] }));
      const last = runs.find((run) => run.finishedAt)?.finishedAt ?? null;
      if (!stopped) setFinished((current) => new Map(current).set(item.id, last));
      return next();
    };
    for (let i = 0; i < LAST_RUN_CONCURRENCY; i++) void next();
    return () => void (stopped = true);
  }, [exports]);
  return finished;
}

export function ExportsPage() {
  const { api, can, session } = useConsole();
  const [search, setSearch] = useState('');
  const { data, error } = useLoad(async () => {
    const [exports, connections] = await Promise.all([
      api.get<{ exports: ExportView[] }>('/exports').then((body) => body.exports),
      can.seeConnections
        ? api.get<{ connections: ConnectionView[] }>('/connections').then((body) => body.connections)
        : Promise.resolve([]),
    ]);
    return { exports, connectionNames: new Map(connections.map((c) => [c.id, c.displayName])) };
  }, []);
  const lastRefreshed = useLastRefreshed(data?.exports);
  const connectionName = (id: string | null) =>
    id ? (data?.connectionNames.get(id) ?? 'Not visible to you') : 'None';
  const needle = search.trim().toLowerCase();
  const shown = data?.exports.filter(
    (item) =>
      !needle ||
      item.displayName.toLowerCase().includes(needle) ||
      connectionName(item.connectionId).toLowerCase().includes(needle),
  );

  return (
    <Layout title="Exports" section="Exports">
      <div class="toolbar">
        <div class="field inline">
          <label for="export-search">Search</label>
          <input
            id="export-search"
            type="search"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </div>
        {can.addExports && (
          <Link to="/exports/new" class="button primary">
            Add export
          </Link>
        )}
      </div>
      <ErrorAlert error={error} />
      {!data && !error && <Loading />}
      {shown && shown.length === 0 && <p>{needle ? 'No export matches the search.' : 'No exports yet.'}</p>}
      {shown && shown.length > 0 && (
        <DataTable
          caption="Exports"
          columns={['Name', 'Connection', 'Status', 'Schedule', 'Last refreshed', 'Your permissions']}
          class="exports"
        >
          {shown.map((item) => (
            <tr key={item.id}>
              <td>
                <Link to={`/exports/${item.id}`}>{item.displayName}</Link>
              </td>
              <td>{connectionName(item.connectionId)}</td>
              <td>
                <span class={`status status-${item.status}`}>
                  {item.status === 'active' ? 'Active' : 'Inactive'}
                </span>
              </td>
              <td>{scheduleText(item.schedule)}</td>
              <td>
                {lastRefreshed.has(item.id)
                  ? lastRefreshed.get(item.id)
                    ? when(lastRefreshed.get(item.id))
                    : 'Never'
                  : '…'}
              </td>
              <td>{permissionText(can, session.user.roles, item.canEdit)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Layout>
  );
}
