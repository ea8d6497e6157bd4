import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import { formatDate, timeAgo } from '../../lib/format.ts';
import { byPosition, useReorder } from './ordered.tsx';
import {
  type ActionRow,
  ActionsEditor,
  actionRows,
  type ConditionRow,
  ConditionSets,
  conditionRows,
  type Definitions,
  definitionList,
  freshAction,
  freshCondition,
  type RuleAction,
  type RuleCondition,
  TitleFields,
  toActions,
  toConditions,
} from './rule-editor.tsx';
import { rowProblems, useActiveSwitch } from './rules.tsx';
import { EditorGate, RecordList, useEditParam, useRecord } from './section.tsx';
import { Checkbox, EditorForm, ProblemList, problemsOf, TitleCell, useProblems } from './ui.tsx';

/** Triggers and automations: their ordered list and the editor of one, built from the shared rule editor. */

/** A trigger or an automation. */
interface BusinessRule {
  id: number;
  title: string;
  description?: string | null;
  active: boolean;
  position: number;
  default?: boolean;
  conditions: { all: RuleCondition[]; any: RuleCondition[] };
  actions: RuleAction[];
  created_at?: string;
  updated_at: string;
}

/** The fields a trigger's or automation's conditions and actions may use. */
function useRuleDefinitions(kind: 'triggers' | 'automations') {
  return useQuery({
    queryKey: ['admin', kind, 'definitions'],
    queryFn: async (): Promise<Definitions> => {
      const r = await api.get<{ definitions: Record<string, unknown> }>(`${kind}/definitions`);
      const d = r.definitions ?? {};
      return {
        conditions_all: definitionList(d.conditions_all ?? d.all),
        conditions_any: definitionList(d.conditions_any ?? d.any ?? d.conditions_all ?? d.all),
        actions: definitionList(d.actions),
      };
    },
    staleTime: 60_000,
  });
}

type RuleKind = 'triggers' | 'automations';
const singular = (kind: RuleKind) => (kind === 'triggers' ? 'trigger' : 'automation');

/** Triggers or automations: the ordered list, or with `?edit=` the editor of one. */
export function BusinessRuleSection({ kind, extraActions }: { kind: RuleKind; extraActions?: ReactNode }) {
  const { edit, open, close } = useEditParam(kind);
  if (edit) {
    return (
      <BusinessRuleEditor key={edit} kind={kind} id={edit === 'new' ? null : Number(edit)} onDone={close} />
    );
  }
  return <BusinessRuleList kind={kind} onEdit={open} extraActions={extraActions} />;
}

function summary(rule: BusinessRule): string {
  const conditions = rule.conditions.all.length + rule.conditions.any.length;
  return t('admin.ruleEditor.summary', { conditions, actions: rule.actions.length });
}

function BusinessRuleList({
  kind,
  onEdit,
  extraActions,
}: {
  kind: RuleKind;
  onEdit: (id: number | 'new') => void;
  extraActions?: ReactNode;
}) {
  const queryClient = useQueryClient();
  const queryKey = ['admin', kind] as const;
  const rules = useQuery({
    queryKey,
    queryFn: () =>
      api
        .get<Record<RuleKind, BusinessRule[]>>(kind, { per_page: 100 })
        .then((r) => [...r[kind]].sort(byPosition)),
  });
  const [notice, setNotice] = useState('');
  const active = useActiveSwitch<BusinessRule>(kind, singular(kind), queryKey, setNotice);
  const reorder = useReorder<BusinessRule>(
    queryKey,
    (ids) =>
      kind === 'triggers'
        ? api.put('triggers/reorder', { trigger_ids: ids })
        : api.put('automations/update_many', { automations: ids.map((id, i) => ({ id, position: i + 1 })) }),
    setNotice,
  );
  const failed = active.error ?? reorder.error;

  return (
    <RecordList<BusinessRule>
      area={kind}
      records={rules.data}
      error={rules.error}
      columns={[
        t('admin.ruleEditor.order'),
        t('admin.rules.ruleTitle'),
        t('admin.ruleEditor.updated'),
        t('admin.active'),
      ]}
      name={(rule) => rule.title}
      rowClassName={(rule) => (rule.active ? undefined : 'admin-inactive')}
      cells={(rule, i) => (
        <>
          {reorder.cell(rules.data!, i)}
          <TitleCell title={rule.title} sub={rule.description || summary(rule)} />
          <td title={formatDate(rule.updated_at)}>{timeAgo(rule.updated_at)}</td>
          <td>{active.box(rule)}</td>
        </>
      )}
      before={
        <>
          {extraActions}
          <ProblemList problems={failed ? problemsOf(failed, []).other : []} />
        </>
      }
      notice={notice}
      announce={setNotice}
      onEdit={onEdit}
      onDelete={(rule) => api.delete(`${kind}/${rule.id}`)}
      refresh={() => queryClient.invalidateQueries({ queryKey })}
    />
  );
}

