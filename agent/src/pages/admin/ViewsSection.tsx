import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Select } from '../../components/forms.tsx';
import { type MessageKey, plural, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { useDebounced } from '../../lib/debounce.ts';
import { formatCount } from '../../lib/format.ts';
import { useAgents, useGroups, useTicketFields } from '../../lib/queries.ts';
import type { Condition, View } from '../../lib/types.ts';
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
  STATUSES,
  TYPES,
  useSaveRule,
  ValueSelect,
} from './rules.tsx';
import { useProblems } from './ui.tsx';

/** The columns views can show and sort by (server/modules/views/views.columns.ts). */
const COLUMNS = [
  'nice_id',
  'subject',
  'status',
  'priority',
  'type',
  'requester',
  'assignee',
  'submitter',
  'group',
  'organization',
  'created',
  'updated',
  'solved',
  'assigned',
  'due_date',
  'updated_requester',
  'updated_assignee',
] as const;
const MAX_COLUMNS = 10;

/** Column names as the views screen shows them, so an admin picks what agents will see. */
const columnLabel = (id: string) => {
  const key = `views.columns.${id}` as MessageKey;
  const label = t(key);
  return label === key ? id : label;
};
export const operatorLabel = (op: string) => {
  const key = `admin.rules.operators.${op}` as MessageKey;
  const label = t(key);
  return label === key ? op : label;
};

interface FieldDef {
  id: string;
  label: string;
  operators: string[];
  value: { kind: 'select'; options: Option[] } | { kind: 'text' } | { kind: 'hours' };
}

interface ConditionRow {
  key: string;
  field: string;
  operator: string;
  value: string;
}

const ORDERED = ['is', 'is_not', 'less_than', 'greater_than'];
const ID_OPS = ['is', 'is_not'];
const NO_VALUE = ['present', 'not_present'];

function useConditionFields(rows: ConditionRow[]): FieldDef[] {
  const groups = useGroups();
  const agents = useAgents();
  const ticketFields = useTicketFields();
  return useMemo(() => {
    const none = (label: MessageKey) => ({ value: '', label: t(label) });
    const defs: FieldDef[] = [
      {
        id: 'status',
        label: t('admin.rules.fields.status'),
        operators: ORDERED,
        value: { kind: 'select', options: enumOptions(STATUSES, 'status') },
      },
      {
        id: 'priority',
        label: t('admin.rules.fields.priority'),
        operators: ORDERED,
        value: {
          kind: 'select',
          options: [none('admin.rules.noPriority'), ...enumOptions(PRIORITIES, 'priority')],
        },
      },
      {
        id: 'type',
        label: t('admin.rules.fields.type'),
        operators: ID_OPS,
        value: { kind: 'select', options: [none('admin.rules.noType'), ...enumOptions(TYPES, 'type')] },
      },
      {
        id: 'assignee_id',
        label: t('admin.rules.fields.assignee_id'),
        operators: ID_OPS,
        value: {
          kind: 'select',
          options: [
            { value: 'current_user', label: t('admin.rules.currentUser') },
            none('admin.rules.nobody'),
            ...(agents.data ?? []).map((a) => ({ value: String(a.id), label: a.name })),
          ],
        },
      },
      {
        id: 'group_id',
        label: t('admin.rules.fields.group_id'),
        operators: ID_OPS,
        value: {
          kind: 'select',
          options: [
            { value: 'current_groups', label: t('admin.rules.currentGroups') },
            none('admin.rules.noGroup'),
            ...(groups.data ?? [])
              .filter((g) => !g.deleted)
              .map((g) => ({ value: String(g.id), label: g.name })),
          ],
        },
      },
      {
        id: 'current_tags',
        label: t('admin.rules.fields.current_tags'),
        operators: ['includes', 'not_includes'],
        value: { kind: 'text' },
      },
      ...(['hours_since_created', 'hours_since_updated', 'hours_since_solved'] as const).map(
        (id): FieldDef => ({
          id,
          label: t(`admin.rules.fields.${id}`),
          operators: ['greater_than', 'less_than', 'is'],
          value: { kind: 'hours' },
        }),
      ),
    ];
    for (const f of ticketFields.data ?? []) {
      if (!f.removable || !f.active) continue;
      const options = (f.custom_field_options ?? []).map((o) => ({ value: o.value, label: o.name }));
      defs.push({
        id: `custom_fields_${f.id}`,
        label: f.title,
        operators:
          f.type === 'checkbox'
            ? NO_VALUE
            : f.type === 'multiselect'
              ? ['includes', 'not_includes', ...NO_VALUE]
              : ['is', 'is_not', ...NO_VALUE],
        value: options.length ? { kind: 'select', options } : { kind: 'text' },
      });
    }
    // Conditions set through the API on fields this editor does not offer stay as they are.
    for (const row of rows) {
      if (defs.some((d) => d.id === row.field)) continue;
      defs.push({ id: row.field, label: row.field, operators: [row.operator], value: { kind: 'text' } });
    }
    return defs;
  }, [groups.data, agents.data, ticketFields.data, rows]);
}

