import { FieldError, errorProps, type FieldMessages } from '../ui/fields';

export type AudiencesMode = 'keep' | 'deactivate';

interface Props {
  id: string;
  legend: string;
  value: AudiencesMode;
  onChange: (value: AudiencesMode) => void;
  messages: FieldMessages;
}

/** What happens at RollWorks to the audiences of what is removed: kept (default) or deactivated. */
export function AudiencesChoice({ id, legend, value, onChange, messages }: Props) {
  return (
    <fieldset {...errorProps(id, messages, 'audiences')}>
      <legend>{legend}</legend>
      <label class="choice">
        <input type="radio" name={id} checked={value === 'keep'} onChange={() => onChange('keep')} />
        Keep them in RollWorks (campaigns using them go on)
      </label>
      <label class="choice">
        <input
          type="radio"
          name={id}
          checked={value === 'deactivate'}
          onChange={() => onChange('deactivate')}
        />
        Deactivate them in RollWorks
      </label>
      <FieldError id={id} messages={messages} field="audiences" />
    </fieldset>
  );
}
