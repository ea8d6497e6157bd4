import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { TextArea, TextInput } from '../../components/forms.tsx';
import { type MessageKey, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { useAgents, useGroups, useTicketFields } from '../../lib/queries.ts';
import { useSession } from '../../lib/session.tsx';
import type { Macro } from '../../lib/types.ts';
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
  TYPES,
} from './rules.tsx';
import { Checkbox, ConfirmDialog, ProblemList, problemsOf, SectionHeader, useProblems } from './ui.tsx';

/** Statuses a macro may set (a ticket is never `new` again, and only Haven closes one). */
const SETTABLE_STATUSES = ['open', 'pending', 'hold', 'solved'] as const;

type Option = { value: string; label: string };
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
    const enumOptions = (values: readonly string[], area: 'status' | 'priority' | 'type') =>
      values.map((v) => ({ value: v, label: t(`admin.rules.${area}.${v}` as MessageKey) }));
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
  const search = useSearch();
  const [, navigate] = useLocation();
  const edit = new URLSearchParams(search).get('edit');
  if (edit) {
    return (
      <MacroEditor
        key={edit}
        id={edit === 'new' ? null : Number(edit)}
        onDone={() => navigate('/admin/macros')}
      />
    );
  }
  return <MacroList onEdit={(id) => navigate(`/admin/macros?edit=${id}`)} />;
}