const toRows = (list: Condition[]): ConditionRow[] =>
  list.map((c) => ({
    key: nextRowKey(),
    field: c.field,
    operator: c.operator,
    value: c.value === null || c.value === undefined ? '' : String(c.value),
  }));

function conditionValue(row: ConditionRow): string | number | null {
  if (NO_VALUE.includes(row.operator)) return null;
  if (row.field.startsWith('hours_since_') && /^\d+$/.test(row.value.trim())) return Number(row.value);
  return row.value === '' ? null : row.value;
}
const toConditions = (rows: ConditionRow[]) =>
  rows.map((r) => ({ field: r.field, operator: r.operator, value: conditionValue(r) }));

/** Shared and group views: list, activate, edit conditions, columns and sorting, delete. */
export default function ViewsSection() {
  return (
    <RuleSection<View>
      kind="views"
      sort={(a, b) => a.position - b.position || a.id - b.id}
      renderForm={(view, onDone) => <ViewFormEditor view={view} onDone={onDone} />}
    />
  );
}

interface ViewForm {
  title: string;
  active: boolean;
  restriction: RestrictionChoice;
  all: ConditionRow[];
  any: ConditionRow[];
  columns: string[];
  sortBy: string;
  sortOrder: 'asc' | 'desc';
}

function formOf(view: View | null): ViewForm {
  if (!view) {
    return {
      title: '',
      active: true,
      restriction: restrictionChoice(null),
      all: [{ key: nextRowKey(), field: 'status', operator: 'less_than', value: 'solved' }],
      any: [],
      columns: ['subject', 'requester', 'created', 'updated', 'assignee', 'status'],
      sortBy: 'updated',
      sortOrder: 'desc',
    };
  }
  return {
    title: view.title,
    active: view.active,
    restriction: restrictionChoice(view.restriction as Restriction),
    all: toRows(view.conditions.all),
    any: toRows(view.conditions.any),
    columns: view.execution.columns.map((c) => c.id),
    sortBy: view.execution.sort_by ?? 'updated',
    sortOrder: view.execution.sort_order ?? 'desc',
  };
}

