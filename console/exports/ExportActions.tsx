import { useState } from 'preact/hooks';
import { ApiProblem, messagesByField } from '../api/problem';
import type { ExportView, Run } from '../api/types';
import { useConsole } from '../app/context';
import { Link } from '../app/Link';
import { mayRun } from '../app/permissions';
import { navigate } from '../app/router';
import { ErrorAlert } from '../ui/fields';
import { useAction } from '../ui/useAction';
import { newIdempotencyKey } from '../runs/runState';
import { AudiencesChoice, type AudiencesMode } from './AudiencesChoice';

/** Run, Dry run, Cancel, Edit, Create duplicate, Remove: only those the caller's role allows. */
export function ExportActions({
  item,
  active,
  reload,
}: {
  item: ExportView;
  active?: Run;
  reload: () => Promise<void>;
}) {
  const { api, can, session } = useConsole();
  const { error, run: act } = useAction();
  const [confirming, setConfirming] = useState(false);
  const [audiences, setAudiences] = useState<AudiencesMode>('keep');
  const runs = mayRun(can, session.user.roles, item.canEdit);
  const edits = can.addExports && item.canEdit;

  const start = (dryRun: boolean) =>
    act(async () => {
      const run = await api.send<Run>(
        'POST',
        `/exports/${item.id}/runs`,
        { dryRun },
        { 'Idempotency-Key': newIdempotencyKey() },
      );
      navigate(`/runs/${run.id}`);
    });
  const cancel = (run: Run) =>
    act(async () => {
      await api.send('POST', `/runs/${run.id}/cancel`);
      await reload();
    });
  const remove = () =>
    act(async () => {
      await api.send('DELETE', `/exports/${item.id}?audiences=${audiences}`);
      navigate(audiences === 'deactivate' ? `/exports/${item.id}/discontinued` : '/exports');
    });
  const removeMessages = messagesByField(error, ['audiences']);
  const inProgress =
    error instanceof ApiProblem && typeof error.extra.runId === 'string' ? error.extra.runId : undefined;

  return (
    <div class="export-actions">
      <div class="actions">
        {runs && item.status === 'active' && (
          <>
            <button type="button" class="primary" onClick={() => void start(false)}>
              Run
            </button>
            <button type="button" onClick={() => void start(true)}>
              Dry run
            </button>
          </>
        )}
        {runs && active && (
          <button type="button" onClick={() => void cancel(active)}>
            Cancel
          </button>
        )}
        {edits && (
          <>
            <Link to={`/exports/${item.id}/edit`} class="button">
              Edit
            </Link>
            <Link to={`/exports/new?duplicate=${encodeURIComponent(item.id)}`} class="button">
              Create duplicate
            </Link>
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              Remove
            </button>
          </>
        )}
      </div>
      {confirming && (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-remove">
          <p id="confirm-remove">
            Remove the export <strong>{item.displayName}</strong>? Nothing of it is sent again, and its lists
            of sent members and its rejection reports are deleted.
          </p>
          <AudiencesChoice
            id="remove-audiences"
            legend="Its audiences in RollWorks"
            value={audiences}
            onChange={setAudiences}
            messages={removeMessages}
          />
          <button type="button" class="danger" onClick={() => void remove()}>
            Remove export
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      {!removeMessages.has('audiences') && <ErrorAlert error={error} />}
      {inProgress && (
        <p>
          <Link to={`/runs/${inProgress}`}>Watch the run in progress</Link>
        </p>
      )}
    </div>
  );
}
