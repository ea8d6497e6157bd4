import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { TextInput } from '../../components/forms.tsx';
import { type MessageKey, t } from '../../i18n/index.ts';
import { api } from '../../lib/api.ts';
import {
  type ConditionRow,
  ConditionsEditor,
  conditionRows,
  type Definition,
  MoveButtons,
  moved,
  normalizeDefinition,
  type RuleCondition,
  toConditions,
  useEditParam,
  useReorder,
} from './rule-editor.tsx';
import { PRIORITIES, rowProblems } from './rules.tsx';
import {
  AdminForm,
  AdminTable,
  ConfirmDialog,
  EditDeleteButtons,
  FormActions,
  ListSection,
  ProblemList,
  problemsOf,
  SectionHeader,
  useProblems,
} from './ui.tsx';

export const SLA_METRICS = [
  'first_reply_time',
  'next_reply_time',
  'periodic_update',
  'requester_wait_time',
] as const;
type Metric = (typeof SLA_METRICS)[number];

interface PolicyMetric {
  priority: string;
  metric: string;
  target: number;
  business_hours: boolean;
}

interface SlaPolicy {
  id: number;
  title: string;
  description: string | null;
  position: number;
  filter: { all: RuleCondition[]; any: RuleCondition[] };
  policy_metrics: PolicyMetric[];
  updated_at?: string;
}

/** Fields an SLA filter may use when the server's own SLA definitions cannot be read. */
const FILTER_FIELDS = [
  'status',
  'priority',
  'type',
  'ticket_type_id',
  'group_id',
  'assignee_id',
  'requester_id',
  'organization_id',
  'current_tags',
  'via_id',
];

/** SLA definitions, in either dialect; or the triggers' ticket fields that filters support. */
function useSlaDefinitions() {
  return useQuery({
    queryKey: ['admin', 'sla_policies', 'definitions'],
    queryFn: async (): Promise<{ all: Definition[]; any: Definition[] }> => {
      const list = (raw: unknown) =>
        Array.isArray(raw) ? raw.map(normalizeDefinition).filter((d) => d.subject) : [];
      try {
        const r = await api.get<{ definitions: Record<string, unknown> }>('sla_policies/definitions');
        const all = list(r.definitions?.all ?? r.definitions?.conditions_all);
        const any = list(r.definitions?.any ?? r.definitions?.conditions_any);
        if (all.length) return { all, any: any.length ? any : all };
      } catch {
        // Fall through to the trigger definitions.
      }
      const r = await api.get<{ definitions: Record<string, unknown> }>('triggers/definitions');
      const all = list(r.definitions?.conditions_all).filter((d) => FILTER_FIELDS.includes(d.subject));
      const any = list(r.definitions?.conditions_any).filter((d) => FILTER_FIELDS.includes(d.subject));
      return { all, any: any.length ? any : all };
    },
    staleTime: 60_000,
  });
}

const metricLabel = (m: string) => {
  const key = `admin.sla.metrics.${m}` as MessageKey;
  return t(key) === key ? m : t(key);
};
const priorityLabel = (p: string) => t(`admin.rules.priority.${p}` as MessageKey);