function ViewFormEditor({ view, onDone }: { view: View | null; onDone: () => void }) {
  const [form, setForm] = useState<ViewForm>(() => formOf(view));

  const save = useSaveRule(
    'views',
    view,
    form,
    () => ({
      conditions: { all: toConditions(form.all), any: toConditions(form.any) },
      output: { columns: form.columns, sort_by: form.sortBy, sort_order: form.sortOrder },
    }),
    onDone,
  );
  const problems = useProblems(save.error, [
    'title',
    'restriction',
    'conditions',
    'columns',
    'sort_by',
    'sort_order',
  ]);
  const conditionProblems = rowProblems(save.error, 'conditions');
  const set = (patch: Partial<ViewForm>) => {
    const names: Record<string, string> = { sortBy: 'sort_by', sortOrder: 'sort_order' };
    problems.edited(...Object.keys(patch).map((k) => names[k] ?? k));
    setForm((f) => ({ ...f, ...patch }));
  };

  const previewConditions = useDebounced(
    JSON.stringify({ all: toConditions(form.all), any: toConditions(form.any) }),
    400,
  );
  const preview = useQuery({
    queryKey: ['admin', 'view-preview', previewConditions],
    queryFn: () =>
      api
        .post<{ view_count: { value: number; pretty: string } }>('views/preview/count', {
          view: { conditions: JSON.parse(previewConditions) },
        })
        .then((r) => r.view_count),
    enabled: form.all.length + form.any.length > 0,
    retry: false,
    staleTime: 10_000,
  });

  return (
    <RuleForm
      kind="views"
      rule={view}
      form={form}
      set={set}
      problems={problems}
      pending={save.isPending}
      onSubmit={() => save.mutate()}
      onDone={onDone}
    >
      <ConditionList
        list="all"
        rows={form.all}
        onChange={(all) => set({ all })}
        errors={conditionProblems.rows}
      />
      <ConditionList
        list="any"
        rows={form.any}
        onChange={(any) => set({ any })}
        errors={conditionProblems.rows}
      />
      {conditionProblems.rest.length > 0 && <p className="field-error">{conditionProblems.rest.join(' ')}</p>}
      <p className="admin-preview" role="status">
        {form.all.length + form.any.length === 0
          ? t('admin.views.previewNone')
          : preview.error
            ? t('admin.views.previewInvalid')
            : preview.data
              ? plural('admin.views.previewCount', preview.data.value, {
                  count: preview.data.pretty ?? formatCount(preview.data.value),
                })
              : t('admin.views.previewCounting')}
      </p>
      <ColumnsEditor
        columns={form.columns}
        onChange={(columns) => set({ columns })}
        error={problems.byField.columns}
      />
      <div className="admin-two">
        <Select
          label={t('admin.views.sortBy')}
          value={form.sortBy}
          onChange={(e) => set({ sortBy: e.target.value })}
          options={COLUMNS.map((c) => ({ value: c, label: columnLabel(c) }))}
          error={problems.byField.sort_by}
        />
        <Select
          label={t('admin.views.sortOrder')}
          value={form.sortOrder}
          onChange={(e) => set({ sortOrder: e.target.value as 'asc' | 'desc' })}
          options={[
            { value: 'asc', label: t('admin.views.ascending') },
            { value: 'desc', label: t('admin.views.descending') },
          ]}
          error={problems.byField.sort_order}
        />
      </div>
    </RuleForm>
  );
}

