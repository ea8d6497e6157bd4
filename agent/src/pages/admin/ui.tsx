import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { Dialog } from '../../components/Dialog.tsx';
import { type MessageKey, t } from '../../i18n/index.ts';
import { ApiError } from '../../lib/api.ts';

/** The heading of a settings section, its one-line purpose and its main actions. */
export function SectionHeader({
  title,
  intro,
  actions,
}: {
  title: string;
  intro?: string;
  actions?: ReactNode;
}) {
  return (
    <header className="admin-header">
      <div>
        <h1>{title}</h1>
        {intro && <p className="muted admin-intro">{intro}</p>}
      </div>
      {actions && <div className="admin-header-actions">{actions}</div>}
    </header>
  );
}

/**
 * A failed save split into the messages that belong beside a field (by the API's detail key) and the rest,
 * shown together at the top of the form. Unlike a bare "Record validation errors", every detail the API gave
 * is shown somewhere.
 */
export interface Problems {
  byField: Record<string, string>;
  other: string[];
}

export function problemsOf(error: unknown, fields: string[]): Problems {
  if (!error) return { byField: {}, other: [] };
  if (!(error instanceof ApiError)) {
    return {
      byField: {},
      other: [t('shell.errors.generic', { message: String((error as Error)?.message ?? error) })],
    };
  }
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const [key, list] of Object.entries(error.details)) {
    const message = list[0]?.description;
    if (!message) continue;
    if (fields.includes(key)) byField[key] = besideField(key, message);
    else other.push(...list.map((p) => p.description));
  }
  if (!Object.keys(error.details).length) other.push(error.description || error.code);
  return { byField, other };
}

/**
 * A message shown beside its field need not repeat the field's name: "Title: cannot be blank" becomes
 * "Cannot be blank" under the Title box. Messages that do not start with the name are kept whole.
 */
