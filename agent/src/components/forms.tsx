import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react';
import { t } from '../i18n/index.ts';
import { ApiError } from '../lib/api.ts';

/**
 * A labelled control with its hint and error tied to it for screen readers. Errors are the API's own words
 * for that field, shown beside it.
 */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': described || undefined, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function TextInput({
  label,
  hint,
  error,
  ...props
}: { label: string; hint?: string; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(a11y) => <input {...a11y} {...props} />}
    </Field>
  );
}

export function TextArea({
  label,
  hint,
  error,
  ...props
}: { label: string; hint?: string; error?: string } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(a11y) => <textarea {...a11y} {...props} />}
    </Field>
  );
}

export function Select({
  label,
  hint,
  error,
  options,
  ...props
}: {
  label: string;
  hint?: string;
  error?: string;
  options: { value: string; label: string }[];
} & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(a11y) => (
        <select {...a11y} {...props}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** An error that belongs to no single field (or an offline/permission error), as an alert. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const message =
    error instanceof ApiError
      ? error.description
      : t('shell.errors.generic', { message: String((error as Error)?.message ?? error) });
  return (
    <p className="error-notice" role="alert">
      {message}
    </p>
  );
}

/** Field errors from a 422, by field name, plus whatever is left over for an ErrorNotice. */
export function fieldErrors(
  error: unknown,
  fields: string[],
): { byField: Record<string, string>; rest: unknown } {
  if (!(error instanceof ApiError) || !Object.keys(error.details).length) return { byField: {}, rest: error };
  const byField: Record<string, string> = {};
  for (const name of fields) {
    const message = error.fieldError(name);
    if (message) byField[name] = message;
  }
  const unclaimed = Object.keys(error.details).filter((k) => !fields.includes(k));
  return { byField, rest: unclaimed.length ? error : null };
}