function MacroList({ onEdit }: { onEdit: (id: number | 'new') => void }) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const groups = useGroups();
  const macros = useQuery({
    queryKey: ['admin', 'macros'],
    queryFn: () => api.get<{ macros: Macro[] }>('macros', { per_page: 100 }).then((r) => r.macros),
  });
  const [deleting, setDeleting] = useState<Macro | null>(null);
  const [notice, setNotice] = useState('');
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: ['admin', 'macros'] });
    queryClient.invalidateQueries({ queryKey: ['macros'] });
  };
  const toggle = useMutation({
    mutationFn: (m: Macro) => api.put<{ macro: Macro }>(`macros/${m.id}`, { macro: { active: !m.active } }),
    onSuccess: ({ macro }) => {
      queryClient.setQueryData<Macro[]>(['admin', 'macros'], (list) =>
        list?.map((m) => (m.id === macro.id ? macro : m)),
      );
      setNotice(t(macro.active ? 'admin.rules.activated' : 'admin.rules.deactivated', { name: macro.title }));
      refresh();
    },
  });
  const groupName = (id: number) => groups.data?.find((g) => g.id === id)?.name;
  const list = [...(macros.data ?? [])].sort((a, b) => a.title.localeCompare(b.title));

  return (
    <>
      <SectionHeader
        title={t('admin.macros.title')}
        intro={t('admin.macros.intro')}
        actions={
          <button type="button" className="button primary" onClick={() => onEdit('new')}>
            {t('admin.macros.add')}
          </button>
        }
      />
      <p className="visually-hidden" role="status">
        {notice}
      </p>
      <ProblemList problems={toggle.error ? problemsOf(toggle.error, []).other : []} />
      {macros.error ? (
        <ProblemList problems={problemsOf(macros.error, []).other} />
      ) : !macros.data ? (
        <p className="loading">{t('shell.loading')}</p>
      ) : !list.length ? (
        <p className="muted">{t('admin.macros.empty')}</p>
      ) : (
        <div className="admin-table-wrap">
          <table className="data admin-table">
            <caption className="visually-hidden">{t('admin.macros.title')}</caption>
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
              {list.map((m) => (
                <tr key={m.id} className={m.active ? undefined : 'admin-inactive'}>
                  <td>
                    <strong>{m.title}</strong>
                    {m.description && <div className="muted admin-sub">{m.description}</div>}
                  </td>
                  <td>{restrictionLabel(m.restriction as Restriction, me.id, groupName)}</td>
                  <td>
                    <input
                      type="checkbox"
                      checked={toggle.isPending && toggle.variables?.id === m.id ? !m.active : m.active}
                      disabled={toggle.isPending}
                      onChange={() => toggle.mutate(m)}
                      aria-label={t('admin.rules.activeFor', { name: m.title })}
                    />
                  </td>
                  <td className="admin-row-actions">
                    <button
                      type="button"
                      className="button"
                      onClick={() => onEdit(m.id)}
                      aria-label={t('admin.editNamed', { name: m.title })}
                    >
                      {t('shell.edit')}
                    </button>
                    <button
                      type="button"
                      className="button danger"
                      onClick={() => setDeleting(m)}
                      aria-label={t('admin.deleteNamed', { name: m.title })}
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
        title={t('admin.macros.deleteTitle', { name: deleting?.title ?? '' })}
        message={<p>{t('admin.macros.deleteMessage')}</p>}
        confirmLabel={t('shell.delete')}
        onConfirm={async () => {
          const macro = deleting!;
          await api.delete(`macros/${macro.id}`);
          setNotice(t('admin.rules.deleted', { name: macro.title }));
          refresh();
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

function MacroEditor({ id, onDone }: { id: number | null; onDone: () => void }) {
  const macro = useQuery({
    queryKey: ['admin', 'macro', id],
    queryFn: () => api.get<{ macro: Macro }>(`macros/${id}`).then((r) => r.macro),
    enabled: id !== null,
  });
  if (id !== null && macro.error) {
    return (
      <>
        <ProblemList problems={problemsOf(macro.error, []).other} />
        <button type="button" className="button" onClick={onDone}>
          {t('admin.backToList')}
        </button>
      </>
    );
  }
  if (id !== null && !macro.data) return <p className="loading">{t('shell.loading')}</p>;
  return <MacroForm macro={macro.data ?? null} onDone={onDone} />;
}

interface MacroFormState {
  title: string;
  description: string;
  active: boolean;
  restriction: RestrictionChoice;
  actions: ActionRow[];
}

function MacroForm({ macro, onDone }: { macro: Macro | null; onDone: () => void }) {
  const { me } = useSession();
  const queryClient = useQueryClient();
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

  const save = useMutation({
    mutationFn: () => {
      const body = {
        macro: {
          title: form.title,
          description: form.description || null,
          active: form.active,
          restriction: restrictionBody(form.restriction, me.id),
          actions: toActions(form.actions, defs),
        },
      };
      return macro
        ? api.put<{ macro: Macro }>(`macros/${macro.id}`, body)
        : api.post<{ macro: Macro }>('macros', body);
    },
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ['admin', 'macros'] });
      queryClient.invalidateQueries({ queryKey: ['admin', 'macro'] });
      queryClient.invalidateQueries({ queryKey: ['macros'] });
      onDone();
    },
  });
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
    <>
      <SectionHeader
        title={macro ? t('admin.macros.editTitle', { name: macro.title }) : t('admin.macros.addTitle')}
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
          hint={t('admin.macros.titleHint')}
          value={form.title}
          onChange={(e) => set({ title: e.target.value })}
          error={problems.byField.title}
          required
        />
        <TextInput
          label={t('admin.macros.description')}
          value={form.description}
          onChange={(e) => set({ description: e.target.value })}
          error={problems.byField.description}
        />
        <Checkbox
          label={t('admin.macros.activeLabel')}
          checked={form.active}
          onChange={(active) => set({ active })}
        />
        <RestrictionField
          value={form.restriction}
          onChange={(restriction) => set({ restriction })}
          error={problems.byField.restriction}
        />
        <fieldset className="admin-fieldset">
          <legend>{t('admin.macros.actionsLegend')}</legend>
          <p className="hint">{t('admin.macros.actionsHint')}</p>
          {actionProblems.rest.length > 0 && <p className="field-error">{actionProblems.rest.join(' ')}</p>}
          <ol className="admin-rows">
            {form.actions.map((row, i) => {
              const d = def(row.field);
              const n = i + 1;
              const error = actionProblems.rows[`actions.${i}`];
              const errorId = `${row.key}-error`;
              const a11y = (label: string) => ({
                'aria-label': label,
                'aria-invalid': error ? true : undefined,
                'aria-describedby': error ? errorId : undefined,
              });
              return (
                <li key={row.key} className="admin-row">
                  <div className="admin-row-controls admin-action-controls">
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
                      <select
                        value={row.value}
                        onChange={(e) => update(row.key, { value: e.target.value })}
                        {...a11y(t('admin.macros.actionValue', { n }))}
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
                    <button
                      type="button"
                      className="icon-button"
                      onClick={() => set({ actions: form.actions.filter((r) => r.key !== row.key) })}
                      aria-label={t('admin.macros.removeAction', { n })}
                      title={t('admin.macros.removeAction', { n })}
                    >
                      ×
                    </button>
                  </div>
                  {d.value.kind === 'comment' && (
                    <TextArea
                      label={t('admin.macros.commentText', { n })}
                      hint={t('admin.macros.commentHint')}
                      value={row.value}
                      rows={4}
                      onChange={(e) => update(row.key, { value: e.target.value })}
                      error={error}
                    />
                  )}
                  {error && d.value.kind !== 'comment' && (
                    <p className="field-error" id={errorId}>
                      {error}
                    </p>
                  )}
                </li>
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
        <div className="admin-form-actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            {save.isPending ? t('shell.saving') : macro ? t('shell.save') : t('admin.macros.create')}
          </button>
          <button type="button" className="button" onClick={onDone}>
            {t('shell.cancel')}
          </button>
        </div>
      </form>
    </>
  );
}
