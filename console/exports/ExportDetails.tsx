import type { ExportView, Run } from '../api/types';
import { useConsole } from '../app/context';
import { Layout, Pending } from '../app/Layout';
import { Link } from '../app/Link';
import { count, duration, statusText, when } from '../ui/format';
import { DataTable } from '../ui/DataTable';
import { useLoad } from '../ui/useLoad';
import { runInProgress } from '../runs/runState';
import { ExportActions } from './ExportActions';
import { HistoryChart } from './HistoryChart';
import { scheduleText, triggerText } from './scheduleText';

const HISTORY = 30;
const POLL_MS = 2000;

const sum = (run: Run, key: 'sent' | 'added' | 'removed') =>
  run.segments.reduce((total, segment) => total + segment.counts[key], 0);

/** One export: its settings, the actions the caller may take, and its history (chart above the table). */
export function ExportDetails({ id }: { id: string }) {
  const { api } = useConsole();
  const { data, error, reload } = useLoad(
    async () => ({
      item: await api.get<ExportView>(`/exports/${id}`),
      runs: (await api.get<{ runs: Run[] }>(`/exports/${id}/runs?top=${HISTORY}`)).runs,
    }),
    [id],
    (loaded) => (loaded.runs.some(runInProgress) ? POLL_MS : 0),
  );
  if (!data) return <Pending title="Export" section="Exports" error={error} />;
  const { item, runs } = data;
  return (
    <Layout title={item.displayName} section="Exports">
      <ExportActions item={item} active={runs.find(runInProgress)} reload={reload} />
      <dl class="summary">
        <dt>Status</dt>
        <dd>{item.status === 'active' ? 'Active' : 'Inactive (no connection: edit it to choose one)'}</dd>
        <dt>RollWorks advertiser</dt>
        <dd>
          {item.advertiserName} <span class="id">{item.advertiserId}</span>
        </dd>
        <dt>Segments</dt>
        <dd>{item.segments.join(', ')}</dd>
        <dt>Email field</dt>
        <dd>
          {item.emailField}, {item.hashEmails ? 'hashed (MD5)' : 'sent as is'}
        </dd>
        <dt>Schedule</dt>
        <dd>{scheduleText(item.schedule)}</dd>
      </dl>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Export history</h2>
        <HistoryChart runs={runs} />
        {runs.length > 0 && (
          <DataTable
            caption="Runs, newest first"
            columns={['Started', 'Trigger', 'Status', 'Sent', 'Added', 'Removed', 'Duration']}
          >
            {runs.map((run) => (
              <tr key={run.id}>
                <td>
                  <Link to={`/runs/${run.id}`}>{when(run.startedAt ?? run.createdAt)}</Link>
                </td>
                <td>
                  {triggerText(run.trigger)}
                  {run.dryRun ? ' (dry run)' : ''}
                </td>
                <td>
                  <span class={`status status-${run.status}`}>{statusText(run.status)}</span>
                </td>
                <td>{count(sum(run, 'sent'))}</td>
                <td>{count(sum(run, 'added'))}</td>
                <td>{count(sum(run, 'removed'))}</td>
                <td>
                  {duration(
                    run.startedAt && run.finishedAt
                      ? Date.parse(run.finishedAt) - Date.parse(run.startedAt)
                      : null,
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </Layout>
  );
}
