import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Select, TextInput } from '../../components/forms.tsx';
import { type MessageKey, t } from '../../i18n/index.ts';
import { ApiError, api } from '../../lib/api.ts';
import { useGroups } from '../../lib/queries.ts';
import { useSession } from '../../lib/session.tsx';
import { EditorGate, RecordList, useEditParam, useRecord } from './section.tsx';
import { Checkbox, EditorForm, ProblemList, problemsOf, TitleCell } from './ui.tsx';

/**
 * Parts views and macros share: who a rule is for, and where the API says a row is wrong. Their lists'
 * active box and condition and action rows also serve triggers, automations and SLA policies.
 */

export type Restriction = { type: 'User' | 'Group'; id?: number | null; ids?: number[] } | null;

export interface RestrictionChoice {
  kind: 'everyone' | 'group' | 'user';
  groupId: string;
  userId: number | null;
}

export function restrictionChoice(r: Restriction | undefined): RestrictionChoice {
  if (!r) return { kind: 'everyone', groupId: '', userId: null };
  if (r.type === 'User') return { kind: 'user', groupId: '', userId: r.id ?? null };
  return { kind: 'group', groupId: String(r.ids?.[0] ?? r.id ?? ''), userId: null };
}

export function restrictionBody(choice: RestrictionChoice, meId: number): Restriction {
  if (choice.kind === 'everyone') return null;
  if (choice.kind === 'user') return { type: 'User', id: choice.userId ?? meId };
  // A missing group is sent as is so the API names the problem beside this field.
  return choice.groupId ? { type: 'Group', ids: [Number(choice.groupId)] } : { type: 'Group' };
}

export function RestrictionField({
  value,
  onChange,
  error,
}: {
  value: RestrictionChoice;
  onChange: (choice: RestrictionChoice) => void;
  error?: string;
}) {
  const { me } = useSession();
  const groups = useGroups();
  const userLabel =
    value.userId === null || value.userId === me.id
      ? t('admin.rules.onlyMe')
      : t('admin.rules.onlyUser', { id: value.userId });
  return (
    <fieldset className="admin-fieldset admin-restriction">
      <legend>{t('admin.rules.availableTo')}</legend>
      <div className="admin-restriction-row">
        <Select
          label={t('admin.rules.who')}
          value={value.kind}
          onChange={(e) =>
            onChange({
              ...value,
              kind: e.target.value as RestrictionChoice['kind'],
              userId: e.target.value === 'user' ? (value.userId ?? me.id) : value.userId,
            })
          }
          options={[
            { value: 'everyone', label: t('admin.rules.everyone') },
            { value: 'group', label: t('admin.rules.aGroup') },
            { value: 'user', label: userLabel },
          ]}
          error={value.kind === 'group' ? undefined : error}
        />
        {value.kind === 'group' && (
          <Select
            label={t('admin.rules.group')}
            value={value.groupId}
            onChange={(e) => onChange({ ...value, groupId: e.target.value })}
            options={[
              { value: '', label: t('admin.rules.chooseGroup') },
              ...(groups.data ?? [])
                .filter((g) => !g.deleted)
                .map((g) => ({ value: String(g.id), label: g.name })),
            ]}
            error={error}
          />
        )}
      </div>
    </fieldset>
  );
}

export function restrictionLabel(
  r: Restriction,
  meId: number,
  groupName: (id: number) => string | undefined,
): string {
  if (!r) return t('admin.rules.everyone');
  if (r.type === 'User')
    return r.id === meId ? t('admin.rules.onlyMe') : t('admin.rules.onlyUser', { id: r.id ?? '' });
  const ids = r.ids ?? (r.id ? [r.id] : []);
  return ids.map((id) => groupName(id) ?? `#${id}`).join(', ');
}

/**
 * The API names a wrong condition or action by its place ("all[2]: …", "actions[0]: …"); this sorts those
 * messages onto their rows, and returns the rest.
 */
export function rowProblems(
  error: unknown,
  detailKey: string,
): { rows: Record<string, string>; rest: string[] } {
  const rows: Record<string, string> = {};
  const rest: string[] = [];
  if (!(error instanceof ApiError)) return { rows, rest };
  for (const p of error.details[detailKey] ?? []) {
    const m = /^(\w+)\[(\d+)\]:\s*(.*)$/s.exec(p.description);
    if (m) rows[`${m[1]}.${m[2]}`] = m[3]!;
    else rest.push(p.description);
  }
  return { rows, rest };
}

let rowKeys = 0;
export const nextRowKey = () => `r${++rowKeys}`;

export const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TYPES = ['question', 'incident', 'problem', 'task'] as const;

export type Option = { value: string; label: string };

/** Options for a ticket status, priority or type, in their rule wording. */
export const enumOptions = (values: readonly string[], area: 'status' | 'priority' | 'type'): Option[] =>
  values.map((v) => ({ value: v, label: t(`admin.rules.${area}.${v}` as MessageKey) }));