/** "1 h 30 min", "45 min", "2 d 4 h". */
export function formatMinutes(total: number): string {
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  const parts = [
    days ? t('admin.sla.days', { n: days }) : '',
    hours ? t('admin.sla.hours', { n: hours }) : '',
    minutes || !total ? t('admin.sla.minutes', { n: minutes }) : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/** SLA policies: ordered; the first whose filter a ticket matches sets its reply and wait targets. */
export default function SlaSection() {
  const { edit, open, close } = useEditParam('sla');
  if (edit) return <SlaEditor key={edit} id={edit === 'new' ? null : Number(edit)} onDone={close} />;
  return <SlaList onEdit={open} />;
}

function targetsSummary(policy: SlaPolicy): string {
  const urgentFirst = [...PRIORITIES].reverse();
  const first = urgentFirst
    .map((p) => policy.policy_metrics.find((m) => m.priority === p && m.metric === 'first_reply_time'))
    .find(Boolean);
  if (!first) return t('admin.sla.targetCount', { count: policy.policy_metrics.length });
  return t('admin.sla.firstReplySummary', {
    priority: priorityLabel(first.priority),
    target: formatMinutes(first.target),
    hours: first.business_hours ? t('admin.sla.businessShort') : t('admin.sla.calendarShort'),
  });
}

function SlaList({ onEdit }: { onEdit: (id: number | 'new') => void }) {
  const queryClient = useQueryClient();
  const queryKey = ['admin', 'sla_policies'] as const;
  const policies = useQuery({
    queryKey,
    queryFn: () =>
      api
        .get<{ sla_policies: SlaPolicy[] }>('sla_policies')
        .then((r) => [...r.sla_policies].sort((a, b) => a.position - b.position || a.id - b.id)),
  });
  const reorder = useReorder<SlaPolicy>(queryKey, (ids) =>
    api.put('sla_policies/reorder', { sla_policy_ids: ids }),
  );
  const [deleting, setDeleting] = useState<SlaPolicy | null>(null);
  const [notice, setNotice] = useState('');
  const list = policies.data ?? [];
  return (
    <>
      <ListSection
        title={t('admin.sla.title')}
        intro={t('admin.sla.intro')}
        addLabel={t('admin.sla.add')}
        onAdd={() => onEdit('new')}
        notice={notice}
        before={<ProblemList problems={reorder.error ? problemsOf(reorder.error, []).other : []} />}
        error={policies.error}
        loading={!policies.data}
        empty={!list.length && t('admin.sla.empty')}
      >
        <AdminTable
          caption={t('admin.sla.title')}
          columns={[t('admin.ruleEditor.order'), t('admin.rules.ruleTitle'), t('admin.sla.targets')]}
        >
          {list.map((policy, i) => (
            <tr key={policy.id}>
              <td className="admin-order">
                <span className="admin-position">{i + 1}</span>
                <MoveButtons
                  name={policy.title}
                  index={i}
                  count={list.length}
                  disabled={reorder.isPending}
                  onMove={(from, to) => {
                    reorder.mutate(moved(list, from, to));
                    setNotice(t('admin.ruleEditor.movedTo', { name: policy.title, position: to + 1 }));
                  }}
                />
              </td>
              <td>
                <strong>{policy.title}</strong>
                {policy.description && <div className="muted admin-sub">{policy.description}</div>}
              </td>
              <td>{targetsSummary(policy)}</td>
              <td className="admin-row-actions">
                <EditDeleteButtons
                  name={policy.title}
                  onEdit={() => onEdit(policy.id)}
                  onDelete={() => setDeleting(policy)}
                />
              </td>
            </tr>
          ))}
        </AdminTable>
      </ListSection>
      <ConfirmDialog
        open={deleting !== null}
        title={t('admin.sla.deleteTitle', { name: deleting?.title ?? '' })}
        message={<p>{t('admin.sla.deleteMessage')}</p>}
        confirmLabel={t('shell.delete')}
        onConfirm={async () => {
          const policy = deleting!;
          await api.delete(`sla_policies/${policy.id}`);
          setNotice(t('admin.rules.deleted', { name: policy.title }));
          await queryClient.invalidateQueries({ queryKey });
        }}
        onClose={() => setDeleting(null)}
      />
    </>
  );
}

function SlaEditor({ id, onDone }: { id: number | null; onDone: () => void }) {
  const definitions = useSlaDefinitions();
  const policy = useQuery({
    queryKey: ['admin', 'sla_policy', id],
    queryFn: () => api.get<{ sla_policy: SlaPolicy }>(`sla_policies/${id}`).then((r) => r.sla_policy),
    enabled: id !== null,
  });
  const error = definitions.error ?? (id !== null ? policy.error : null);
  if (error) {
    return (
      <>
        <SectionHeader title={t('admin.sla.title')} />
        <ProblemList problems={problemsOf(error, []).other} />
        <button type="button" className="button" onClick={onDone}>
          {t('admin.backToList')}
        </button>
      </>
    );
  }
  if (!definitions.data || (id !== null && !policy.data))
    return <p className="loading">{t('shell.loading')}</p>;
  return <SlaForm policy={policy.data ?? null} defs={definitions.data} onDone={onDone} />;
}

type Cell = { hours: string; minutes: string };
const cellKey = (metric: string, priority: string) => `${metric}:${priority}`;

interface SlaFormState {
  title: string;
  description: string;
  all: ConditionRow[];
  any: ConditionRow[];
  targets: Record<string, Cell>;
  businessHours: Record<string, boolean>;
}

function formOf(policy: SlaPolicy | null): SlaFormState {
  const targets: Record<string, Cell> = {};
  const businessHours: Record<string, boolean> = {};
  for (const m of policy?.policy_metrics ?? []) {
    targets[cellKey(m.metric, m.priority)] = {
      hours: String(Math.floor(m.target / 60)),
      minutes: String(m.target % 60),
    };
    businessHours[m.metric] ??= m.business_hours;
  }
  return {
    title: policy?.title ?? '',
    description: policy?.description ?? '',
    all: conditionRows(policy?.filter.all),
    any: conditionRows(policy?.filter.any),
    targets,
    businessHours,
  };
}

/** `businessDefault`: what a metric nobody chose counts in (business hours once a schedule exists). */
function policyMetrics(form: SlaFormState, businessDefault: boolean): PolicyMetric[] | string {
  const out: PolicyMetric[] = [];
  for (const metric of SLA_METRICS) {
    for (const priority of PRIORITIES) {
      const cell = form.targets[cellKey(metric, priority)];
      if (!cell || (cell.hours.trim() === '' && cell.minutes.trim() === '')) continue;
      const hours = Number(cell.hours || 0);
      const minutes = Number(cell.minutes || 0);
      if (!Number.isInteger(hours) || !Number.isInteger(minutes) || hours < 0 || minutes < 0)
        return t('admin.sla.wholeNumbers', {
          metric: metricLabel(metric),
          priority: priorityLabel(priority),
        });
      out.push({
        priority,
        metric,
        target: hours * 60 + minutes,
        business_hours: form.businessHours[metric] ?? businessDefault,
      });
    }
  }
  return out;
}

function SlaForm({
  policy,
  defs,
  onDone,
}: {
  policy: SlaPolicy | null;
  defs: { all: Definition[]; any: Definition[] };
  onDone: () => void;
}) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState<SlaFormState>(() => formOf(policy));
  const [localError, setLocalError] = useState('');
  const schedules = useQuery({
    queryKey: ['admin', 'schedules'],
    queryFn: () =>
      api
        .get<{ schedules: { id: number; name: string }[] }>('business_hours/schedules')
        .then((r) => r.schedules),
  });
  const save = useMutation({
    mutationFn: (metrics: PolicyMetric[]) => {
      const payload = {
        sla_policy: {
          title: form.title,
          description: form.description || null,
          filter: { all: toConditions(form.all, defs.all), any: toConditions(form.any, defs.any) },
          policy_metrics: metrics,
        },
      };
      return policy ? api.put(`sla_policies/${policy.id}`, payload) : api.post('sla_policies', payload);
    },
    onSuccess: () => {
      queryClient.invalidateQueries({ queryKey: ['admin', 'sla_policies'] });
      queryClient.invalidateQueries({ queryKey: ['admin', 'sla_policy'] });
      onDone();
    },
  });
  const problems = useProblems(save.error, ['title', 'description', 'filter', 'policy_metrics']);
  const filterProblems = rowProblems(save.error, 'filter');
  const metricProblems = rowProblems(save.error, 'policy_metrics');
  const set = (patch: Partial<SlaFormState>) => {
    const names = Object.keys(patch).map((k) => (k === 'all' || k === 'any' ? 'filter' : k));
    problems.edited(...names);
    setLocalError('');
    setForm((f) => ({ ...f, ...patch }));
  };
  const setCell = (key: string, patch: Partial<Cell>) =>
    set({
      targets: { ...form.targets, [key]: { ...(form.targets[key] ?? { hours: '', minutes: '' }), ...patch } },
    });
  const noSchedule = schedules.data && schedules.data.length === 0;
  const hasSchedule = (schedules.data?.length ?? 0) > 0;
  const metricErrors = [...Object.values(metricProblems.rows), ...metricProblems.rest, localError].filter(
    Boolean,
  );

  return (
    <>
      <SectionHeader
        title={policy ? t('admin.sla.editTitle', { name: policy.title }) : t('admin.sla.addTitle')}
      />
      <AdminForm
        className="card admin-form admin-rule-form"
        onSubmit={() => {
          const metrics = policyMetrics(form, hasSchedule);
          if (typeof metrics === 'string') setLocalError(metrics);
          else save.mutate(metrics);
        }}
        problems={problems.other}
      >
        <TextInput
          label={t('admin.rules.ruleTitle')}
          value={form.title}
          onChange={(e) => set({ title: e.target.value })}
          error={problems.byField.title}
          required
        />
        <TextInput
          label={t('admin.ruleEditor.description')}
          value={form.description}
          onChange={(e) => set({ description: e.target.value })}
          error={problems.byField.description}
        />
        <ConditionsEditor
          list="all"
          defs={defs.all}
          rows={form.all}
          onChange={(all) => set({ all })}
          errors={filterProblems.rows}
          legend={t('admin.sla.allLegend')}
          hint={t('admin.sla.allHint')}
        />
        <ConditionsEditor
          list="any"
          defs={defs.any}
          rows={form.any}
          onChange={(any) => set({ any })}
          errors={filterProblems.rows}
          legend={t('admin.sla.anyLegend')}
        />
        {filterProblems.rest.length > 0 && <p className="field-error">{filterProblems.rest.join(' ')}</p>}

        <fieldset className="admin-fieldset">
          <legend>{t('admin.sla.targetsLegend')}</legend>
          <p className="hint">{t('admin.sla.targetsHint')}</p>
          {noSchedule && (
            <p className="admin-warning">
              {t('admin.sla.noSchedule')}{' '}
              <Link href="/admin/business-hours">{t('admin.sla.setSchedule')}</Link>
            </p>
          )}
          {metricErrors.length > 0 && (
            <div className="field-error" role="alert">
              {metricErrors.map((m) => (
                <p key={m}>{m}</p>
              ))}
            </div>
          )}
          <div className="admin-table-wrap">
            <table className="data admin-table admin-sla-grid">
              <caption className="visually-hidden">{t('admin.sla.targetsLegend')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.sla.metric')}</th>
                  {[...PRIORITIES].reverse().map((p) => (
                    <th scope="col" key={p}>
                      {priorityLabel(p)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {SLA_METRICS.map((metric: Metric) => (
                  <tr key={metric}>
                    <th scope="row">
                      {metricLabel(metric)}
                      <div className="muted admin-sub">{t(`admin.sla.metricHints.${metric}`)}</div>
                      <select
                        className="admin-hours-of"
                        value={(form.businessHours[metric] ?? hasSchedule) ? 'business' : 'calendar'}
                        onChange={(e) =>
                          set({
                            businessHours: { ...form.businessHours, [metric]: e.target.value === 'business' },
                          })
                        }
                        aria-label={t('admin.sla.hoursOfFor', { metric: metricLabel(metric) })}
                      >
                        <option value="business">{t('admin.sla.business')}</option>
                        <option value="calendar">{t('admin.sla.calendar')}</option>
                      </select>
                    </th>
                    {[...PRIORITIES].reverse().map((priority) => {
                      const key = cellKey(metric, priority);
                      const cell = form.targets[key] ?? { hours: '', minutes: '' };
                      const name = t('admin.sla.cell', {
                        metric: metricLabel(metric),
                        priority: priorityLabel(priority),
                      });
                      return (
                        <td key={priority}>
                          <div className="admin-duration">
                            <input
                              type="number"
                              min={0}
                              inputMode="numeric"
                              value={cell.hours}
                              onChange={(e) => setCell(key, { hours: e.target.value })}
                              aria-label={t('admin.sla.cellHours', { name })}
                            />
                            <span aria-hidden="true">{t('admin.sla.h')}</span>
                            <input
                              type="number"
                              min={0}
                              max={59}
                              inputMode="numeric"
                              value={cell.minutes}
                              onChange={(e) => setCell(key, { minutes: e.target.value })}
                              aria-label={t('admin.sla.cellMinutes', { name })}
                            />
                            <span aria-hidden="true">{t('admin.sla.m')}</span>
                          </div>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </fieldset>
        <FormActions
          pending={save.isPending}
          submitLabel={policy ? t('shell.save') : t('admin.sla.create')}
          onCancel={onDone}
        />
      </AdminForm>
    </>
  );
}
