import { useMemo, useState } from 'react';
import { TextArea, TextInput } from '../../components/forms.tsx';
import { type MessageKey, t } from '../../i18n/index.ts';
import { useAgents, useGroups, useTicketFields } from '../../lib/queries.ts';
import type { Macro } from '../../lib/types.ts';
import {
  enumOptions,
  nextRowKey,
  type Option,
  PRIORITIES,
  type Restriction,
  type RestrictionChoice,
  RuleForm,
  RuleRow,
  RuleSection,
  restrictionChoice,
  rowA11y,
  rowProblems,
  TYPES,
  useSaveRule,
  ValueSelect,
} from './rules.tsx';
import { useProblems } from './ui.tsx';

/** Statuses a macro may set (a ticket is never `new` again, and only Haven closes one). */
const SETTABLE_STATUSES = ['open', 'pending', 'hold', 'solved'] as const;

interface ActionDef {
  id: string;
  label: string;
  value: { kind: 'select'; options: Option[] } | { kind: 'text' | 'tags' | 'comment' } | { kind: 'raw' };
}

interface ActionRow {
  key: string;
  field: string;
  value: string;
  /** Values this editor does not edit (set through the API) are sent back unchanged. */
  raw?: unknown;
  /** Zendesk's `[channel, text]` comment form keeps its channel. */
  channel?: string;
}

function useActionFields(rows: ActionRow[]): ActionDef[] {
  const groups = useGroups();
  const agents = useAgents();
  const ticketFields = useTicketFields();
  return useMemo(() => {
    const label = (id: string) => t(`admin.macros.actions.${id}` as MessageKey);
    const defs: ActionDef[] = [
      {
        id: 'status',
        label: label('status'),
        value: { kind: 'select', options: enumOptions(SETTABLE_STATUSES, 'status') },
      },
      {
        id: 'priority',
        label: label('priority'),
        value: {
          kind: 'select',
          options: [
            { value: '', label: t('admin.rules.noPriority') },
            ...enumOptions(PRIORITIES, 'priority'),
          ],
        },
      },
      {
        id: 'type',
        label: label('type'),
        value: {
          kind: 'select',
          options: [{ value: '', label: t('admin.rules.noType') }, ...enumOptions(TYPES, 'type')],
        },
      },
      {
        id: 'assignee_id',
        label: label('assignee_id'),
        value: {
          kind: 'select',
          options: [
            { value: 'current_user', label: t('admin.rules.currentUser') },
            { value: '', label: t('admin.rules.nobody') },
            ...(agents.data ?? []).map((a) => ({ value: String(a.id), label: a.name })),
          ],
        },
      },
      {
        id: 'group_id',
        label: label('group_id'),
        value: {
          kind: 'select',
          options: [
            { value: '', label: t('admin.rules.noGroup') },
            ...(groups.data ?? [])
              .filter((g) => !g.deleted)
              .map((g) => ({ value: String(g.id), label: g.name })),
          ],
        },
      },
      { id: 'set_tags', label: label('set_tags'), value: { kind: 'tags' } },
      { id: 'current_tags', label: label('current_tags'), value: { kind: 'tags' } },
      { id: 'remove_tags', label: label('remove_tags'), value: { kind: 'tags' } },
      { id: 'comment_value', label: label('comment_value'), value: { kind: 'comment' } },
      {
        id: 'comment_mode_is_public',
        label: label('comment_mode_is_public'),
        value: {
          kind: 'select',
          options: [
            { value: 'true', label: t('admin.macros.public') },
            { value: 'false', label: t('admin.macros.private') },
          ],
        },
      },
      { id: 'subject', label: label('subject'), value: { kind: 'text' } },
    ];
    for (const f of ticketFields.data ?? []) {
      if (!f.removable || !f.active) continue;
      const id = `custom_fields_${f.id}`;
      if (f.type === 'tagger') {
        defs.push({
          id,
          label: f.title,
          value: {
            kind: 'select',
            options: [
              { value: '', label: t('shell.none') },
              ...(f.custom_field_options ?? []).map((o) => ({ value: o.value, label: o.name })),
            ],
          },
        });
      } else if (f.type === 'checkbox') {
        defs.push({
          id,
          label: f.title,
          value: {
            kind: 'select',
            options: [
              { value: 'true', label: t('admin.macros.checked') },
              { value: 'false', label: t('admin.macros.unchecked') },
            ],
          },
        });
      } else if (f.type === 'text' || f.type === 'textarea') {
        defs.push({ id, label: f.title, value: { kind: 'text' } });
      }
    }
    for (const row of rows) {
      if (!defs.some((d) => d.id === row.field))
        defs.push({ id: row.field, label: row.field, value: { kind: 'raw' } });
    }
    return defs;
  }, [groups.data, agents.data, ticketFields.data, rows]);
}

function toRows(actions: Macro['actions']): ActionRow[] {
  return actions.map((a) => {
    const key = nextRowKey();
    if (a.field === 'comment_value' && Array.isArray(a.value)) {
      return { key, field: a.field, value: String(a.value[1] ?? ''), channel: String(a.value[0]) };
    }
    if (a.value === null || ['string', 'number', 'boolean'].includes(typeof a.value)) {
      return { key, field: a.field, value: a.value === null ? '' : String(a.value), raw: a.value };
    }
    return { key, field: a.field, value: JSON.stringify(a.value), raw: a.value };
  });
}