/**
 * The `aria-*` of one control in a condition or action row: named for its place ("Action 2 value"), and
 * tied to the row's problem when the API named one.
 */
export function rowA11y(rowKey: string, error: string | undefined) {
  return (label: string) => ({
    'aria-label': label,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${rowKey}-error` : undefined,
  });
}

/** A drop-down of a row's value; a value set through the API that is not among the options stays shown. */
export function ValueSelect({
  value,
  options,
  onChange,
  a11y,
}: {
  value: string;
  options: Option[];
  onChange: (value: string) => void;
  a11y: ReturnType<ReturnType<typeof rowA11y>>;
}) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} {...a11y}>
      {!options.some((o) => o.value === value) && <option value={value}>{value || t('shell.none')}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** A condition or action row: its controls, a button that removes it, and the API's problem with it. */
export function RuleRow({
  rowKey,
  controlsClassName = 'admin-row-controls',
  removeLabel,
  onRemove,
  error,
  below,
  children,
}: {
  rowKey: string;
  controlsClassName?: string;
  removeLabel: string;
  onRemove: () => void;
  error: string | undefined;
  below?: ReactNode;
  children: ReactNode;
}) {
  return (
    <li className="admin-row">
      <div className={controlsClassName}>
        {children}
        <button
          type="button"
          className="icon-button"
          onClick={onRemove}
          aria-label={removeLabel}
          title={removeLabel}
        >
          ×
        </button>
      </div>
      {below}
      {error && (
        <p className="field-error" id={`${rowKey}-error`}>
          {error}
        </p>
      )}
    </li>
  );
}

/**
 * The active box of each row of a rule list whose rows are cached under `queryKey`. The box shows the new
 * state from the click itself, not from the mutation's state (which React Query publishes a tick later, so
 * the controlled box would first spring back). Once saved, the cached row is replaced and `onSwitched`
 * gets the notice to announce.
 */
export function useActiveSwitch<T extends { id: number; title: string; active: boolean }>(
  path: string,
  name: string,
  queryKey: readonly unknown[],
  onSwitched: (notice: string) => void,
) {
  const queryClient = useQueryClient();
  const [switching, setSwitching] = useState<{ id: number; active: boolean } | null>(null);
  const toggle = useMutation({
    mutationFn: (rule: T) =>
      api
        .put<Record<string, T>>(`${path}/${rule.id}`, { [name]: { active: !rule.active } })
        .then((r) => r[name]!),
    onSuccess: (saved) => {
      queryClient.setQueryData<T[]>(queryKey, (list) => list?.map((r) => (r.id === saved.id ? saved : r)));
      onSwitched(
        t(saved.active ? 'admin.rules.activated' : 'admin.rules.deactivated', { name: saved.title }),
      );
    },
    onSettled: () => setSwitching(null),
  });
  const box = (rule: T) => (
    <input
      type="checkbox"
      checked={switching?.id === rule.id ? switching.active : rule.active}
      disabled={switching !== null}
      onChange={() => {
        setSwitching({ id: rule.id, active: !rule.active });
        toggle.mutate(rule);
      }}
      aria-label={t('admin.rules.activeFor', { name: rule.title })}
    />
  );
  return { box, error: toggle.error };
}

/** A view or a macro, as far as their shared list needs. */
interface Rule {
  id: number;
  title: string;
  active: boolean;
  description?: string | null;
  restriction: Restriction;
}

type RuleKind = 'views' | 'macros';
const singular = (kind: RuleKind) => (kind === 'views' ? 'view' : 'macro');

/** After a change to a view or macro: the settings list, its editor and the app's own lists. */
export function refreshRules(queryClient: QueryClient, kind: RuleKind) {
  queryClient.invalidateQueries({ queryKey: ['admin', kind] });
  queryClient.invalidateQueries({ queryKey: ['admin', singular(kind)] });
  queryClient.invalidateQueries({ queryKey: [kind] });
}

/**
 * Views and macros: the list (activate, edit, delete), or with `?edit=<id|new>` the editor `renderForm`
 * draws for the loaded rule (null for a new one).
 */
export function RuleSection<T extends Rule>({
  kind,
  sort,
  renderForm,
}: {
  kind: RuleKind;
  sort: (a: T, b: T) => number;
  renderForm: (rule: T | null, onDone: () => void) => ReactNode;
}) {
  const { edit, open, close } = useEditParam(kind);
  if (edit) {
    return (
      <RuleEditor<T>
        key={edit}
        kind={kind}
        id={edit === 'new' ? null : Number(edit)}
        onDone={close}
        renderForm={renderForm}
      />
    );
  }
  return <RuleList<T> kind={kind} sort={sort} onEdit={open} />;
}

function RuleList<T extends Rule>({
  kind,
  sort,
  onEdit,
}: {
  kind: RuleKind;
  sort: (a: T, b: T) => number;
  onEdit: (id: number | 'new') => void;
}) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const groups = useGroups();
  const rules = useQuery({
    queryKey: ['admin', kind],
    queryFn: () => api.get<Record<RuleKind, T[]>>(kind, { per_page: 100 }).then((r) => r[kind]),
  });
  const [notice, setNotice] = useState('');
  const active = useActiveSwitch<T>(kind, singular(kind), ['admin', kind], (switched) => {
    setNotice(switched);
    refreshRules(queryClient, kind);
  });
  const groupName = (id: number) => groups.data?.find((g) => g.id === id)?.name;

  return (
    <RecordList<T>
      area={kind}
      records={rules.data && [...rules.data].sort(sort)}
      error={rules.error}
      columns={[t('admin.rules.ruleTitle'), t('admin.rules.availableTo'), t('admin.active')]}
      name={(rule) => rule.title}
      rowClassName={(rule) => (rule.active ? undefined : 'admin-inactive')}
      cells={(rule) => (
        <>
          <TitleCell title={rule.title} sub={rule.description} />
          <td>{restrictionLabel(rule.restriction, me.id, groupName)}</td>
          <td>{active.box(rule)}</td>
        </>
      )}
      before={<ProblemList problems={active.error ? problemsOf(active.error, []).other : []} />}
      notice={notice}
      announce={setNotice}
      onEdit={onEdit}
      onDelete={(rule) => api.delete(`${kind}/${rule.id}`)}
      refresh={() => refreshRules(queryClient, kind)}
    />
  );
}

function RuleEditor<T extends Rule>({
  kind,
  id,
  onDone,
  renderForm,
}: {
  kind: RuleKind;
  id: number | null;
  onDone: () => void;
  renderForm: (rule: T | null, onDone: () => void) => ReactNode;
}) {
  const rule = useRecord<T>(kind, singular(kind), id);
  return (
    <EditorGate error={id !== null && rule.error} ready={id === null || !!rule.data} onDone={onDone}>
      {() => renderForm(rule.data ?? null, onDone)}
    </EditorGate>
  );
}

/** What every view and macro has: a title, whether it is active, and who may use it. */
export interface RuleBasics {
  title: string;
  active: boolean;
  restriction: RestrictionChoice;
}

/** Creates or updates a view or macro from its basics and its own parts (`body`), then goes back to the list. */
export function useSaveRule(
  kind: RuleKind,
  rule: Rule | null,
  form: RuleBasics,
  body: () => Record<string, unknown>,
  onDone: () => void,
) {
  const { me } = useSession();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => {
      const payload = {
        [singular(kind)]: {
          title: form.title,
          active: form.active,
          restriction: restrictionBody(form.restriction, me.id),
          ...body(),
        },
      };
      return rule ? api.put(`${kind}/${rule.id}`, payload) : api.post(kind, payload);
    },
    onSuccess: () => {
      refreshRules(queryClient, kind);
      onDone();
    },
  });
}

/**
 * The editor of a view or macro: its title (then `afterTitle`), the active box and who may use it, then
 * the rule's own parts (`children`) and the save and cancel buttons.
 */
export function RuleForm({
  kind,
  rule,
  form,
  set,
  problems,
  pending,
  onSubmit,
  onDone,
  titleHint,
  afterTitle,
  children,
}: {
  kind: RuleKind;
  rule: Rule | null;
  form: RuleBasics;
  set: (patch: Partial<RuleBasics>) => void;
  problems: { byField: Record<string, string>; other: string[] };
  pending: boolean;
  onSubmit: () => void;
  onDone: () => void;
  titleHint?: string;
  afterTitle?: ReactNode;
  children: ReactNode;
}) {
  return (
    <EditorForm
      title={rule ? t(`admin.${kind}.editTitle`, { name: rule.title }) : t(`admin.${kind}.addTitle`)}
      className="card admin-form admin-rule-form"
      onSubmit={onSubmit}
      problems={problems.other}
      pending={pending}
      submitLabel={rule ? t('shell.save') : t(`admin.${kind}.create`)}
      onCancel={onDone}
    >
      <TextInput
        label={t('admin.rules.ruleTitle')}
        hint={titleHint}
        value={form.title}
        onChange={(e) => set({ title: e.target.value })}
        error={problems.byField.title}
        required
      />
      {afterTitle}
      <Checkbox
        label={t(`admin.${kind}.activeLabel`)}
        checked={form.active}
        onChange={(active) => set({ active })}
      />
      <RestrictionField
        value={form.restriction}
        onChange={(restriction) => set({ restriction })}
        error={problems.byField.restriction}
      />
      {children}
    </EditorForm>
  );
}
