import type { ComponentChildren } from 'preact';

export type FieldMessages = Map<string, string[]>;

const errorId = (id: string) => `${id}-error`;

/** Props that tie a control to its field's error message. */
export function errorProps(id: string, messages: FieldMessages, field: string) {
  const invalid = (messages.get(field)?.length ?? 0) > 0;
  return invalid ? { 'aria-invalid': true as const, 'aria-describedby': errorId(id) } : {};
}

/** The API's message for a field, right next to it. */
export function FieldError({ id, messages, field }: { id: string; messages: FieldMessages; field: string }) {
  const texts = messages.get(field);
  if (!texts?.length) return null;
  return (
    <p class="field-error" id={errorId(id)}>
      {texts.join(' ')}
    </p>
  );
}

interface TextFieldProps {
  id: string;
  label: string;
  field: string;
  value: string;
  messages: FieldMessages;
  onInput: (value: string) => void;
  hint?: ComponentChildren;
  list?: string;
  required?: boolean;
}

export function TextField({
  id,
  label,
  field,
  value,
  messages,
  onInput,
  hint,
  list,
  required,
}: TextFieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={value}
        list={list}
        required={required}
        autocomplete="off"
        onInput={(event) => onInput((event.currentTarget as HTMLInputElement).value)}
        {...errorProps(id, messages, field)}
      />
      {hint && <p class="hint">{hint}</p>}
      <FieldError id={id} messages={messages} field={field} />
    </div>
  );
}

interface SelectFieldProps {
  id: string;
  label: string;
  field: string;
  value: string;
  messages: FieldMessages;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
  hint?: ComponentChildren;
}

export function SelectField({
  id,
  label,
  field,
  value,
  messages,
  options,
  onChange,
  hint,
}: SelectFieldProps) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange((event.currentTarget as HTMLSelectElement).value)}
        {...errorProps(id, messages, field)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint && <p class="hint">{hint}</p>}
      <FieldError id={id} messages={messages} field={field} />
    </div>
  );
}

/** Messages that name no field of the form. */
export function FormError({ messages }: { messages: FieldMessages }) {
  const texts = messages.get('');
  if (!texts?.length) return null;
  return (
    <div class="alert" role="alert">
      {texts.map((text) => (
        <p key={text}>{text}</p>
      ))}
    </div>
  );
}

/** A failed load or action outside a form. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div class="alert" role="alert">
      <p>{error instanceof Error ? error.message : 'Something went wrong.'}</p>
    </div>
  );
}

export const Loading = () => (
  <p class="loading" aria-live="polite">
    Loading…
  </p>
);
