import { useState } from 'preact/hooks';
import type { SegmentRun } from '../api/types';
import { useConsole } from '../app/context';
import { DataTable } from '../ui/DataTable';
import { ErrorAlert } from '../ui/fields';
import { count, duration, statusText, when } from '../ui/format';
import { outcomeSentence, rowsPerSecond, stageOf } from './outcome';

const COUNTS = [
  'read',
  'invalid',
  'duplicates',
  'suppressed',
  'withoutConsent',
  'valid',
  'sent',
  'added',
  'removed',
] as const;
const COUNT_NAMES: Record<(typeof COUNTS)[number], string> = {
  read: 'Read',
  invalid: 'Invalid',
  duplicates: 'Duplicates',
  suppressed: 'Suppressed',
  withoutConsent: 'Without consent',
  valid: 'Valid',
  sent: 'Sent',
  added: 'Added',
  removed: 'Removed',
};

/** One segment of a run: live progress while it runs, then its counts, audience and outcome. */
export function SegmentResult({ runId, segment }: { runId: string; segment: SegmentRun }) {
  const { api, can } = useConsole();
  const [error, setError] = useState<unknown>();
  const sentence = outcomeSentence(segment);
  const speed = rowsPerSecond(segment);
  const headingId = `segment-${segment.segment}`;
  const download = () =>
    api
      .download(`/runs/${runId}/segments/${encodeURIComponent(segment.segment)}/rejections`)
      .catch((failure: unknown) => setError(failure));

  return (
    <section class="segment-result" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {segment.segment} <span class={`status status-${segment.status}`}>{statusText(segment.status)}</span>
      </h2>
      <p class="stage" aria-live="polite">
        {stageOf(segment)}
        {segment.progress && (
          <>
            : {count(segment.progress.rowsRead)} rows read{speed !== undefined && `, ${count(speed)} rows/s`}
          </>
        )}
      </p>
      {segment.status === 'running' && <progress aria-label={`Progress of ${segment.segment}`} />}
      {segment.status === 'waitingForQuota' && segment.resumesAt && (
        <p class="notice" role="status">
          Waiting for the daily RollWorks request budget: resumes at {when(segment.resumesAt)}.
        </p>
      )}
      {sentence && <p class={segment.error ? 'sentence problem' : 'sentence'}>{sentence}</p>}
      <DataTable
        caption={`Counts of ${segment.segment}`}
        columns={COUNTS.map((key) => COUNT_NAMES[key])}
        class="counts"
      >
        <tr>
          {COUNTS.map((key) => (
            <td key={key}>{count(segment.counts[key])}</td>
          ))}
        </tr>
      </DataTable>
      <dl class="summary">
        <dt>Audience</dt>
        <dd>
          {segment.audience ? (
            <>
              {segment.audience.name} <span class="id">{segment.audience.id}</span>
            </>
          ) : (
            'None yet'
          )}
        </dd>
        <dt>Duration</dt>
        <dd>{duration(segment.timings?.totalMs)}</dd>
      </dl>
      {can.downloadRejections && segment.rejectionsUrl && (
        <button type="button" onClick={() => void download()}>
          Download rejections
        </button>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}
