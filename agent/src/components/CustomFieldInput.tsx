import { useId } from 'react';
import type { TicketField } from '../lib/types.ts';
import { Field, Select, TextArea, TextInput } from './forms.tsx';

/** Custom ticket field types, in the order admins pick them (Zendesk calls the drop-down `tagger`). */
export const CUSTOM_FIELD_TYPES = [
  'text',
  'textarea',
  'checkbox',
  'date',
  'integer',
  'decimal',
  'regexp',
  'tagger',
  'multiselect',
] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** A custom field agents fill in (system fields have their own controls). */
export function isCustomField(field: TicketField): boolean {
  return (CUSTOM_FIELD_TYPES as readonly string[]).includes(field.type);
}

/**
 * One custom field, in the control its type calls for, on the new-ticket form and the ticket's properties.
 * Values go to the API as the agent typed them; the server validates (a 422 shows beside the field).
 */
export function CustomFieldInput({
  field,
  value,
  onChange,
  label,
  hint,
  error,
  emptyOption,
}: {
  field: TicketField;
  value: unknown;
  onChange: (value: unknown) => void;
  /** The caller's wording, e.g. with a required mark. */
  label: string;
  hint?: string;
  error?: string;
  /** The drop-down's "nothing chosen" entry. */
  emptyOption: string;
}) {
  const groupId = useId();
  const text = value === null || value === undefined ? '' : String(value);
  switch (field.type) {
    case 'textarea':
      return (
        <TextArea
          label={label}
          hint={hint || undefined}
          error={error}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case 'checkbox':
      return (
        <Field label={label} hint={hint || undefined} error={error}>
          {(a11y) => (
            <input
              {...a11y}
              type="checkbox"
              checked={value === true}
              onChange={(e) => onChange(e.target.checked)}
            />
          )}
        </Field>
      );
    case 'tagger':
      return (
        <Select
          label={label}
          hint={hint || undefined}
          error={error}
          value={text}
          onChange={(e) => onChange(e.target.value || null)}
          options={[
            { value: '', label: emptyOption },
            ...(field.custom_field_options ?? []).map((o) => ({ value: o.value, label: o.name })),
          ]}
        />
      );
    case 'multiselect': {
      const chosen = Array.isArray(value) ? (value as string[]) : [];
      return (
        <fieldset className="multiselect" aria-describedby={error ? `${groupId}-error` : undefined}>
          <legend>{label}</legend>
          {(field.custom_field_options ?? []).map((o) => (
            <label key={o.id} className="checkbox-row">
              <input
                type="checkbox"
                checked={chosen.includes(o.value)}
                onChange={(e) =>
                  onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))
                }
              />
              {o.name}
            </label>
          ))}
          {hint && <p className="hint">{hint}</p>}
          {error && (
            <p className="field-error" id={`${groupId}-error`}>
              {error}
            </p>
          )}
        </fieldset>
      );
    }
    default:
      return (
        <TextInput
          label={label}
          hint={hint || undefined}
          error={error}
          type={field.type === 'date' ? 'date' : 'text'}
          inputMode={field.type === 'integer' ? 'numeric' : field.type === 'decimal' ? 'decimal' : undefined}
          value={field.type === 'date' ? text.slice(0, 10) : text}
          onChange={(e) => onChange(e.target.value === '' && field.type !== 'text' ? null : e.target.value)}
        />
      );
  }
}
