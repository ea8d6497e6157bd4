import { useId } from 'react';
import { Field, Select, TextArea, TextInput } from '../../components/forms.tsx';
import { t } from '../../i18n/index.ts';
import type { TicketField } from '../../lib/types.ts';

/** Custom ticket field types this form can fill in (system fields have their own controls). */
export const CUSTOM_TYPES = new Set([
  'text',
  'textarea',
  'checkbox',
  'date',
  'integer',
  'decimal',
  'regexp',
  'tagger',
  'multiselect',
]);

/** One custom field, in the control its type calls for; values go to the API as the user gave them. */
export function CustomFieldInput({
  field,
  value,
  onChange,
  error,
}: {
  field: TicketField;
  value: unknown;
  onChange: (value: unknown) => void;
  error?: string;
}) {
  const groupId = useId();
  const label = field.required ? t('views.newTicket.requiredMark', { title: field.title }) : field.title;
  const hint = [field.description, field.required ? t('views.newTicket.requiredHint') : '']
    .filter(Boolean)
    .join(' ');
  const text = typeof value === 'string' ? value : '';
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
          onChange={(e) => onChange(e.target.value)}
          options={[
            { value: '', label: t('views.newTicket.chooseOption') },
            ...(field.custom_field_options ?? []).map((o) => ({ value: o.value, label: o.name })),
          ]}
        />
      );
    case 'multiselect': {
      const chosen = Array.isArray(value) ? (value as string[]) : [];
      return (
        <fieldset aria-describedby={error ? `${groupId}-error` : undefined}>
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
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}
