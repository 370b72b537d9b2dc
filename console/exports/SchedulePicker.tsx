import { cronProblem, isValidTimeZone, nextDueTime } from '../../shared/schedule/cron';
import { FieldError, TextField, type FieldMessages } from '../ui/fields';
import type { Draft, ScheduleKind } from './draft';

const KINDS: { kind: ScheduleKind; label: string }[] = [
  { kind: 'system', label: 'System refresh' },
  { kind: 'custom', label: 'Custom schedule (cron)' },
  { kind: 'segmentUpdated', label: 'When the segment data changes' },
  { kind: 'off', label: 'Off' },
];
const RUNS_SHOWN = 5;

/** The next run times of a custom schedule, by the same cron code the scheduler uses; or why none. */
function nextRuns(cron: string, timeZone: string): { times: string[] } | { problem: string } {
  const problem = cronProblem(cron);
  if (problem) return { problem: `The cron ${problem}.` };
  if (!isValidTimeZone(timeZone))
    return { problem: 'The time zone is not an IANA name such as Europe/Berlin.' };
  const format = new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeStyle: 'short', timeZone });
  const times: string[] = [];
  let after = new Date();
  for (let i = 0; i < RUNS_SHOWN; i++) {
    const next = nextDueTime({ cron, timeZone }, after);
    if (!next) break;
    times.push(format.format(next));
    after = next;
  }
  return { times };
}

let zones: string[] | undefined;
const timeZones = () => (zones ??= Intl.supportedValuesOf('timeZone'));

interface Props {
  draft: Draft;
  change: (patch: Partial<Draft>) => void;
  messages: FieldMessages;
}

export function SchedulePicker({ draft, change, messages }: Props) {
  const runs = draft.scheduleKind === 'custom' ? nextRuns(draft.cron, draft.timeZone) : undefined;
  return (
    <fieldset>
      <legend>Schedule</legend>
      {KINDS.map(({ kind, label }) => (
        <label class="choice" key={kind}>
          <input
            type="radio"
            name="schedule"
            checked={draft.scheduleKind === kind}
            onChange={() => change({ scheduleKind: kind })}
          />
          {label}
        </label>
      ))}
      <FieldError id="schedule" messages={messages} field="schedule" />
      {draft.scheduleKind === 'segmentUpdated' && (
        <div class="nested">
          <TextField
            id="schedule-min-interval"
            label="Minutes between runs, at least"
            field="schedule.minIntervalMinutes"
            value={draft.minIntervalMinutes}
            messages={messages}
            onInput={(minIntervalMinutes) => change({ minIntervalMinutes })}
            hint="A run starts once new data in a chosen segment has stopped changing for a few minutes; segments that did not change start nothing."
          />
        </div>
      )}
      {draft.scheduleKind === 'custom' && (
        <div class="nested">
          <TextField
            id="schedule-cron"
            label="Cron"
            field="schedule.cron"
            value={draft.cron}
            messages={messages}
            onInput={(cron) => change({ cron })}
            hint="Six fields (second minute hour day month day-of-week), as Azure Functions timers use, or five."
          />
          <TextField
            id="schedule-time-zone"
            label="Time zone"
            field="schedule.timeZone"
            value={draft.timeZone}
            messages={messages}
            list="time-zones"
            onInput={(timeZone) => change({ timeZone })}
          />
          <datalist id="time-zones">
            {timeZones().map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <section aria-labelledby="next-runs-heading" class="next-runs">
            <h3 id="next-runs-heading">Next five run times</h3>
            {runs && 'problem' in runs ? (
              <p class="hint">{runs.problem}</p>
            ) : (
              <ol>
                {runs?.times.map((time) => (
                  <li key={time}>{time}</li>
                ))}
              </ol>
            )}
          </section>
        </div>
      )}
    </fieldset>
  );
}
