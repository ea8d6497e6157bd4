import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { Select, TextInput } from '../../components/forms.tsx';
import { type MessageKey, plural, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatCount } from '../../lib/format.ts';
import { useAgents, useGroups, useTicketFields } from '../../lib/queries.ts';
import { useSession } from '../../lib/session.tsx';
import type { Condition, View } from '../../lib/types.ts';
import {
  nextRowKey,
  PRIORITIES,
  type Restriction,
  type RestrictionChoice,
  RestrictionField,
  restrictionBody,
  restrictionChoice,
  restrictionLabel,
  rowProblems,
  STATUSES,
  TYPES,
  useDebounced,
} from './rules.tsx';
import { Checkbox, ConfirmDialog, ProblemList, problemsOf, SectionHeader, useProblems } from './ui.tsx';

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

const columnLabel = (id: string) => {
  const key = `admin.views.columns.${id}` as MessageKey;
  const label = t(key);
  return label === key ? id : label;
};
export const operatorLabel = (op: string) => {
  const key = `admin.rules.operators.${op}` as MessageKey;
  const label = t(key);
  return label === key ? op : label;
};

type Option = { value: string; label: string };
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
    const enumOptions = (values: readonly string[], area: 'status' | 'priority' | 'type') =>
      values.map((v) => ({ value: v, label: t(`admin.rules.${area}.${v}` as MessageKey) }));
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
  const search = useSearch();
  const [, navigate] = useLocation();
  const edit = new URLSearchParams(search).get('edit');
  if (edit)
    return (
      <ViewEditor
        key={edit}
        id={edit === 'new' ? null : Number(edit)}
        onDone={() => navigate('/admin/views')}
      />
    );
  return <ViewList onEdit={(id) => navigate(`/admin/views?edit=${id}`)} />;
}

