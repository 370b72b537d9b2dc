import type { AdvertiserList, Segment } from '../api/types';
import { FieldError, errorProps, type FieldMessages } from '../ui/fields';
import { count } from '../ui/format';
import { segmentRefusal } from './segmentChoice';

interface Props {
  segments: Segment[];
  chosen: string[];
  limits: AdvertiserList['segmentLimits'] | undefined;
  messages: FieldMessages;
  onChange: (chosen: string[]) => void;
}

/** Every segment with its member count; one the connection cannot take is shown, disabled, with the reason. */
export function SegmentPicker({ segments, chosen, limits, messages, onChange }: Props) {
  return (
    <fieldset {...errorProps('segments', messages, 'segments')}>
      <legend>Segments</legend>
      {segments.length === 0 && <p>No segment is published to the segment store yet.</p>}
      <ul class="segments">
        {segments.map((segment) => {
          const refusal = segmentRefusal(segment, limits);
          const id = `segment-${segment.name}`;
          return (
            <li key={segment.name}>
              <input
                id={id}
                type="checkbox"
                checked={chosen.includes(segment.name)}
                disabled={refusal !== undefined && !chosen.includes(segment.name)}
                aria-describedby={refusal ? `${id}-reason` : undefined}
                onChange={(event) =>
                  onChange(
                    event.currentTarget.checked
                      ? [...chosen, segment.name]
                      : chosen.filter((name) => name !== segment.name),
                  )
                }
              />
              <label for={id}>
                {segment.name}{' '}
                <span class="members">
                  {segment.rowCount === null ? 'size unknown' : `${count(segment.rowCount)} members`}
                </span>
              </label>
              {refusal && (
                <p class="reason" id={`${id}-reason`}>
                  {refusal}
                </p>
              )}
            </li>
          );
        })}
      </ul>
      <FieldError id="segments" messages={messages} field="segments" />
    </fieldset>
  );
}