function toActions(rows: ActionRow[], defs: ActionDef[]) {
  return rows.map((r) => {
    const def = defs.find((d) => d.id === r.field);
    if (!def || def.value.kind === 'raw') return { field: r.field, value: r.raw };
    if (r.field === 'comment_value' && r.channel) return { field: r.field, value: [r.channel, r.value] };
    if (r.field === 'comment_mode_is_public') return { field: r.field, value: r.value === 'true' };
    const checkbox =
      def.value.kind === 'select' && def.value.options.length === 2 && def.value.options[0]?.value === 'true';
    if (r.field.startsWith('custom_fields_') && checkbox)
      return { field: r.field, value: r.value === 'true' };
    return { field: r.field, value: r.value };
  });
}

/** Macros: list, activate, edit actions, delete. */
export default function MacrosSection() {
  return (
    <RuleSection<Macro>
      kind="macros"
      sort={(a, b) => a.title.localeCompare(b.title)}
      renderForm={(macro, onDone) => <MacroForm macro={macro} onDone={onDone} />}
    />
  );
}

interface MacroFormState {
  title: string;
  description: string;
  active: boolean;
  restriction: RestrictionChoice;
  actions: ActionRow[];
}

function MacroForm({ macro, onDone }: { macro: Macro | null; onDone: () => void }) {
  const [form, setForm] = useState<MacroFormState>(() => ({
    title: macro?.title ?? '',
    description: macro?.description ?? '',
    active: macro?.active ?? true,
    restriction: restrictionChoice((macro?.restriction as Restriction) ?? null),
    actions: macro
      ? toRows(macro.actions)
      : [
          { key: nextRowKey(), field: 'comment_value', value: '' },
          { key: nextRowKey(), field: 'status', value: 'solved' },
        ],
  }));
  const defs = useActionFields(form.actions);
  const def = (id: string) => defs.find((d) => d.id === id)!;

  const save = useSaveRule(
    'macros',
    macro,
    form,
    () => ({ description: form.description || null, actions: toActions(form.actions, defs) }),
    onDone,
  );
  const problems = useProblems(save.error, ['title', 'description', 'restriction', 'actions']);
  const set = (patch: Partial<MacroFormState>) => {
    problems.edited(...Object.keys(patch));
    setForm((f) => ({ ...f, ...patch }));
  };
  const actionProblems = rowProblems(save.error, 'actions');
  const update = (key: string, patch: Partial<ActionRow>) =>
    set({ actions: form.actions.map((r) => (r.key === key ? { ...r, ...patch } : r)) });
  const fresh = (field: string): ActionRow => {
    const d = def(field);
    return {
      key: nextRowKey(),
      field,
      value: d.value.kind === 'select' ? (d.value.options[0]?.value ?? '') : '',
    };
  };
  const firstUnused = defs.find((d) => d.value.kind !== 'raw' && !form.actions.some((a) => a.field === d.id));

  return (
    <RuleForm
      kind="macros"
      rule={macro}
      form={form}
      set={set}
      problems={problems}
      pending={save.isPending}
      onSubmit={() => save.mutate()}
      onDone={onDone}
      titleHint={t('admin.macros.titleHint')}
      afterTitle={
        <TextInput
          label={t('admin.macros.description')}
          value={form.description}
          onChange={(e) => set({ description: e.target.value })}
          error={problems.byField.description}
        />
      }
    >
      <fieldset className="admin-fieldset">
        <legend>{t('admin.macros.actionsLegend')}</legend>
        <p className="hint">{t('admin.macros.actionsHint')}</p>
        {actionProblems.rest.length > 0 && <p className="field-error">{actionProblems.rest.join(' ')}</p>}
        <ol className="admin-rows">
          {form.actions.map((row, i) => {
            const d = def(row.field);
            const n = i + 1;
            const error = actionProblems.rows[`actions.${i}`];
            const a11y = rowA11y(row.key, error);
            return (
              <RuleRow
                key={row.key}
                rowKey={row.key}
                controlsClassName="admin-row-controls admin-action-controls"
                removeLabel={t('admin.macros.removeAction', { n })}
                onRemove={() => set({ actions: form.actions.filter((r) => r.key !== row.key) })}
                // A comment's problem shows under its text box instead.
                error={d.value.kind === 'comment' ? undefined : error}
                below={
                  d.value.kind === 'comment' && (
                    <TextArea
                      label={t('admin.macros.commentText', { n })}
                      hint={t('admin.macros.commentHint')}
                      value={row.value}
                      rows={4}
                      onChange={(e) => update(row.key, { value: e.target.value })}
                      error={error}
                    />
                  )
                }
              >
                <select
                  value={row.field}
                  onChange={(e) => update(row.key, { ...fresh(e.target.value), key: row.key })}
                  {...a11y(t('admin.macros.actionField', { n }))}
                >
                  {defs.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.label}
                    </option>
                  ))}
                </select>
                {d.value.kind === 'select' ? (
                  <ValueSelect
                    value={row.value}
                    options={d.value.options}
                    onChange={(value) => update(row.key, { value })}
                    a11y={a11y(t('admin.macros.actionValue', { n }))}
                  />
                ) : d.value.kind === 'raw' ? (
                  <span className="admin-raw">{t('admin.macros.rawValue', { value: row.value })}</span>
                ) : d.value.kind === 'comment' ? (
                  <span />
                ) : (
                  <input
                    type="text"
                    value={row.value}
                    placeholder={d.value.kind === 'tags' ? t('admin.rules.tagsPlaceholder') : undefined}
                    onChange={(e) => update(row.key, { value: e.target.value })}
                    {...a11y(t('admin.macros.actionValue', { n }))}
                  />
                )}
              </RuleRow>
            );
          })}
        </ol>
        <button
          type="button"
          className="button"
          onClick={() => set({ actions: [...form.actions, fresh(firstUnused?.id ?? 'status')] })}
        >
          {t('admin.macros.addAction')}
        </button>
      </fieldset>
    </RuleForm>
  );
}