function besideField(key: string, message: string): string {
  const names = [key, key.replaceAll('_', ' ')].map((n) => `${n.toLowerCase()}: `);
  const prefix = names.find((n) => message.toLowerCase().startsWith(n));
  if (!prefix) return message;
  const rest = message.slice(prefix.length);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/**
 * Problems of the last failed save, minus those of fields edited since: once someone changes a field, its
 * old error no longer describes what it holds. `edited('title')` also clears nested keys (`title.0`).
 */
export function useProblems(error: unknown, fields: string[]) {
  const [state, setState] = useState<{ error: unknown; edited: string[] }>({ error, edited: [] });
  const edited = state.error === error ? state.edited : [];
  const problems = problemsOf(error, fields);
  for (const key of Object.keys(problems.byField)) {
    if (edited.some((f) => key === f || key.startsWith(`${f}.`))) delete problems.byField[key];
  }
  const markEdited = useCallback(
    (...names: string[]) =>
      setState((s) => ({ error, edited: [...(s.error === error ? s.edited : []), ...names] })),
    [error],
  );
  return { ...problems, edited: markEdited };
}

export function ProblemList({ problems }: { problems: string[] }) {
  if (!problems.length) return null;
  return (
    <div className="error-notice admin-problems" role="alert">
      {problems.length === 1 ? (
        <p>{problems[0]}</p>
      ) : (
        <ul>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A labelled checkbox with an optional hint. */
export function Checkbox({
  label,
  checked,
  onChange,
  hint,
  disabled,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="field admin-checkbox">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/**
 * A confirmation for something hard to undo. `onConfirm` runs the change; its error (the API's words, such
 * as "You cannot suspend yourself") stays in the dialog.
 */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (open) setError(null);
  }, [open]);
  const problems = problemsOf(error, []);
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <div className="admin-confirm">
        <div>{message}</div>
        <ProblemList problems={[...Object.values(problems.byField), ...problems.other]} />
        <div className="admin-form-actions">
          <button
            type="button"
            className="button danger"
            disabled={pending}
            onClick={async () => {
              setPending(true);
              setError(null);
              try {
                await onConfirm();
                onClose();
              } catch (err) {
                setError(err);
              } finally {
                setPending(false);
              }
            }}
          >
            {pending ? t('shell.saving') : confirmLabel}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t('shell.cancel')}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/**
 * The confirmation before a row of a settings list is deleted: `onDelete` asks the API, then `onDeleted`
 * gets the notice to announce ("Sales deleted.") and refreshes the list (the dialog waits for it).
 */
export function DeleteDialog<T>({
  row,
  name,
  title,
  message,
  onDelete,
  onDeleted,
  onClose,
}: {
  row: T | null;
  name: (row: T) => string;
  /** A message with `{name}`. */
  title: MessageKey;
  message: MessageKey;
  onDelete: (row: T) => Promise<unknown>;
  onDeleted: (notice: string) => unknown;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      open={row !== null}
      title={t(title, { name: row ? name(row) : '' })}
      message={<p>{t(message)}</p>}
      confirmLabel={t('shell.delete')}
      onConfirm={async () => {
        const deleting = row!;
        await onDelete(deleting);
        await onDeleted(t('admin.rules.deleted', { name: name(deleting) }));
      }}
      onClose={onClose}
    />
  );
}

/**
 * A secret or link shown once: a read-only field the person can select, and a copy button. When the
 * clipboard is not available (an insecure origin, a refused permission) the text is selected instead so
 * Ctrl+C copies it.
 */
export function CopyField({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const id = useId();
  const ref = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'copied' | 'select' | null>(null);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="admin-copy">
        <input
          id={id}
          ref={ref}
          readOnly
          value={value}
          onFocus={(e) => e.target.select()}
          aria-describedby={hint ? `${id}-hint` : undefined}
        />
        <button
          type="button"
          className="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied('copied');
            } catch {
              ref.current?.focus();
              ref.current?.select();
              setCopied('select');
            }
          }}
        >
          {t('admin.copy')}
        </button>
      </div>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <p className="hint" role="status">
        {copied === 'copied' ? t('admin.copied') : copied === 'select' ? t('admin.copySelect') : ''}
      </p>
    </div>
  );
}

/** "Saved" after a save, read out by screen readers, gone after a few seconds. */
export function useSavedNotice(): [ReactNode, () => void] {
  const [shown, setShown] = useState(0);
  const show = useCallback(() => setShown((n) => n + 1), []);
  useEffect(() => {
    if (!shown) return;
    const timer = setTimeout(() => setShown(0), 4000);
    return () => clearTimeout(timer);
  }, [shown]);
  return [
    <span className="admin-saved" role="status" key="saved">
      {shown ? t('shell.saved') : ''}
    </span>,
    show,
  ];
}

/** The workspace's words for `key`, or `fallback` for a value it has none for (one the server added since). */
export function labelOr(key: string, fallback: string): string {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
}

/** A tag from a display name ("Out of stock" → "out_of_stock"), as Zendesk suggests option values. */
export function tagFromName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * A settings list: its header with the add button, a status line that announces changes, and the list's
 * error, loading and empty states around the list itself. `before` sits above the list (a failed row action).
 */
export function ListSection({
  title,
  intro,
  addLabel,
  onAdd,
  notice,
  before,
  error,
  loading,
  empty,
  children,
}: {
  title: string;
  intro?: string;
  addLabel: string;
  onAdd: () => void;
  notice: string;
  before?: ReactNode;
  error: unknown;
  loading: boolean;
  empty?: string | false;
  children: ReactNode;
}) {
  return (
    <>
      <SectionHeader
        title={title}
        intro={intro}
        actions={
          <button type="button" className="button primary" onClick={onAdd}>
            {addLabel}
          </button>
        }
      />
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      {before}
      <Loaded error={error} loading={loading} empty={empty}>
        {children}
      </Loaded>
    </>
  );
}

/**
 * Something read from the API: the API's problem with it, "Loading…" until it is in, `empty` when there
 * is nothing to show, or else `children`.
 */
export function Loaded({
  error,
  loading,
  empty,
  children,
}: {
  error: unknown;
  loading: boolean;
  empty?: string | false;
  children: ReactNode;
}) {
  if (error) return <ProblemList problems={problemsOf(error, []).other} />;
  if (loading) return <p className="loading">{t('shell.loading')}</p>;
  if (empty) return <p className="muted">{empty}</p>;
  return children;
}

/**
 * A settings table: its column headings (after `lead`, a first heading such as a select-all checkbox, when
 * given), then a last, unnamed-on-screen column for each row's buttons.
 */
export function AdminTable({
  caption,
  lead,
  columns,
  children,
}: {
  caption: string;
  lead?: ReactNode;
  columns: string[];
  children: ReactNode;
}) {
  return (
    <div className="admin-table-wrap">
      <table className="data admin-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {lead && <th scope="col">{lead}</th>}
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">{t('admin.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The first cell of a settings row: the record's name, and a line about it below. */
export function TitleCell({ title, sub }: { title: string; sub?: string | null }) {
  return (
    <td>
      <strong>{title}</strong>
      {sub && <div className="muted admin-sub">{sub}</div>}
    </td>
  );
}

/** Edit and delete buttons for one row, named after it for screen readers. */
export function EditDeleteButtons({
  name,
  onEdit,
  onDelete,
}: {
  name: string;
  onEdit: () => void;
  onDelete?: () => void;
}) {
  return (
    <>
      <button type="button" className="button" onClick={onEdit} aria-label={t('admin.editNamed', { name })}>
        {t('shell.edit')}
      </button>
      {onDelete && (
        <button
          type="button"
          className="button danger"
          onClick={onDelete}
          aria-label={t('admin.deleteNamed', { name })}
        >
          {t('shell.delete')}
        </button>
      )}
    </>
  );
}

/**
 * A form's submit button (showing `pendingLabel`, "Saving…" unless given, meanwhile), its cancel button when
 * it has `onCancel`, then `children` (another button, a "Saved" notice).
 */
export function FormActions({
  pending,
  pendingLabel = t('shell.saving'),
  submitLabel,
  onCancel,
  children,
}: {
  pending: boolean;
  pendingLabel?: string;
  submitLabel: string;
  onCancel?: () => void;
  children?: ReactNode;
}) {
  return (
    <div className="admin-form-actions">
      <button type="submit" className="button primary" disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
      {onCancel && (
        <button type="button" className="button" onClick={onCancel}>
          {t('shell.cancel')}
        </button>
      )}
      {children}
    </div>
  );
}

/**
 * A settings form. The browser's own checks are off so Haven's messages show beside their fields; problems
 * that belong to no field come first.
 */
export function AdminForm({
  className = 'admin-form',
  onSubmit,
  problems,
  children,
}: {
  className?: string;
  onSubmit: () => void;
  problems: string[];
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <ProblemList problems={problems} />
      {children}
    </form>
  );
}

/**
 * A settings editor on its own page: its heading (with `actions` beside it and `before` below it), then the
 * form with its fields (`children`) and the save and cancel buttons.
 */
export function EditorForm({
  title,
  actions,
  before,
  className = 'card admin-form',
  onSubmit,
  problems,
  pending,
  submitLabel,
  onCancel,
  children,
}: {
  title: string;
  actions?: ReactNode;
  before?: ReactNode;
  className?: string;
  onSubmit: () => void;
  problems: string[];
  pending: boolean;
  submitLabel: string;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <>
      <SectionHeader title={title} actions={actions} />
      {before}
      <AdminForm className={className} onSubmit={onSubmit} problems={problems}>
        {children}
        <FormActions pending={pending} submitLabel={submitLabel} onCancel={onCancel} />
      </AdminForm>
    </>
  );
}