function BusinessRuleEditor({ kind, id, onDone }: { kind: RuleKind; id: number | null; onDone: () => void }) {
  const definitions = useRuleDefinitions(kind);
  const rule = useRecord<BusinessRule>(kind, singular(kind), id);
  return (
    <EditorGate
      title={t(`admin.${kind}.title`)}
      error={definitions.error ?? (id !== null ? rule.error : null)}
      ready={!!definitions.data && (id === null || !!rule.data)}
      onDone={onDone}
    >
      {() => (
        <BusinessRuleForm kind={kind} rule={rule.data ?? null} defs={definitions.data!} onDone={onDone} />
      )}
    </EditorGate>
  );
}

interface BusinessRuleFormState {
  title: string;
  description: string;
  active: boolean;
  all: ConditionRow[];
  any: ConditionRow[];
  actions: ActionRow[];
}

function initialState(kind: RuleKind, rule: BusinessRule | null, defs: Definitions): BusinessRuleFormState {
  if (rule) {
    return {
      title: rule.title,
      description: rule.description ?? '',
      active: rule.active,
      all: conditionRows(rule.conditions.all),
      any: conditionRows(rule.conditions.any),
      actions: actionRows(rule.actions, defs.actions),
    };
  }
  // A new trigger starts at "when a ticket is created"; a new automation at a time condition.
  const start = kind === 'triggers' ? 'update_type' : 'hours_since_created';
  const first = defs.conditions_all.find((d) => d.subject === start)?.subject;
  return {
    title: '',
    description: '',
    active: true,
    all: [freshCondition(defs.conditions_all, first)],
    any: [],
    actions: [freshAction(defs.actions)],
  };
}

function BusinessRuleForm({
  kind,
  rule,
  defs,
  onDone,
}: {
  kind: RuleKind;
  rule: BusinessRule | null;
  defs: Definitions;
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState<BusinessRuleFormState>(() => initialState(kind, rule, defs));
  const save = useMutation({
    mutationFn: () => {
      const payload = {
        [singular(kind)]: {
          title: form.title,
          description: form.description || null,
          active: form.active,
          conditions: {
            all: toConditions(form.all, defs.conditions_all),
            any: toConditions(form.any, defs.conditions_any),
          },
          actions: toActions(form.actions, defs.actions),
        },
      };
      return rule ? api.put(`${kind}/${rule.id}`, payload) : api.post(kind, payload);
    },
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ['admin', kind] });
      queryClient.invalidateQueries({ queryKey: ['admin', singular(kind)] });
      onDone();
    },
  });
  const problems = useProblems(save.error, ['title', 'description', 'conditions', 'actions']);
  const actionProblems = rowProblems(save.error, 'actions');
  const set = (patch: Partial<BusinessRuleFormState>) => {
    const names = Object.keys(patch).map((k) => (k === 'all' || k === 'any' ? 'conditions' : k));
    problems.edited(...names);
    setForm((f) => ({ ...f, ...patch }));
  };

  return (
    <EditorForm
      title={rule ? t(`admin.${kind}.editTitle`, { name: rule.title }) : t(`admin.${kind}.addTitle`)}
      className="card admin-form admin-rule-form"
      onSubmit={() => save.mutate()}
      problems={problems.other}
      pending={save.isPending}
      submitLabel={rule ? t('shell.save') : t(`admin.${kind}.create`)}
      onCancel={onDone}
    >
      <TitleFields form={form} set={set} problems={problems} />
      <Checkbox
        label={t(`admin.${kind}.activeLabel`)}
        checked={form.active}
        onChange={(active) => set({ active })}
      />
      <ConditionSets
        defs={{ all: defs.conditions_all, any: defs.conditions_any }}
        all={form.all}
        any={form.any}
        onChange={set}
        problems={rowProblems(save.error, 'conditions')}
        text={{ allHint: t(`admin.${kind}.allHint`) }}
      />
      <ActionsEditor
        defs={defs.actions}
        rows={form.actions}
        onChange={(actions) => set({ actions })}
        errors={actionProblems.rows}
        rest={actionProblems.rest}
      />
    </EditorForm>
  );
}