function ViewList({ onEdit }: { onEdit: (id: number | 'new') => void }) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const groups = useGroups();
  const views = useQuery({
    queryKey: ['admin', 'views'],
    queryFn: () => api.get<{ views: View[] }>('views', { per_page: 100 }).then((r) => r.views),
  });
  const [deleting, setDeleting] = useState<View | null>(null);
  const [notice, setNotice] = useState('');
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: ['admin', 'views'] });
    queryClient.invalidateQueries({ queryKey: ['views'] });
  };
  const toggle = useMutation({
    mutationFn: (v: View) => api.put<{ view: View }>(`views/${v.id}`, { view: { active: !v.active } }),
    onSuccess: ({ view }) => {
      queryClient.setQueryData<View[]>(['admin', 'views'], (list) =>
        list?.map((v) => (v.id === view.id ? view : v)),
      );
      setNotice(t(view.active ? 'admin.rules.activated' : 'admin.rules.deactivated', { name: view.title }));
      refresh();
    },
  });
  const groupName = (id: number) => groups.data?.find((g) => g.id === id)?.name;
  const list = [...(views.data ?? [])].sort((a, b) => a.position - b.position || a.id - b.id);

  return (
    <>
      <SectionHeader
        title={t('admin.views.title')}
        intro={t('admin.views.intro')}
        actions={
          <button type="button" className="button primary" onClick={() => onEdit('new')}>
            {t('admin.views.add')}
          </button>
        }
      />
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      <ProblemList problems={toggle.error ? problemsOf(toggle.error, []).other : []} />
      {views.error ? (
        <ProblemList problems={problemsOf(views.error, []).other} />
      ) : !views.data ? (
        <p className="loading">{t('shell.loading')}</p>
      ) : !list.length ? (
        <p className="muted">{t('admin.views.empty')}</p>
      ) : (
        <div className="admin-table-wrap">
          <table className="data admin-table">
            <caption className="visually-hidden">{t('admin.views.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.rules.ruleTitle')}</th>
                <th scope="col">{t('admin.rules.availableTo')}</th>
                <th scope="col">{t('admin.active')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((v) => (
                <tr key={v.id} className={v.active ? undefined : 'admin-inactive'}>
                  <td>
                    <strong>{v.title}</strong>
                  </td>
                  <td>{restrictionLabel(v.restriction as Restriction, me.id, groupName)}</td>
                  <td>
                    <input
                      type="checkbox"
                      checked={toggle.isPending && toggle.variables?.id === v.id ? !v.active : v.active}
                      disabled={toggle.isPending}
                      onChange={() => toggle.mutate(v)}
                      aria-label={t('admin.rules.activeFor', { name: v.title })}
                    />
                  </td>
                  <td className="admin-row-actions">
                    <button
                      type="button"
                      className="button"
                      onClick={() => onEdit(v.id)}
                      aria-label={t('admin.editNamed', { name: v.title })}
                    >
                      {t('shell.edit')}
                    </button>
                    <button
                      type="button"
                      className="button danger"
                      onClick={() => setDeleting(v)}
                      aria-label={t('admin.deleteNamed', { name: v.title })}
                    >
                      {t('shell.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.views.deleteTitle', { name: deleting?.title ?? '' })}
        message={<p>{t('admin.views.deleteMessage')}</p>}
        confirmLabel={t('shell.delete')}
        onConfirm={async () => {
          const view = deleting!;
          await api.delete(`views/${view.id}`);
          setNotice(t('admin.rules.deleted', { name: view.title }));
          refresh();
        }}
        onClose={() => setDeleting(null)}
      />
    </>
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

function ViewEditor({ id, onDone }: { id: number | null; onDone: () => void }) {
  const view = useQuery({
    queryKey: ['admin', 'view', id],
    queryFn: () => api.get<{ view: View }>(`views/${id}`).then((r) => r.view),
    enabled: id !== null,
  });
  if (id !== null && view.error) {
    return (
      <>
        <ProblemList problems={problemsOf(view.error, []).other} />
        <button type="button" className="button" onClick={onDone}>
          {t('admin.backToList')}
        </button>
      </>
    );
  }
  if (id !== null && !view.data) return <p className="loading">{t('shell.loading')}</p>;
  return <ViewFormEditor view={view.data ?? null} onDone={onDone} />;
}

function ViewFormEditor({ view, onDone }: { view: View | null; onDone: () => void }) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<ViewForm>(() => formOf(view));

  const save = useMutation({
    mutationFn: () => {
      const body = {
        view: {
          title: form.title,
          active: form.active,
          restriction: restrictionBody(form.restriction, me.id),
          conditions: { all: toConditions(form.all), any: toConditions(form.any) },
          output: { columns: form.columns, sort_by: form.sortBy, sort_order: form.sortOrder },
        },
      };
      return view
        ? api.put<{ view: View }>(`views/${view.id}`, body)
        : api.post<{ view: View }>('views', body);
    },
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ['admin', 'views'] });
      queryClient.invalidateQueries({ queryKey: ['admin', 'view'] });
      queryClient.invalidateQueries({ queryKey: ['views'] });
      onDone();
    },
  });
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
    <>
      <SectionHeader
        title={view ? t('admin.views.editTitle', { name: view.title }) : t('admin.views.addTitle')}
      />
      <form
        className="card admin-form admin-rule-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <ProblemList problems={problems.other} />
        <TextInput
          label={t('admin.rules.ruleTitle')}
          value={form.title}
          onChange={(e) => set({ title: e.target.value })}
          error={problems.byField.title}
          required
        />
        <Checkbox
          label={t('admin.views.activeLabel')}
          checked={form.active}
          onChange={(active) => set({ active })}
        />
        <RestrictionField
          value={form.restriction}
          onChange={(restriction) => set({ restriction })}
          error={problems.byField.restriction}
        />
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
        {conditionProblems.rest.length > 0 && (
          <p className="field-error">{conditionProblems.rest.join(' ')}</p>
        )}
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
        <div className="admin-form-actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            {save.isPending ? t('shell.saving') : view ? t('shell.save') : t('admin.views.create')}
          </button>
          <button type="button" className="button" onClick={onDone}>
            {t('shell.cancel')}
          </button>
        </div>
      </form>
    </>
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
      <p className="hint">{t(list === 'all' ? 'admin.views.allHint' : 'admin.views.anyHint')}</p>
      {rows.length > 0 && (
        <ol className="admin-rows">
          {rows.map((row, i) => {
            const d = def(row.field);
            const n = i + 1;
            const error = errors[`${list}.${i}`];
            const errorId = `${row.key}-error`;
            const a11y = (label: string) => ({
              'aria-label': label,
              'aria-invalid': error ? true : undefined,
              'aria-describedby': error ? errorId : undefined,
            });
            return (
              <li key={row.key} className="admin-row">
                <div className="admin-row-controls">
                  <select
                    value={row.field}
                    onChange={(e) => update(row.key, { ...fresh(e.target.value), key: row.key })}
                    {...a11y(t(`admin.views.${list}Field`, { n }))}
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
                    {...a11y(t(`admin.views.${list}Operator`, { n }))}
                  >
                    {d.operators.map((op) => (
                      <option key={op} value={op}>
                        {operatorLabel(op)}
                      </option>
                    ))}
                  </select>
                  {!NO_VALUE.includes(row.operator) &&
                    (d.value.kind === 'select' ? (
                      <select
                        value={row.value}
                        onChange={(e) => update(row.key, { value: e.target.value })}
                        {...a11y(t(`admin.views.${list}Value`, { n }))}
                      >
                        {!d.value.options.some((o) => o.value === row.value) && (
                          <option value={row.value}>{row.value || t('shell.none')}</option>
                        )}
                        {d.value.options.map((o) => (
                          <option key={o.value} value={o.value}>
                            {o.label}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <input
                        type={d.value.kind === 'hours' ? 'number' : 'text'}
                        min={d.value.kind === 'hours' ? 0 : undefined}
                        value={row.value}
                        placeholder={
                          d.value.kind === 'hours' ? t('admin.rules.hours') : t('admin.rules.tagsPlaceholder')
                        }
                        onChange={(e) => update(row.key, { value: e.target.value })}
                        {...a11y(t(`admin.views.${list}Value`, { n }))}
                      />
                    ))}
                  <button
                    type="button"
                    className="icon-button"
                    onClick={() => onChange(rows.filter((r) => r.key !== row.key))}
                    aria-label={t(`admin.views.${list}Remove`, { n })}
                    title={t(`admin.views.${list}Remove`, { n })}
                  >
                    ×
                  </button>
                </div>
                {error && (
                  <p className="field-error" id={errorId}>
                    {error}
                  </p>
                )}
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="button" onClick={() => onChange([...rows, fresh('status')])}>
        {t(list === 'all' ? 'admin.views.addAll' : 'admin.views.addAny')}
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
