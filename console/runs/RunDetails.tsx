import { useState } from 'preact/hooks';
import type { ExportView, Run } from '../api/types';
import { useConsole } from '../app/context';
import { Layout, Pending } from '../app/Layout';
import { Link } from '../app/Link';
import { mayRun } from '../app/permissions';
import { ErrorAlert } from '../ui/fields';
import { statusText, when } from '../ui/format';
import { useLoad } from '../ui/useLoad';
import { triggerText } from '../exports/scheduleText';
import { runInProgress } from './runState';
import { SegmentResult } from './SegmentResult';

const POLL_MS = 1000;

/** A run, followed live (polled every second) until it ends. */
export function RunDetails({ id }: { id: string }) {
  const { api, can, session } = useConsole();
  const [failure, setFailure] = useState<unknown>();
  const { data, error, reload } = useLoad(
    async () => {
      const run = await api.get<Run>(`/runs/${id}`);
      const item = await api.get<ExportView>(`/exports/${run.exportId}`).catch(() => undefined);
      return { run, item };
    },
    [id],
    ({ run }) => (runInProgress(run) ? POLL_MS : 0),
  );
  if (!data) return <Pending title="Run details" section="Exports" error={error} />;
  const { run, item } = data;
  const cancel = () =>
    api.send('POST', `/runs/${run.id}/cancel`).then(reload, (problem: unknown) => setFailure(problem));
  return (
    <Layout title="Run details" section="Exports">
      <dl class="summary">
        <dt>Export</dt>
        <dd>{item ? <Link to={`/exports/${item.id}`}>{item.displayName}</Link> : run.exportId}</dd>
        <dt>Status</dt>
        <dd>
          <span class={`status status-${run.status}`} aria-live="polite">
            {statusText(run.status)}
          </span>
          {run.dryRun && ' (dry run)'}
        </dd>
        <dt>Started by</dt>
        <dd>{triggerText(run.trigger, true)}</dd>
        <dt>Started</dt>
        <dd>{when(run.startedAt ?? run.createdAt)}</dd>
        <dt>Finished</dt>
        <dd>{when(run.finishedAt)}</dd>
      </dl>
      {runInProgress(run) && mayRun(can, session.user.roles, item?.canEdit ?? false) && (
        <p class="actions">
          <button type="button" onClick={() => void cancel()}>
            Cancel
          </button>
        </p>
      )}
      <ErrorAlert error={failure ?? error} />
      {run.segments.map((segment) => (
        <SegmentResult key={segment.segment} runId={run.id} segment={segment} />
      ))}
    </Layout>
  );
}
