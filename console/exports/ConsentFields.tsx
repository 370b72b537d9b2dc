import { SelectField, TextField, type FieldMessages } from '../ui/fields';
import type { Draft } from './draft';

interface Props {
  draft: Draft;
  /** Fields every chosen segment has. */
  fields: string[];
  change: (patch: Partial<Draft>) => void;
  messages: FieldMessages;
}

/** Optional consent filter: only rows whose consent field holds an accepted value are sent. */
export function ConsentFields({ draft, fields, change, messages }: Props) {
  return (
    <fieldset>
      <legend>Consent</legend>
      <label class="choice">
        <input
          type="checkbox"
          checked={draft.consentRequired}
          onChange={(event) => change({ consentRequired: event.currentTarget.checked })}
        />
        Send only profiles with consent
      </label>
      {draft.consentRequired && (
        <div class="nested">
          <SelectField
            id="export-consent-field"
            label="Consent field"
            field="consent.field"
            value={draft.consentField}
            messages={messages}
            options={[
              { value: '', label: 'Choose a field' },
              ...fields.map((field) => ({ value: field, label: field })),
            ]}
            onChange={(consentField) => change({ consentField })}
          />
          <TextField
            id="export-consent-values"
            label="Accepted values"
            field="consent.acceptedValues"
            value={draft.consentValues}
            messages={messages}
            onInput={(consentValues) => change({ consentValues })}
            hint="Comma separated, compared without regard to case. Rows with any other value are counted as without consent and not sent."
          />
        </div>
      )}
    </fieldset>
  );
}