function ConditionList({
  list,
  rows,
  onChange,
  errors,
}: {
  list: 'all' | 'any';
  rows: ConditionRow[];
  onChange: (rows: ConditionRow[]) => void;
  errors: Record<string, string>;
}) {
  const fields = useConditionFields(rows);
  const def = (id: string) => fields.find((f) => f.id === id)!;
  const update = (key: string, patch: Partial<ConditionRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const fresh = (fieldId: string): ConditionRow => {
    const d = def(fieldId);
    return {
      key: nextRowKey(),
      field: fieldId,
      operator: d.operators[0]!,
      value: d.value.kind === 'select' ? (d.value.options[0]?.value ?? '') : '',
    };
  };
  return (
    <fieldset className="admin-fieldset">
      <legend>{t(list === 'all' ? 'admin.views.allLegend' : 'admin.views.anyLegend')}</legend>
      <p className="hint">
        {t(list === 'all' ? 'admin.rules.conditions.allHint' : 'admin.rules.conditions.anyHint')}
      </p>
      {rows.length > 0 && (
        <ol className="admin-rows">
          {rows.map((row, i) => {
            const d = def(row.field);
            const n = i + 1;
            const a11y = rowA11y(row.key, errors[`${list}.${i}`]);
            return (
              <RuleRow
                key={row.key}
                rowKey={row.key}
                removeLabel={t(`admin.rules.conditions.${list}Remove`, { n })}
                onRemove={() => onChange(rows.filter((r) => r.key !== row.key))}
                error={errors[`${list}.${i}`]}
              >
                <select
                  value={row.field}
                  onChange={(e) => update(row.key, { ...fresh(e.target.value), key: row.key })}
                  {...a11y(t(`admin.rules.conditions.${list}Field`, { n }))}
                >
                  {fields.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.label}
                    </option>
                  ))}
                </select>
                <select
                  value={row.operator}
                  onChange={(e) => update(row.key, { operator: e.target.value })}
                  {...a11y(t(`admin.rules.conditions.${list}Operator`, { n }))}
                >
                  {d.operators.map((op) => (
                    <option key={op} value={op}>
                      {operatorLabel(op)}
                    </option>
                  ))}
                </select>
                {!NO_VALUE.includes(row.operator) &&
                  (d.value.kind === 'select' ? (
                    <ValueSelect
                      value={row.value}
                      options={d.value.options}
                      onChange={(value) => update(row.key, { value })}
                      a11y={a11y(t(`admin.rules.conditions.${list}Value`, { n }))}
                    />
                  ) : (
                    <input
                      type={d.value.kind === 'hours' ? 'number' : 'text'}
                      min={d.value.kind === 'hours' ? 0 : undefined}
                      value={row.value}
                      placeholder={
                        d.value.kind === 'hours' ? t('admin.rules.hours') : t('admin.rules.tagsPlaceholder')
                      }
                      onChange={(e) => update(row.key, { value: e.target.value })}
                      {...a11y(t(`admin.rules.conditions.${list}Value`, { n }))}
                    />
                  ))}
              </RuleRow>
            );
          })}
        </ol>
      )}
      <button type="button" className="button" onClick={() => onChange([...rows, fresh('status')])}>
        {t(list === 'all' ? 'admin.rules.conditions.addAll' : 'admin.rules.conditions.addAny')}
      </button>
    </fieldset>
  );
}

function ColumnsEditor({
  columns,
  onChange,
  error,
}: {
  columns: string[];
  onChange: (columns: string[]) => void;
  error?: string;
}) {
  const [adding, setAdding] = useState('');
  const available = COLUMNS.filter((c) => !columns.includes(c));
  const move = (from: number, to: number) => {
    const next = [...columns];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item!);
    onChange(next);
  };
  return (
    <fieldset className="admin-fieldset">
      <legend>{t('admin.views.columnsLegend')}</legend>
      <p className="hint">{t('admin.views.columnsHint', { max: MAX_COLUMNS })}</p>
      {error && <p className="field-error">{error}</p>}
      <ol className="admin-columns">
        {columns.map((c, i) => (
          <li key={c}>
            <span>{columnLabel(c)}</span>
            <span className="admin-column-actions">
              <button
                type="button"
                className="icon-button"
                disabled={i === 0}
                onClick={() => move(i, i - 1)}
                aria-label={t('admin.views.moveUp', { name: columnLabel(c) })}
                title={t('admin.views.moveUp', { name: columnLabel(c) })}
              >
                ↑
              </button>
              <button
                type="button"
                className="icon-button"
                disabled={i === columns.length - 1}
                onClick={() => move(i, i + 1)}
                aria-label={t('admin.views.moveDown', { name: columnLabel(c) })}
                title={t('admin.views.moveDown', { name: columnLabel(c) })}
              >
                ↓
              </button>
              <button
                type="button"
                className="icon-button"
                onClick={() => onChange(columns.filter((x) => x !== c))}
                aria-label={t('admin.views.removeColumn', { name: columnLabel(c) })}
                title={t('admin.views.removeColumn', { name: columnLabel(c) })}
              >
                ×
              </button>
            </span>
          </li>
        ))}
      </ol>
      {available.length > 0 && columns.length < MAX_COLUMNS && (
        <div className="admin-inline-form">
          <label htmlFor="add-column">{t('admin.views.addColumn')}</label>
          <select id="add-column" value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">{t('admin.views.chooseColumn')}</option>
            {available.map((c) => (
              <option key={c} value={c}>
                {columnLabel(c)}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button"
            disabled={!adding}
            onClick={() => {
              onChange([...columns, adding]);
              setAdding('');
            }}
          >
            {t('admin.add')}
          </button>
        </div>
      )}
    </fieldset>
  );
}
