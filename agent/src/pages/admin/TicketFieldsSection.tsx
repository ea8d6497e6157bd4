import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { CUSTOM_FIELD_TYPES, type CustomFieldType } from '../../components/CustomFieldInput.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { Select, TextArea, TextInput } from '../../components/forms.tsx';
import { type MessageKey, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { useTicketFields } from '../../lib/queries.ts';
import type { TicketField } from '../../lib/types.ts';
import {
  AdminForm,
  AdminTable,
  Checkbox,
  ConfirmDialog,
  EditDeleteButtons,
  FormActions,
  ListSection,
  tagFromName,
  useProblems,
} from './ui.tsx';

const SYSTEM_TYPES = ['subject', 'description', 'status', 'tickettype', 'priority', 'group', 'assignee'];
/** System fields every ticket needs; the API refuses to deactivate them. */
const ALWAYS_ACTIVE = ['subject', 'description', 'status', 'group', 'assignee'];

const hasOptions = (type: string) => type === 'tagger' || type === 'multiselect';

export function typeLabel(type: string): string {
  const key = `admin.fields.types.${type}` as MessageKey;
  const label = t(key);
  return label === key ? type : label;
}

/** System and custom ticket fields: add, edit, deactivate and delete the custom ones. */
export default function TicketFieldsSection() {
  const queryClient = useQueryClient();
  const fields = useTicketFields();
  const [editing, setEditing] = useState<TicketField | 'new' | null>(null);
  const [deleting, setDeleting] = useState<TicketField | null>(null);
  const [notice, setNotice] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['ticket_fields'] });
  const list = [...(fields.data ?? [])].sort((a, b) => a.position - b.position || a.id - b.id);

  return (
    <>
      <ListSection
        title={t('admin.fields.title')}
        intro={t('admin.fields.intro')}
        addLabel={t('admin.fields.add')}
        onAdd={() => setEditing('new')}
        notice={notice}
        error={fields.error}
        loading={!fields.data}
      >
        <AdminTable
          caption={t('admin.fields.title')}
          columns={[
            t('admin.fields.fieldTitle'),
            t('admin.fields.type'),
            t('admin.fields.required'),
            t('admin.fields.status'),
          ]}
        >
          {list.map((f) => (
            <tr key={f.id} className={f.active ? undefined : 'admin-inactive'}>
              <td>
                <strong>{f.title}</strong>
                {f.description && <div className="muted admin-sub">{f.description}</div>}
              </td>
              <td>
                {typeLabel(f.type)} {!f.removable && <span className="pill">{t('admin.fields.system')}</span>}
              </td>
              <td>{f.required ? t('shell.yes') : t('shell.no')}</td>
              <td>{f.active ? t('admin.active') : t('admin.inactive')}</td>
              <td className="admin-row-actions">
                <EditDeleteButtons
                  name={f.title}
                  onEdit={() => setEditing(f)}
                  onDelete={f.removable ? () => setDeleting(f) : undefined}
                />
                {!f.removable && <span className="muted admin-why">{t('admin.fields.cannotDelete')}</span>}
              </td>
            </tr>
          ))}
        </AdminTable>
      </ListSection>
      <p className="hint" id="system-fields-why">
        {t('admin.fields.systemWhy')}
      </p>
      <Dialog
        title={editing === 'new' ? t('admin.fields.addTitle') : t('admin.fields.editTitle')}
        open={editing !== null}
        onClose={() => setEditing(null)}
        wide
      >
        {editing !== null && (
          <FieldForm
            key={editing === 'new' ? 'new' : editing.id}
            field={editing === 'new' ? null : editing}
            onClose={() => setEditing(null)}
            onSaved={(saved, isNew) => {
              setEditing(null);
              setNotice(t(isNew ? 'admin.fields.created' : 'admin.fields.saved', { name: saved.title }));
              refresh();
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.fields.deleteTitle', { name: deleting?.title ?? '' })}
        message={<p>{t('admin.fields.deleteMessage')}</p>}
        confirmLabel={t('shell.delete')}
        onConfirm={async () => {
          const field = deleting!;
          await api.delete(`ticket_fields/${field.id}`);
          setNotice(t('admin.fields.deleted', { name: field.title }));
          refresh();
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

interface OptionRow {
  key: string;
  id?: number;
  name: string;
  value: string;
  /** Until someone edits the value, it follows the name. */
  valueEdited: boolean;
}

interface FieldFormState {
  type: string;
  title: string;
  description: string;
  required: boolean;
  active: boolean;
  regexp: string;
  tag: string;
  options: OptionRow[];
}

let optionKeys = 0;
const newOption = (): OptionRow => ({ key: `o${++optionKeys}`, name: '', value: '', valueEdited: false });

function stateOf(field: TicketField | null): FieldFormState {
  if (!field) {
    return {
      type: 'text',
      title: '',
      description: '',
      required: false,
      active: true,
      regexp: '',
      tag: '',
      options: [newOption(), newOption()],
    };
  }
  return {
    type: field.type,
    title: field.title,
    description: field.description ?? '',
    required: field.required,
    active: field.active,
    regexp: field.regexp_for_validation ?? '',
    tag: field.tag ?? '',
    options: (field.custom_field_options ?? []).map((o) => ({
      key: `o${++optionKeys}`,
      id: o.id,
      name: o.name,
      value: o.value,
      valueEdited: true,
    })),
  };
}

function bodyOf(state: FieldFormState, field: TicketField | null) {
  const system = field ? SYSTEM_TYPES.includes(field.type) : false;
  const body: Record<string, unknown> = {
    title: state.title,
    description: state.description,
    required: state.required,
  };
  if (!field) body.type = state.type;
  if (!system || !ALWAYS_ACTIVE.includes(state.type)) body.active = state.active;
  if (state.type === 'regexp') body.regexp_for_validation = state.regexp || null;
  if (state.type === 'checkbox') body.tag = state.tag.trim() || null;
  if (hasOptions(state.type)) {
    body.custom_field_options = state.options
      .filter((o) => o.name.trim() || o.value.trim())
      .map((o) => ({ ...(o.id ? { id: o.id } : {}), name: o.name, value: o.value }));
  }
  return { ticket_field: body };
}

function FieldForm({
  field,
  onClose,
  onSaved,
}: {
  field: TicketField | null;
  onClose: () => void;
  onSaved: (field: TicketField, isNew: boolean) => void;
}) {
  const [state, setState] = useState<FieldFormState>(() => stateOf(field));
  const system = field ? SYSTEM_TYPES.includes(field.type) : false;
  const save = useMutation({
    mutationFn: () =>
      field
        ? api.put<{ ticket_field: TicketField }>(`ticket_fields/${field.id}`, bodyOf(state, field))
        : api.post<{ ticket_field: TicketField }>('ticket_fields', bodyOf(state, null)),
    onSuccess: (r) => onSaved(r.ticket_field, !field),
  });
  const problems = useProblems(save.error, [
    'type',
    'title',
    'description',
    'required',
    'active',
    'regexp_for_validation',
    'tag',
    'custom_field_options',
    ...state.options.flatMap((_, i) => [`custom_field_options.${i}.name`, `custom_field_options.${i}.value`]),
  ]);
  const set = (patch: Partial<FieldFormState>) => {
    const names: Record<string, string> = {
      regexp: 'regexp_for_validation',
      options: 'custom_field_options',
    };
    problems.edited(...Object.keys(patch).map((k) => names[k] ?? k));
    setState((s) => ({ ...s, ...patch }));
  };
  const setOption = (key: string, patch: Partial<OptionRow>) =>
    set({ options: state.options.map((o) => (o.key === key ? { ...o, ...patch } : o)) });
  // Errors on options arrive by position among the options sent (blank rows are not sent).
  const sentIndex = (key: string) =>
    state.options.filter((o) => o.name.trim() || o.value.trim()).findIndex((o) => o.key === key);

  return (
    <AdminForm onSubmit={() => save.mutate()} problems={problems.other}>
      {field ? (
        <p className="admin-static">
          {t('admin.fields.type')}: <strong>{typeLabel(field.type)}</strong>
          {system && <span className="muted"> · {t('admin.fields.systemNote')}</span>}
        </p>
      ) : (
        <Select
          label={t('admin.fields.type')}
          hint={t(`admin.fields.typeHints.${state.type as CustomFieldType}`)}
          value={state.type}
          onChange={(e) => set({ type: e.target.value })}
          options={CUSTOM_FIELD_TYPES.map((type) => ({ value: type, label: typeLabel(type) }))}
          error={problems.byField.type}
        />
      )}
      <TextInput
        label={t('admin.fields.fieldTitle')}
        value={state.title}
        onChange={(e) => set({ title: e.target.value })}
        error={problems.byField.title}
        required
      />
      <TextArea
        label={t('admin.fields.description')}
        hint={t('admin.fields.descriptionHint')}
        value={state.description}
        onChange={(e) => set({ description: e.target.value })}
        error={problems.byField.description}
        rows={2}
      />
      {state.type === 'regexp' && (
        <TextInput
          label={t('admin.fields.regexp')}
          hint={t('admin.fields.regexpHint')}
          value={state.regexp}
          onChange={(e) => set({ regexp: e.target.value })}
          error={problems.byField.regexp_for_validation}
          spellCheck={false}
        />
      )}
      {state.type === 'checkbox' && (
        <TextInput
          label={t('admin.fields.tag')}
          hint={t('admin.fields.tagHint')}
          value={state.tag}
          onChange={(e) => set({ tag: e.target.value })}
          error={problems.byField.tag}
          spellCheck={false}
        />
      )}
      {hasOptions(state.type) && (
        <fieldset className="admin-fieldset">
          <legend>{t('admin.fields.options')}</legend>
          <p className="hint">{t('admin.fields.optionsHint')}</p>
          {problems.byField.custom_field_options && (
            <p className="field-error">{problems.byField.custom_field_options}</p>
          )}
          <ol className="admin-options">
            {state.options.map((o, i) => {
              const at = sentIndex(o.key);
              const nameError = at >= 0 ? problems.byField[`custom_field_options.${at}.name`] : undefined;
              const valueError = at >= 0 ? problems.byField[`custom_field_options.${at}.value`] : undefined;
              return (
                <li key={o.key} className="admin-option">
                  <TextInput
                    label={t('admin.fields.optionName', { n: i + 1 })}
                    value={o.name}
                    error={nameError}
                    onChange={(e) =>
                      setOption(o.key, {
                        name: e.target.value,
                        ...(o.valueEdited ? {} : { value: tagFromName(e.target.value) }),
                      })
                    }
                  />
                  <TextInput
                    label={t('admin.fields.optionValue', { n: i + 1 })}
                    value={o.value}
                    error={valueError}
                    spellCheck={false}
                    onChange={(e) => setOption(o.key, { value: e.target.value, valueEdited: true })}
                  />
                  <button
                    type="button"
                    className="icon-button"
                    onClick={() => set({ options: state.options.filter((x) => x.key !== o.key) })}
                    aria-label={t('admin.fields.removeOption', { n: i + 1 })}
                    title={t('admin.fields.removeOption', { n: i + 1 })}
                  >
                    ×
                  </button>
                </li>
              );
            })}
          </ol>
          <button
            type="button"
            className="button"
            onClick={() => set({ options: [...state.options, newOption()] })}
          >
            {t('admin.fields.addOption')}
          </button>
        </fieldset>
      )}
      <Checkbox
        label={t('admin.fields.requiredLabel')}
        hint={t('admin.fields.requiredHint')}
        checked={state.required}
        onChange={(required) => set({ required })}
      />
      <Checkbox
        label={t('admin.fields.activeLabel')}
        hint={
          system && ALWAYS_ACTIVE.includes(state.type)
            ? t('admin.fields.alwaysActive')
            : t('admin.fields.activeHint')
        }
        checked={state.active}
        disabled={system && ALWAYS_ACTIVE.includes(state.type)}
        onChange={(active) => set({ active })}
      />
      {problems.byField.active && <p className="field-error">{problems.byField.active}</p>}
      <FormActions
        pending={save.isPending}
        submitLabel={field ? t('shell.save') : t('admin.fields.create')}
        onCancel={onClose}
      />
    </AdminForm>
  );
}
